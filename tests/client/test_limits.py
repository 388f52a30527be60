"""The client's own limits: a size cap on answers (after decompression) and a deadline per call.

Portals that misbehave are served over real HTTP (`b24_emulator.serve_app`): a gzip bomb, a
body that never ends, a body that trickles forever, a portal that only ever says "later". Time is
a test-driven clock wherever the verdict depends on it, so a loaded machine changes nothing.
"""

from __future__ import annotations

import asyncio
import struct
import tracemalloc
import zlib
from functools import cache
from typing import Any

import httpx
import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from b24_badge_client import (
    AsyncBadgeClient,
    BadgeClient,
    DeadlineExceeded,
    NotFound,
    OperationTimeLimit,
    ResponseTooLarge,
    RetryPolicy,
)
from tests.client import leaks
from tests.client.conftest import ADMIN, FakeTime
from tests.client.doubles import answering, endless, portal, streaming, ticking, trickle
from tests.portals import Slow

MiB = 2**20
DEFAULT_CAP = 10 * MiB
JSON = {"content-type": "application/json"}


@cache
def gzip_bomb(decompressed: int = 2**30, step: int = MiB) -> bytes:
    """About 1 MB of gzip that decompresses to `decompressed` zero bytes (a valid stream).

    After a full flush the compressor starts afresh, so every further step of zeros compresses
    to the same bytes: the bomb is built without compressing a GiB.
    """
    zeros = bytes(step)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    first = deflate.compress(zeros) + deflate.flush(zlib.Z_FULL_FLUSH)
    repeated = deflate.compress(zeros) + deflate.flush(zlib.Z_FULL_FLUSH)
    end = deflate.flush()
    crc = 0
    for _ in range(decompressed // step):
        crc = zlib.crc32(zeros, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = struct.pack("<II", crc, decompressed % 2**32)
    return header + first + repeated * (decompressed // step - 1) + end + trailer


def call(url: str, asynchronous: bool, **options: Any) -> None:
    """client.get through the sync or the async client."""
    if not asynchronous:
        with BadgeClient.from_webhook(url, rate_limit=None, **options) as client:
            client.get("missedCall")
        return

    async def scenario() -> None:
        async with AsyncBadgeClient.from_webhook(url, rate_limit=None, **options) as client:
            await client.get("missedCall")

    asyncio.run(scenario())


BOTH = pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])


@BOTH
def test_a_gzip_bomb_ends_at_the_size_cap_in_bounded_memory(asynchronous: bool) -> None:
    bomb = gzip_bomb()
    assert len(bomb) < 1.1 * MiB
    headers = {**JSON, "content-encoding": "gzip"}
    with portal(answering(200, headers, bomb)) as url:
        tracemalloc.start()
        try:
            start, _ = tracemalloc.get_traced_memory()
            with pytest.raises(ResponseTooLarge) as caught:
                call(url, asynchronous)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak - start < 100 * MiB, f"{(peak - start) / MiB:.0f} MiB used reading the bomb"
    error = caught.value
    assert (error.limit, error.status_code) == (DEFAULT_CAP, 200)
    assert error.response.content == bytes(DEFAULT_CAP), "the first limit bytes, decoded"
    assert "max_response_size" in str(error)
    assert "crm.activity.badge.get" in str(error)


@BOTH
def test_an_endless_body_ends_at_a_configured_cap(asynchronous: bool) -> None:
    with portal(streaming(endless)) as url, pytest.raises(ResponseTooLarge) as caught:
        call(url, asynchronous, max_response_size=MiB)
    assert caught.value.limit == MiB
    assert len(caught.value.response.content) == MiB


def test_an_answer_within_the_cap_is_read_whole() -> None:
    body = b'{"error": "NOT_FOUND", "error_description": "' + b"x" * MiB + b'"}'
    compressed = {**JSON, "content-encoding": "gzip"}
    with (
        portal(answering(400, compressed, zlib.compress(body, wbits=31))) as url,
        pytest.raises(NotFound) as caught,
    ):
        call(url, False, max_response_size=2 * MiB)
    assert caught.value.response.content == body


@BOTH
def test_a_trickling_body_ends_at_the_deadline(asynchronous: bool) -> None:
    with portal(streaming(trickle)) as url, pytest.raises(DeadlineExceeded) as caught:
        call(url, asynchronous, deadline=30.0, clock=ticking())
    error = caught.value
    assert error.deadline == 30.0
    assert isinstance(error, httpx.TimeoutException), "a timeout, for code that handles httpx's"
    assert "crm.activity.badge.get: the call passed its deadline of 30 s reading" in str(error)


def test_a_silent_portal_ends_at_the_deadline_not_the_timeout() -> None:
    """The deadline cuts each network wait: a portal that takes 1 s, a deadline of 0.2 s and a
    timeout of 30 s end in DeadlineExceeded (the portal cannot answer sooner than 1 s)."""
    with (
        portal(Slow(answering(200, JSON, b"{}"), 1.0)) as url,
        pytest.raises(DeadlineExceeded, match="waiting for the portal"),
    ):
        call(url, False, deadline=0.2, timeout=30.0)


def busy_portal(time: FakeTime, answers: list[tuple[int, str]], takes: float) -> ASGIApp:
    """Answers each call with the next (status, code) of `answers`, each after `takes` seconds
    of the test's clock."""
    left = iter(answers)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        status, code = next(left)
        time.now += takes
        body = f'{{"error": "{code}", "error_description": "later"}}'.encode()
        await answering(status, JSON, body)(scope, receive, send)

    return app


QLE, OTL = (503, "QUERY_LIMIT_EXCEEDED"), (429, "OPERATION_TIME_LIMIT")


def test_the_deadline_holds_across_503_retries_and_429_waits() -> None:
    """Each answer takes 5 s; retries wait 4, 10, 16 s: the 4th answer comes at 50 s, the
    deadline, and a 5th try is not started. The portal's own answer is the result."""
    time = FakeTime(now=0.0)
    retry = RetryPolicy(max_retries=100, backoff=4.0, jitter=0.0, operation_wait=10.0)
    with (
        portal(busy_portal(time, [QLE, OTL, QLE, OTL, QLE], takes=5.0)) as url,
        pytest.raises(OperationTimeLimit),
    ):
        call(url, False, deadline=50.0, retry=retry, clock=time.as_clock())
    assert time.sleeps == [4.0, 10.0, 16.0]
    assert time.now == 50.0


def test_a_429_wait_beyond_the_deadline_is_not_started() -> None:
    """A 429 with no known reset waits `operation_wait`, 600 s here: beyond a 120 s deadline,
    so the call ends at once instead of after ten minutes (or fifty, over five retries)."""
    time = FakeTime(now=0.0)
    retry = RetryPolicy(operation_wait=600.0)
    with (
        portal(busy_portal(time, [OTL], takes=0.0)) as url,
        pytest.raises(OperationTimeLimit),
    ):
        call(url, False, retry=retry, clock=time.as_clock())
    assert time.sleeps == []


def test_a_retry_with_no_time_left_is_a_deadline_error() -> None:
    """The answer took the whole deadline: there is no time left to try again."""
    time = FakeTime(now=0.0)
    retry = RetryPolicy(backoff=0.0, jitter=0.0)
    with (
        portal(busy_portal(time, [QLE, QLE], takes=10.0)) as url,
        pytest.raises(DeadlineExceeded, match="before it could send"),
    ):
        call(url, False, deadline=10.0, retry=retry, clock=time.as_clock())


def test_an_answer_after_the_deadline_is_not_returned() -> None:
    time = FakeTime(now=0.0)
    with (
        portal(busy_portal(time, [(200, "")], takes=121.0)) as url,
        pytest.raises(DeadlineExceeded, match="reading the answer"),
    ):
        call(url, False, clock=time.as_clock())  # the default deadline: 120 s


def test_no_deadline_when_turned_off() -> None:
    time = FakeTime(now=0.0)
    retry = RetryPolicy(max_retries=3, operation_wait=500.0)
    with (
        portal(busy_portal(time, [OTL, OTL, OTL, OTL], takes=0.0)) as url,
        pytest.raises(OperationTimeLimit),
    ):
        call(url, False, deadline=None, retry=retry, clock=time.as_clock())
    assert time.sleeps == [500.0] * 3


def test_a_too_large_answer_keeps_its_start_masked() -> None:
    """The part of the answer the error keeps is masked like any kept answer."""
    echo = f"/rest/{ADMIN.user_id}/{ADMIN.code}/crm.activity.badge.get ".encode()
    with (
        portal(answering(200, {**JSON, "x-echo": echo.decode().strip()}, echo * 100_000)) as url,
        pytest.raises(ResponseTooLarge) as caught,
    ):
        call(url, False, max_response_size=MiB)
    error = caught.value
    assert len(error.response.content) <= MiB
    assert b"/rest/1/***/crm.activity.badge.get" in error.response.content
    kept = f"{error}\n{error!r}\n{error.response.headers}\n{error.response.text}"
    leaks.assert_no_secret(kept, [ADMIN.code])
