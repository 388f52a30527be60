"""A batch request is a call like any other: paced as one request of the rate limit, retried,
bounded by the deadline and the size cap, its answer checked against the contract, and no secret
in what it produces. Portal doubles (tests/portals.py) break the batch answer on purpose.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import pytest

from b24_badge_client import (
    AuthenticationError,
    Badge,
    BadgeClient,
    BitrixError,
    Call,
    DeadlineExceeded,
    NotFound,
    QueryLimitExceeded,
    RateLimit,
    ResponseTooLarge,
    RetryPolicy,
    UnexpectedResponse,
)
from b24_emulator import RateLimit as PortalRateLimit
from b24_emulator import RunningEmulator, Webhook, run_emulator
from tests.client import leaks
from tests.client.conftest import ADMIN, SECRETS, SETTINGS, TOKEN, FakeTime
from tests.client.test_tracebacks import rendered
from tests.portals import Answer, Counting, Exchange, Wrap, intercepting, json_answer, rewriting

NO_RETRY = RetryPolicy(max_retries=0, jitter=0.0)


def batch_answers(change: Callable[[dict[str, Any], Exchange], Any]) -> Wrap:
    """Pass each 200 answer of batch through `change` (which edits it in place)."""

    def after(exchange: Exchange) -> Answer | None:
        if exchange.method != "batch" or exchange.status != 200:
            return None
        answer = json.loads(exchange.body)
        change(answer, exchange)
        return json_answer(200, answer)

    return rewriting(after)


@contextmanager
def served(wrap: Wrap | None = None, **settings: Any) -> Iterator[RunningEmulator]:
    with run_emulator(replace(SETTINGS, **settings), wrap=wrap) as running:
        yield running


def webhook_client(running: RunningEmulator, **options: Any) -> BadgeClient:
    return BadgeClient.from_webhook(running.webhook_url(ADMIN), **{"rate_limit": None, **options})


# --- pacing, retries, deadline, size cap -------------------------------------------------------


def test_a_batch_request_is_one_turn_of_the_rate_limit() -> None:
    """150 calls are 3 requests, 3 turns of the rate limit, one after another (halt keeps them
    in order). The portal's bucket runs on the same fake clock, so the verdict is the pacing
    arithmetic, not the machine's speed."""
    time = FakeTime()
    strict: dict[str, Any] = {"rate_limit": PortalRateLimit(burst=2, per_second=1.0)}
    strict["clock"] = time.clock
    calls = [Call.get("missedCall")] * 150
    with served(**strict) as portal:
        paced = webhook_client(
            portal, rate_limit=RateLimit(burst=2, per_second=1.0), clock=time.as_clock()
        )
        with paced as client:
            found = client.batch(calls, halt=True)
        assert len(found) == 150
        assert all(isinstance(badge, Badge) for badge in found)
        # a burst of 2 less half a second of drain: the 2nd request waits 0.5 s, the 3rd 1 s
        assert time.sleeps == pytest.approx([0.5, 1.0])
    with (
        served(**strict) as portal,
        webhook_client(portal, retry=NO_RETRY) as client,
        pytest.raises(QueryLimitExceeded),  # unpaced, the third request meets the limit
    ):
        client.batch(calls)


def test_requests_in_flight_together_each_take_their_own_turn() -> None:
    """get_many's requests may be in flight together; each books its own turn in the one
    pacer. The test clock records the waits without moving, so every booking sees one time."""
    waits: list[float] = []
    still = FakeTime().as_clock(sleep=waits.append)
    counts: dict[str, int] = {}
    with (
        served(lambda app: Counting(app, counts)) as portal,
        webhook_client(portal, rate_limit=RateLimit(burst=2, per_second=1.0), clock=still) as c,
    ):
        found = c.get_many([f"x{i}" for i in range(150)])
    assert all(isinstance(error, NotFound) for error in found.values())
    assert counts == {"batch": 3}
    # booked at one moment: the 2nd goes 0.5 s later, the 3rd 1 s after the 2nd
    assert sorted(waits) == pytest.approx([0.5, 1.5])


def test_a_503_on_a_batch_request_is_retried() -> None:
    refused: list[str] = []
    busy = {"error": "QUERY_LIMIT_EXCEEDED", "error_description": "Too many requests"}

    def once(exchange: Exchange) -> Answer | None:
        if exchange.method == "batch" and not refused:
            refused.append(exchange.method)
            return json_answer(503, busy)
        return None

    time = FakeTime()
    with (
        served(intercepting(once)) as portal,
        webhook_client(portal, clock=time.as_clock(), retry=RetryPolicy(jitter=0.0)) as client,
    ):
        (badge,) = client.batch([Call.get("missedCall")])
    assert isinstance(badge, Badge)
    assert time.sleeps == [1.0]


def test_the_deadline_bounds_each_batch_request(emulator: RunningEmulator) -> None:
    """The second request's turn in the rate limit is 100 s away, past its 60 s deadline: it
    is not sent, and the calls of the first request have run."""
    time = FakeTime()
    slow = RateLimit(burst=1, per_second=0.01)
    calls = [Call.add(f"d{i}", "T", "V", "primary") for i in range(60)]
    with (
        webhook_client(emulator, rate_limit=slow, deadline=60.0, clock=time.as_clock()) as client,
        pytest.raises(DeadlineExceeded, match=r"batch: .*before its turn"),
    ):
        client.batch(calls)
    assert len(emulator.portal.store.list()) == 1 + 50
    assert time.sleeps == []


def test_the_size_cap_applies_to_a_batch_answer(emulator: RunningEmulator) -> None:
    calls = [Call.list()] * 50
    with webhook_client(emulator) as client:
        assert len(client.batch(calls)) == 50  # the answer is about 8 KB
    with (
        webhook_client(emulator, max_response_size=4096) as capped,
        pytest.raises(ResponseTooLarge),
    ):
        capped.batch(calls)


def test_a_refused_batch_request_raises_as_a_direct_call_would(
    emulator: RunningEmulator,
) -> None:
    wrong = Webhook(ADMIN.user_id, "not-the-code")
    with webhook_client(emulator) as right:
        with BadgeClient.from_webhook(emulator.webhook_url(wrong), rate_limit=None) as client:
            with pytest.raises(AuthenticationError) as direct:
                client.get("missedCall")
            with pytest.raises(AuthenticationError) as batched:
                client.get_many(["missedCall"])
        assert (batched.value.code, batched.value.status_code) == (
            direct.value.code,
            direct.value.status_code,
        )
        assert batched.value.command is None  # the request's error, not one call's
        assert right.get_many(["missedCall"])


# --- answers outside the contract --------------------------------------------------------------


def test_a_sub_error_with_an_empty_code_is_a_plain_bitrix_error() -> None:
    """As real portals send it: `{"error": "", "error_description": "Not found"}` (facts §8)."""

    def empty(answer: dict[str, Any], exchange: Exchange) -> None:
        for entry in answer["result"]["result_error"].values():
            entry["error"] = ""
            entry["error_description"] = "Not found"

    with served(batch_answers(empty)) as portal, webhook_client(portal) as client:
        badge, error = client.batch([Call.get("missedCall"), Call.get("nope")])
    assert isinstance(badge, Badge)
    assert type(error) is BitrixError
    assert (error.code, error.description) == ("", "Not found")
    assert error.entry == {"error": "", "error_description": "Not found"}
    assert "(empty code): Not found" in str(error)


def part(answer: dict[str, Any], name: str) -> dict[str, Any]:
    """A part of the batch answer as an object by command index (a list is made one: both
    shapes are the contract's), to edit in place."""
    entries = answer["result"][name]
    if isinstance(entries, list):
        entries = answer["result"][name] = {str(i): entry for i, entry in enumerate(entries)}
    assert isinstance(entries, dict)
    return entries


def test_a_call_with_both_a_result_and_an_error_failed() -> None:
    def both(answer: dict[str, Any], exchange: Exchange) -> None:
        badge = {"code": "nope", "title": "T", "value": "V", "type": "failure"}
        part(answer, "result")["1"] = {"badge": badge}

    with served(batch_answers(both)) as portal, webhook_client(portal) as client:
        badge, error = client.batch(GET_TWO)
    assert isinstance(badge, Badge)
    assert isinstance(error, NotFound)


def _drop_result(answer: dict[str, Any], _: Exchange) -> None:
    del part(answer, "result")["0"]


def _wrong_result(answer: dict[str, Any], _: Exchange) -> None:
    part(answer, "result")["0"] = {"badges": []}


def _not_an_envelope(answer: dict[str, Any], _: Exchange) -> None:
    part(answer, "result_error")["1"] = {"error": 5, "error_description": "Not found."}


def _no_description(answer: dict[str, Any], _: Exchange) -> None:
    part(answer, "result_error")["1"] = {"error": "NOT_FOUND"}


def _unsent_command(answer: dict[str, Any], _: Exchange) -> None:
    part(answer, "result")["7"] = True


def _not_a_part(answer: dict[str, Any], _: Exchange) -> None:
    answer["result"]["result_error"] = "none"


def _false_delete(answer: dict[str, Any], _: Exchange) -> None:
    answer["result"]["result"] = [False]


def _no_result(answer: dict[str, Any], _: Exchange) -> None:
    del answer["result"]["result"]


def _ran_past_halt(answer: dict[str, Any], _: Exchange) -> None:
    badge = {"code": "missedCall", "title": "T", "value": "V", "type": "failure"}
    answer["result"]["result"] = {"1": {"badge": badge}}


GET_TWO = [Call.get("missedCall"), Call.get("nope")]
BROKEN = {
    "a command with no entry": (_drop_result, GET_TWO, False, "command 0 .* neither"),
    "a result that is not the method's": (_wrong_result, GET_TWO, False, "result of command 0"),
    "an error that is not an envelope": (_not_an_envelope, GET_TWO, False, "not an error env"),
    "an error without a description": (_no_description, GET_TWO, False, "not an error env"),
    "an entry for a command not sent": (_unsent_command, GET_TWO, False, "command 7, of 2"),
    "a part that is neither object nor list": (_not_a_part, GET_TWO, False, "contract"),
    "a delete whose result is not true": (_false_delete, [Call.delete("missedCall")], False, "0"),
    "no result part": (_no_result, GET_TWO, False, "contract"),
    "entries past a halting error": (_ran_past_halt, GET_TWO[::-1], True, "halt was set"),
}


@pytest.mark.parametrize(("change", "calls", "halt", "reason"), BROKEN.values(), ids=BROKEN)
def test_a_batch_answer_outside_the_contract_is_unexpected(
    change: Callable[[dict[str, Any], Exchange], None],
    calls: list[Call[Any]],
    halt: bool,
    reason: str,
) -> None:
    sent: list[bytes] = []

    def keep(answer: dict[str, Any], exchange: Exchange) -> None:
        change(answer, exchange)
        sent.append(json.dumps(answer).encode())

    with (
        served(batch_answers(keep)) as portal,
        webhook_client(portal) as client,
        pytest.raises(UnexpectedResponse, match=reason) as caught,
    ):
        client.batch(calls, halt=halt)
    assert caught.value.status_code == 200
    assert caught.value.content == sent[0], "the raw answer is kept as it came"


# --- secrets -----------------------------------------------------------------------------------


def echoing(answer: dict[str, Any], exchange: Exchange) -> None:
    """Each sub-error quotes the whole request: the path (webhook code), the body (token)."""
    quoted = f"{exchange.path} {exchange.request.decode()}"
    for entry in part(answer, "result_error").values():
        entry["error_description"] += f" {quoted}"
        entry["echo"] = {"request": quoted}


def echoing_broken(answer: dict[str, Any], exchange: Exchange) -> None:
    echoing(answer, exchange)
    part(answer, "result")["0"] = {"badge": f"{exchange.path} {exchange.request.decode()}"}


Client = Callable[[RunningEmulator], BadgeClient]
CLIENTS: dict[str, Client] = {
    "webhook": webhook_client,
    "oauth": lambda running: BadgeClient.from_oauth(running.base_url, TOKEN.token, rate_limit=None),
}


@pytest.mark.parametrize("make_client", CLIENTS.values(), ids=CLIENTS)
def test_an_echoing_sub_error_shows_no_secret(
    make_client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with served(batch_answers(echoing)) as portal, make_client(portal) as client:
        badge, error = client.batch(GET_TWO)
        with pytest.raises(NotFound) as raised:
            client.get_many(["nope"], raise_errors=True)
    assert isinstance(badge, Badge)
    assert isinstance(error, NotFound)
    assert "***" in error.description, "the echo is masked, not dropped"
    assert "***" in json.dumps(error.entry)
    for item in (error, raised.value):
        assert isinstance(item, BitrixError)
        everything = [str(item), repr(item), json.dumps(item.entry), item.response.text]
        leaks.assert_no_secret("\n".join([*everything, str(item.command)]), SECRETS)
    leaks.assert_no_secret(rendered(raised.value), SECRETS)
    leaks.assert_no_secret(caplog.text, SECRETS)


@pytest.mark.parametrize("make_client", CLIENTS.values(), ids=CLIENTS)
def test_an_echoing_broken_answer_shows_no_secret(
    make_client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with (
        served(batch_answers(echoing_broken)) as portal,
        make_client(portal) as client,
        pytest.raises(UnexpectedResponse) as caught,
    ):
        client.batch(GET_TWO)
    assert b"***" in caught.value.content
    text = rendered(caught.value) + caught.value.response.text + caplog.text
    assert "client = BadgeClient(" in rendered(caught.value), "the locals were shown"
    leaks.assert_no_secret(text, SECRETS)


# --- counting at the portal, sync client -------------------------------------------------------


def test_each_helper_sends_one_request_per_50_codes() -> None:
    counts: dict[str, int] = {}
    with served(lambda app: Counting(app, counts)) as portal, webhook_client(portal) as client:
        client.get_many([f"x{i}" for i in range(101)])
        assert counts == {"batch": 3}
        client.delete_many([f"x{i}" for i in range(50)])
        assert counts == {"batch": 4}
