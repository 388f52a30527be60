"""Client-side pacing to the portal's leaky bucket (docs settings/performance/limits.md).

A portal counts requests in a bucket that drains at a fixed rate and refuses the request that
would overflow it with 503 QUERY_LIMIT_EXCEEDED. The client keeps its own copy of that bucket and
waits before a request that would overflow it, so that a steady client never meets the limit.
The portal counts per portal and source IP, so clients of one application that share a portal
should share one `Pacer` too (pass it as `rate_limit`); other applications on the same portal
and IP are why the transport retries QUERY_LIMIT_EXCEEDED as well.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RateLimit:
    """A portal's leaky bucket: `burst` requests at once, then `per_second` as it drains.

    The defaults are the cloud's non-Enterprise plans (`CLOUD`); `ENTERPRISE` is 250 then 5/s.
    On-premise portals are configured by their administrators.
    """

    burst: int = 50
    per_second: float = 2.0

    def __post_init__(self) -> None:
        if self.burst < 1 or self.per_second <= 0:
            raise ValueError("burst must be >= 1 and per_second > 0")


CLOUD = RateLimit(burst=50, per_second=2.0)
"""The cloud's non-Enterprise plans: 50 requests at once, then 2 per second (the default)."""

ENTERPRISE = RateLimit(burst=250, per_second=5.0)
"""The cloud's Enterprise plans: 250 requests at once, then 5 per second."""


# The portal's clock decides, and requests reach it after a variable delay: a request the client
# thinks is just in time may arrive a little early. The pacer leaves this much of the drain unused
# in the bucket (1 request at 2/s, 2.5 at 5/s), so that a request up to that early still fits, and
# otherwise paces at the full drain rate: a margin in time costs a fraction of a second once,
# where pacing below the rate would cost a share of every bulk job's throughput.
HEADROOM_SECONDS = 0.5


class Pacer:
    """One leaky bucket's schedule, shared by everything that sends to one portal: the burst at
    once (less HEADROOM_SECONDS of drain kept free), then one request per 1/per_second.

    Give the same Pacer to several clients or transports (`rate_limit=pacer`) when they call the
    same portal from one machine: the portal counts them together. Thread-safe.
    """

    def __init__(self, limit: RateLimit, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self._rate = limit.per_second
        # what the client lets the bucket fill to; a burst of 1 leaves no room for a margin
        self._burst = limit.burst - min(HEADROOM_SECONDS * limit.per_second, limit.burst - 1)
        self._clock = clock
        self._level = 0.0  # requests in the bucket at time `_at`
        self._at = clock()
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Book the next send and say how many seconds to wait before it (0 within the burst).

        The booking is made at once, so concurrent callers each get their own later slot.
        """
        with self._lock:
            now = self._clock()
            level = self._level - (now - self._at) * self._rate  # drained since the last send
            if level < 0.0:
                level = 0.0
            wait = (level + 1 - self._burst) / self._rate
            if wait <= 0.0:  # room in the bucket: send now
                self._level, self._at = level + 1, now
                return 0.0
            self._level, self._at = level - wait * self._rate + 1, now + wait
            return wait
