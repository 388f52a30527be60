"""Where the client reads the time and how it waits: one object, so tests can replace both.

Pacing, retries, 429 waits and the per-call deadline all read this clock and wait through it;
a test gives the client a `Clock` whose `sleep` only moves a fake time forward, and checks how
long the client would have waited without waiting (tests/client/conftest.py `FakeTime`).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import anyio  # httpx's own dependency: the async client runs on asyncio and trio alike


@dataclass(frozen=True)
class Clock:
    """The client's sense of time; the defaults are the real one.

    `monotonic` measures waits and deadlines; `wall` is compared with the portal's Unix
    timestamps (`operating_reset_at`); `sleep` waits in the sync client, `async_sleep` in the
    async one.
    """

    monotonic: Callable[[], float] = time.monotonic
    wall: Callable[[], float] = time.time
    sleep: Callable[[float], object] = time.sleep
    async_sleep: Callable[[float], Awaitable[object]] = anyio.sleep


REAL_TIME = Clock()
