"""Pacing, retries, the 429 wait and token refresh, against the emulator on a test-driven clock.

Requests cross real HTTP; only the waiting is simulated: the transport's clock and sleep are a
FakeTime, so a test can assert how long the client would have waited without waiting.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import httpx
import pytest

from b24_badge_client import (
    AsyncBadgeClient,
    BadgeClient,
    BitrixTransport,
    ExpiredToken,
    OAuth,
    Pacer,
    QueryLimitExceeded,
    RateLimit,
    RetryPolicy,
)
from b24_emulator import OAuthToken, RunningEmulator, run_emulator
from b24_emulator import RateLimit as PortalRateLimit
from tests.client.conftest import EXPIRED, SETTINGS, TOKEN, FakeTime

NO_JITTER = RetryPolicy(jitter=0.0)


def timed_client(
    url: str,
    time: FakeTime,
    *,
    rate_limit: RateLimit | None = None,
    retry: RetryPolicy = NO_JITTER,
) -> BadgeClient:
    return BadgeClient.from_webhook(url, clock=time.as_clock(), rate_limit=rate_limit, retry=retry)


def test_the_pacer_follows_the_leaky_bucket() -> None:
    """The burst less half a second of drain (1 request at 2/s), then the full drain rate."""
    time = FakeTime()
    pacer = Pacer(RateLimit(burst=3, per_second=2.0), time.clock)
    assert [pacer.reserve() for _ in range(5)] == pytest.approx([0, 0, 0.5, 1.0, 1.5])
    time.now += 10  # the bucket drains completely
    assert [pacer.reserve() for _ in range(4)] == pytest.approx([0, 0, 0.5, 1.0])


def test_the_cloud_default_paces_after_forty_nine() -> None:
    pacer = Pacer(RateLimit(), FakeTime().clock)
    waits = [pacer.reserve() for _ in range(53)]
    assert waits[:49] == [0] * 49
    assert waits[49:] == pytest.approx([0.5, 1.0, 1.5, 2.0])  # 2 per second, not fewer


def test_the_headroom_is_half_a_second_of_drain_within_the_burst() -> None:
    enterprise = Pacer(RateLimit(burst=250, per_second=5.0), FakeTime().clock)
    waits = [enterprise.reserve() for _ in range(249)]
    assert waits[:247] == [0] * 247  # 2.5 requests of 250 kept free
    assert waits[247:] == pytest.approx([0.1, 0.3])
    single = Pacer(RateLimit(burst=1, per_second=2.0), FakeTime().clock)
    assert [single.reserve() for _ in range(3)] == pytest.approx([0, 0.5, 1.0])


def test_calls_beyond_the_burst_wait_their_turn(emulator: RunningEmulator) -> None:
    time = FakeTime()
    rate = RateLimit(burst=2, per_second=4.0)
    with timed_client(emulator.webhook_url(), time, rate_limit=rate) as client:
        for _ in range(5):
            client.list()
    assert time.sleeps == pytest.approx([0.25] * 4)  # 1 of the burst of 2 kept free


def test_a_paced_client_never_meets_the_portals_limit() -> None:
    """Against a strict portal: the client's pacing keeps every call a 200.

    The portal's bucket and the client's pacer run on one fake clock that only the client's
    waits move, so the verdict is the pacing arithmetic, not the machine's speed.
    """
    time = FakeTime()
    limit = PortalRateLimit(burst=3, per_second=20.0)
    strict = replace(SETTINGS, rate_limit=limit, clock=time.clock)
    with (
        run_emulator(strict) as portal,
        timed_client(
            portal.webhook_url(),
            time,
            rate_limit=RateLimit(burst=3, per_second=20.0),
            retry=RetryPolicy(0, jitter=0.0),
        ) as client,
    ):
        for _ in range(12):
            client.list()
    # half a second at 20/s is more than the burst: the headroom takes all of it but one
    assert len(time.sleeps) == 11, "every call beyond the first waited its turn"


def test_503_is_retried_with_exponential_backoff_until_the_limit() -> None:
    strict = replace(SETTINGS, rate_limit=PortalRateLimit(burst=1, per_second=0.001))
    time = FakeTime()
    retry = RetryPolicy(max_retries=4, backoff=1.0, jitter=0.0)
    with (
        run_emulator(strict) as portal,
        timed_client(portal.webhook_url(), time, retry=retry) as client,
    ):
        client.list()
        with pytest.raises(QueryLimitExceeded):
            client.list()
    assert time.sleeps == [1.0, 2.0, 4.0, 8.0]


def test_backoff_has_jitter_and_a_ceiling() -> None:
    policy = RetryPolicy(backoff=1.0, max_backoff=30.0, jitter=0.25)
    assert policy.backoff_delay(0, 0.0) == 0.75
    assert policy.backoff_delay(0, 1.0) == 1.25
    assert policy.backoff_delay(10, 0.5) == 30.0


def test_a_503_retry_succeeds_once_the_portal_recovers() -> None:
    strict = replace(SETTINGS, rate_limit=PortalRateLimit(burst=1, per_second=0.001))
    with run_emulator(strict) as portal:
        time = FakeTime()

        def sleep_and_recover(seconds: float) -> None:
            time.sleep(seconds)
            portal.reset()  # the bucket drained while we waited

        with BadgeClient.from_webhook(
            portal.webhook_url(),
            rate_limit=None,
            retry=NO_JITTER,
            clock=time.as_clock(sleep=sleep_and_recover),
        ) as client:
            client.list()
            assert client.get("missedCall").code == "missedCall"
    assert time.sleeps == [1.0]


def test_429_waits_for_operating_reset_at() -> None:
    heavy = replace(SETTINGS, operating_limit=1.0, operating_cost=0.6)
    with run_emulator(heavy) as portal:
        time = FakeTime()
        reset_at: list[float] = []

        def sleep_until_reset(seconds: float) -> None:
            time.sleep(seconds)
            portal.reset()  # the operating window moved on

        clock = time.as_clock(
            wall=lambda: reset_at[0] - 120,  # two minutes before the reset
            sleep=sleep_until_reset,
        )
        with BadgeClient.from_webhook(
            portal.webhook_url(), rate_limit=None, clock=clock, deadline=300.0
        ) as client:
            client.list()
            answer = client.generated.get_httpx_client().post("crm.activity.badge.list")
            reset_at.append(answer.json()["time"]["operating_reset_at"])
            assert [badge.code for badge in client.list()] == ["missedCall"]  # after one 429
    assert time.sleeps == [121.0]


def test_429_without_a_known_reset_waits_the_fallback() -> None:
    heavy = replace(SETTINGS, operating_limit=0.5, operating_cost=1.0)
    with run_emulator(heavy) as portal:
        time = FakeTime()
        retry = RetryPolicy(max_retries=2, operation_wait=10.0)
        with timed_client(portal.webhook_url(), time, retry=retry) as client:
            portal.portal.operating.charge("webhook#0/crm.activity.badge.get", 5.0)
            with pytest.raises(Exception, match="OPERATION_TIME_LIMIT"):
                client.get("missedCall")
    assert time.sleeps == [10.0, 10.0]


def test_an_expired_token_is_refreshed_once_and_the_call_retried(emulator: RunningEmulator) -> None:
    calls: list[str] = []

    def refresh() -> str:
        calls.append("refresh")
        return TOKEN.token

    with BadgeClient.from_oauth(
        emulator.base_url, EXPIRED.token, refresh=refresh, rate_limit=None
    ) as client:
        assert client.get("missedCall").code == "missedCall"
        assert client.list()[0].code == "missedCall"
    assert calls == ["refresh"], "one refresh; the new token is used from then on"


def test_a_refresh_that_yields_an_expired_token_is_not_looped(emulator: RunningEmulator) -> None:
    calls: list[str] = []

    def refresh() -> str:
        calls.append("refresh")
        return EXPIRED.token

    with (
        BadgeClient.from_oauth(
            emulator.base_url, EXPIRED.token, refresh=refresh, rate_limit=None
        ) as client,
        pytest.raises(ExpiredToken),
    ):
        client.get("missedCall")
    assert calls == ["refresh"]


def test_the_async_client_paces_and_refreshes(emulator: RunningEmulator) -> None:
    time = FakeTime()
    refreshed: list[str] = []

    async def refresh() -> str:
        refreshed.append("refresh")
        return TOKEN.token

    async def scenario() -> None:
        async with AsyncBadgeClient.from_oauth(
            emulator.base_url,
            EXPIRED.token,
            refresh=refresh,
            rate_limit=RateLimit(burst=1, per_second=2.0),
            clock=time.as_clock(),
        ) as client:
            for _ in range(3):
                await client.list()

    asyncio.run(scenario())
    assert refreshed == ["refresh"]
    # the refreshed retry is a request too: 4 requests at 2/s after a burst of 1
    assert time.sleeps == pytest.approx([0.5] * 3)


def test_a_token_given_at_start_is_not_refreshed(emulator: RunningEmulator) -> None:
    never = OAuthToken("unused", 1)
    with BadgeClient.from_oauth(
        emulator.base_url, TOKEN.token, refresh=lambda: never.token, rate_limit=None
    ) as client:
        client.list()


def test_concurrent_expiries_refresh_the_token_once(emulator: RunningEmulator) -> None:
    """Bitrix replaces the refresh token on each use: N requests meeting one expiry refresh once."""
    calls: list[str] = []

    def refresh() -> str:
        calls.append("refresh")
        time.sleep(0.05)  # a real refresh takes a round trip; let the others pile up
        return TOKEN.token

    with (
        BadgeClient.from_oauth(
            emulator.base_url, EXPIRED.token, refresh=refresh, rate_limit=None
        ) as client,
        ThreadPoolExecutor(6) as pool,
    ):
        codes = list(pool.map(lambda _: client.get("missedCall").code, range(6)))
    assert codes == ["missedCall"] * 6
    assert calls == ["refresh"]


@pytest.mark.parametrize(
    ("method", "kwargs"),
    [
        ("GET", {"params": {"code": "missedCall"}}),
        ("POST", {"data": {"code": "missedCall"}}),
        ("POST", {"json": {"code": "missedCall"}}),
        ("POST", {"files": {"code": (None, "missedCall")}}),
    ],
    ids=["get-query", "form-body", "json-body", "multipart"],
)
def test_the_oauth_token_reaches_the_portal_in_every_encoding(
    emulator: RunningEmulator, method: str, kwargs: dict[str, Any]
) -> None:
    transport = BitrixTransport(OAuth(emulator.base_url, TOKEN.token), rate_limit=None)
    with httpx.Client(transport=transport, base_url=emulator.oauth_url) as http:
        answer = http.request(method, "crm.activity.badge.get", **kwargs)
    assert answer.status_code == 200, answer.text
    assert TOKEN.token not in str(answer.request.url)
    assert TOKEN.token.encode() not in answer.request.content


@pytest.mark.parametrize(
    "content", [b"[1, 2]", b'"code"', b"{not json"], ids=["list", "string", "bad"]
)
def test_the_oauth_token_reaches_the_portal_with_a_body_that_is_no_json_object(
    emulator: RunningEmulator, content: bytes
) -> None:
    """Invalid data (a conformance run sends it on purpose) still carries the token: in the
    query string, where portals read `auth` too; the portal then judges the data, not the
    credentials."""
    transport = BitrixTransport(OAuth(emulator.base_url, TOKEN.token), rate_limit=None)
    with httpx.Client(transport=transport, base_url=emulator.oauth_url) as http:
        answer = http.post(
            "crm.activity.badge.get", content=content, headers={"content-type": "application/json"}
        )
    assert answer.status_code == 400, answer.text
    assert TOKEN.token not in str(answer.request.url)
