"""The one flow both transports drive, stepped by hand: no I/O, no threads, no clock but ours.

`Policy.flow(request)` yields what to do (Send, Wait, Refresh) and receives what happened; these
tests play the portal's part with scripted answers and read the steps the flow takes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import httpx
import pytest

from b24_badge_client import DeadlineExceeded, OAuth, RateLimit, RetryPolicy, Webhook
from b24_badge_client._flow import Answer, Flow, Policy, Refresh, Send, Step, Wait
from tests.client.conftest import FakeTime

URL = "https://portal.example/rest/1/***/crm.activity.badge.get"


def answer(status: int, body: dict[str, object]) -> Answer:
    content = json.dumps(body).encode()
    return httpx.Response(status, content=content), content


OK = answer(200, {"result": {}, "time": {"operating_reset_at": 10_100}})
QLE = answer(503, {"error": "QUERY_LIMIT_EXCEEDED", "error_description": ""})
OTL = answer(429, {"error": "OPERATION_TIME_LIMIT", "error_description": ""})
EXPIRED = answer(401, {"error": "expired_token", "error_description": ""})


def steps(
    flow: Flow, answers: Iterable[Answer | Exception], time: FakeTime
) -> tuple[list[Step], httpx.Response]:
    """Drive `flow` as a transport would, answering each Send with the next of `answers` and
    sleeping on `time`; the steps taken and the result."""
    answers = iter(answers)
    taken: list[Step] = []
    reply: Answer | Exception | None = None
    while True:
        try:
            step = flow.send(reply)
        except StopIteration as done:
            return taken, done.value
        taken.append(step)
        if isinstance(step, Wait):
            time.sleep(step.seconds)
        reply = next(answers) if isinstance(step, Send) else None


def policy(time: FakeTime, credentials: Webhook | OAuth | None = None, **options: object) -> Policy:
    options = {"rate_limit": None, "retry": RetryPolicy(jitter=0.0), **options}
    return Policy(credentials or Webhook("https://portal.example/rest/1/code/"), **options)  # type: ignore[arg-type]


def kinds(taken: list[Step]) -> list[object]:
    return [step.seconds if isinstance(step, Wait) else type(step).__name__ for step in taken]


def test_503s_are_retried_with_backoff_and_the_answer_returned() -> None:
    time = FakeTime()
    flow = policy(time, clock=time.as_clock()).flow(httpx.Request("POST", URL))
    taken, result = steps(flow, [QLE, QLE, OK], time)
    assert kinds(taken) == ["Send", 1.0, "Send", 2.0, "Send"]
    assert result is OK[0]


def test_a_429_waits_for_the_reset_the_last_success_announced() -> None:
    time = FakeTime(now=10_000.0)
    flow_policy = policy(time, clock=time.as_clock())
    steps(flow_policy.flow(httpx.Request("POST", URL)), [OK], time)  # operating_reset_at 10_100
    taken, _ = steps(flow_policy.flow(httpx.Request("POST", URL)), [OTL, OK], time)
    assert kinds(taken) == ["Send", 101.0, "Send"]


def test_a_big_success_announces_its_reset_too() -> None:
    """Big answers are not kept whole for a 429 that may never come; their reset time is."""
    time = FakeTime(now=10_000.0)
    big = answer(
        200, {"result": {"badges": ["x" * 100_000]}, "time": {"operating_reset_at": 10_050}}
    )
    flow_policy = policy(time, clock=time.as_clock())
    steps(flow_policy.flow(httpx.Request("POST", URL)), [big], time)
    taken, _ = steps(flow_policy.flow(httpx.Request("POST", URL)), [OTL, OK], time)
    assert kinds(taken) == ["Send", 51.0, "Send"]


def test_an_expired_token_is_refreshed_once() -> None:
    time = FakeTime()
    oauth = OAuth("https://portal.example", "token", refresh=lambda: "fresh")
    flow = policy(time, oauth, clock=time.as_clock()).flow(httpx.Request("POST", URL))
    taken, result = steps(flow, [EXPIRED, EXPIRED], time)
    assert kinds(taken) == ["Send", "Refresh", "Send"]
    assert isinstance(taken[1], Refresh)
    assert result is EXPIRED[0], "a second expiry is the answer: no refresh loop"


def test_a_wait_beyond_the_deadline_is_not_taken() -> None:
    time = FakeTime()
    retry = RetryPolicy(backoff=8.0, jitter=0.0)
    flow = policy(time, retry=retry, deadline=20.0, clock=time.as_clock())
    taken, result = steps(flow.flow(httpx.Request("POST", URL)), [QLE, QLE, QLE], time)
    assert kinds(taken) == ["Send", 8.0, "Send"]  # 8 + 16 would pass 20: the 503 stands
    assert result is QLE[0]


def test_a_timeout_the_deadline_shortened_is_a_deadline_error() -> None:
    time = FakeTime()
    request = httpx.Request("POST", URL, extensions={"timeout": httpx.Timeout(30.0).as_dict()})
    flow = policy(time, deadline=5.0, clock=time.as_clock()).flow(request)
    assert isinstance(next(flow), Send)
    assert request.extensions["timeout"]["read"] == 5.0, "each network wait cut to the time left"
    with pytest.raises(DeadlineExceeded, match="waiting for the portal"):
        flow.send(httpx.ReadTimeout("timed out"))


def test_a_timeout_of_its_own_stays_a_timeout() -> None:
    time = FakeTime()
    request = httpx.Request("POST", URL, extensions={"timeout": httpx.Timeout(3.0).as_dict()})
    flow = policy(time, deadline=60.0, clock=time.as_clock()).flow(request)
    next(flow)
    with pytest.raises(httpx.ReadTimeout):
        flow.send(httpx.ReadTimeout("timed out"))


def test_a_turn_in_the_rate_limit_beyond_the_deadline_is_a_deadline_error() -> None:
    time = FakeTime()
    limit = RateLimit(burst=1, per_second=0.01)
    paced = policy(time, rate_limit=limit, deadline=60.0, clock=time.as_clock())
    steps(paced.flow(httpx.Request("POST", URL)), [OK], time)  # the burst: at once
    with pytest.raises(DeadlineExceeded, match=r"before its turn in the rate limit \(100\.0 s"):
        steps(paced.flow(httpx.Request("POST", URL)), [OK], time)  # 1 / 0.01 s away
