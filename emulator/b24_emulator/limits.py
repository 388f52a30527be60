"""The two limits of a cloud portal (docs settings/performance/limits.md).

* Request rate: a leaky bucket per portal. Each request adds one; the level drains by
  `per_second` every second; a request that would lift it above `burst` is refused with
  503 QUERY_LIMIT_EXCEEDED. Cloud numbers: 50 and 2 per second (Enterprise: 250 and 5).
* Operating time: per method and per webhook or application, the seconds spent in the last
  10 minutes, kept in one-minute buckets. A call is refused with 429 OPERATION_TIME_LIMIT while
  the sum exceeds the limit; `operating_reset_at` is when the oldest bucket leaves the window.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]

OPERATING_WINDOW = 600.0
OPERATING_BUCKET = 60.0


@dataclass(frozen=True)
class RateLimit:
    """The leaky bucket's numbers: a request is refused when it would lift the level above
    `burst`, and the level drains by `per_second` (cloud: 50 and 2; Enterprise: 250 and 5)."""

    burst: int = 50
    per_second: float = 2.0

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        """`BURST/PER_SECOND`, e.g. `50/2`."""
        burst, _, per_second = text.partition("/")
        limit = cls(int(burst), float(per_second))
        if limit.burst < 1 or limit.per_second <= 0:
            raise ValueError("burst must be >= 1 and the drain rate > 0")
        return limit


CLOUD_RATE_LIMIT = RateLimit(burst=50, per_second=2.0)  # non-Enterprise cloud plans


class LeakyBucket:
    """The request-rate limit of one portal, shared by every caller (see the module).

    `clock` is injectable (Settings.clock): a test that paces a client gives the client and
    the bucket the same fake clock, so that no verdict depends on the machine's speed.
    """

    def __init__(self, limit: RateLimit, clock: Clock = time.monotonic) -> None:
        self.limit = limit
        self._clock = clock
        self._level = 0.0
        self._at = clock()
        self._lock = threading.Lock()

    def admit(self) -> bool:
        """Count one request; False when it must be refused (503 QUERY_LIMIT_EXCEEDED). A
        refused request does not raise the level."""
        with self._lock:
            now = self._clock()
            drained = (now - self._at) * self.limit.per_second
            self._level = max(0.0, self._level - drained)
            self._at = now
            if self._level + 1 > self.limit.burst:
                return False
            self._level += 1
            return True


@dataclass
class _Bucket:
    minute: int
    first_call: float
    seconds: float


@dataclass(frozen=True)
class Operating:
    """What a call's `time` block reports: `operating`, the seconds spent in the window, and
    `operating_reset_at`, the Unix time the oldest minute of them leaves it."""

    seconds: float
    reset_at: int


class OperatingTime:
    """The operating-time limit (see the module): seconds spent per key, in the last 10 minutes.

    A key is whatever the caller accounts separately; the portal uses one per caller and method.
    """

    def __init__(self, limit_seconds: float, clock: Clock = time.time) -> None:
        self.limit_seconds = limit_seconds
        self._clock = clock
        self._buckets: dict[str, list[_Bucket]] = {}
        self._lock = threading.Lock()

    def blocked(self, key: str) -> bool:
        """Whether a call under `key` is refused now (429 OPERATION_TIME_LIMIT): the window holds
        more than the limit. The call that crosses the limit still runs; the next one is refused,
        as the docs describe."""
        with self._lock:
            return sum(b.seconds for b in self._live(key)) > self.limit_seconds

    def charge(self, key: str, seconds: float) -> Operating:
        """Add a call's `seconds` to `key`'s current minute; the totals for its `time` block."""
        with self._lock:
            now = self._clock()
            buckets = self._live(key)
            minute = int(now // OPERATING_BUCKET)
            if buckets and buckets[-1].minute == minute:
                buckets[-1].seconds += seconds
            else:
                buckets.append(_Bucket(minute, now, seconds))
            return Operating(
                seconds=sum(b.seconds for b in buckets),
                reset_at=int(buckets[0].first_call + OPERATING_WINDOW),
            )

    def _live(self, key: str) -> list[_Bucket]:
        horizon = self._clock() - OPERATING_WINDOW
        buckets = [b for b in self._buckets.get(key, []) if b.first_call > horizon]
        self._buckets[key] = buckets
        return buckets
