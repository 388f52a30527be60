"""Client-side pacing to the portal's leaky bucket (docs settings/performance/limits.md).

A portal counts requests in a bucket that drains at a fixed rate and refuses the request that
would overflow it with 503 QUERY_LIMIT_EXCEEDED. The client keeps its own copy of that bucket and
waits before a request that would overflow it, so that a steady client never meets the limit
(other clients on the same portal and IP share it, hence the retries in transport.py as well).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RateLimit:
    """Burst size and drain rate; the defaults are the cloud's non-Enterprise plans."""

    burst: int = 50
    per_second: float = 2.0

    def __post_init__(self) -> None:
        if self.burst < 1 or self.per_second <= 0:
            raise ValueError("burst must be >= 1 and per_second > 0")


CLOUD = RateLimit(burst=50, per_second=2.0)
ENTERPRISE = RateLimit(burst=250, per_second=5.0)


# The portal's clock decides, and requests reach it after a variable delay: pace a little below
# the drain rate, so that a request the client thinks is just in time is never just too early.
PACE_FACTOR = 0.9


class Pacer:
    """Hands out send times: `reserve()` says how long to wait before the next request."""

    def __init__(self, limit: RateLimit, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self._rate = limit.per_second * PACE_FACTOR
        self._clock = clock
        self._level = 0.0  # requests in the bucket at time `_at`
        self._at = clock()
        self._lock = threading.Lock()

    def reserve(self) -> float:
        with self._lock:
            now = self._clock()
            level = max(0.0, self._level - (now - self._at) * self._rate)
            wait = max(0.0, (level + 1 - self.limit.burst) / self._rate)
            self._level = level - wait * self._rate + 1
            self._at = now + wait
            return wait
