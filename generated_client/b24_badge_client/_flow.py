"""What the client does around one request, written once for the sync and the async transport.

`Policy.flow(request)` is a generator in the manner of httpx's auth flows: it yields what to do
next (send the request, wait, refresh the token) and receives the outcome, until it returns the
final answer or raises. The transports (_transport.py) are thin drivers that do each step with
blocking or async I/O. Around every request the flow

* waits for its turn in the portal's leaky bucket (_pacing.py);
* sends the request (the driver adds the credentials only on the way out, _credentials.py);
* on 401 expired_token has the OAuth credentials refresh the token, once, and sends again;
* retries 503 QUERY_LIMIT_EXCEEDED with exponential backoff and jitter, up to a limit;
* on 429 OPERATION_TIME_LIMIT waits for the method's `operating_reset_at` (remembered from its
  last success; the portal sends no Retry-After), then retries, up to a limit;
* keeps the whole call within its deadline: no wait that would pass it, each network wait cut
  to the time left, and an answer that takes longer ends with DeadlineExceeded. When a retry
  wait would pass the deadline the portal's own answer (503, 429) is the result, since it says
  more than a timeout would.
"""

from __future__ import annotations

import json
import logging
import math
import random
import re
from collections.abc import Generator
from dataclasses import dataclass
from typing import NamedTuple

import httpx

from b24_badge_client._body import BodyReader, too_large
from b24_badge_client._clock import REAL_TIME, Clock
from b24_badge_client._credentials import Credentials, method_name
from b24_badge_client._errors import B24Error, DeadlineExceeded
from b24_badge_client._pacing import CLOUD, Pacer, RateLimit

logger = logging.getLogger("b24_badge_client")

_RESET_AT = re.compile(rb'"operating_reset_at"\s*:\s*(\d+(?:\.\d+)?)')

DEFAULT_DEADLINE = 120.0
DEFAULT_MAX_RESPONSE_SIZE = 10 * 2**20


@dataclass(frozen=True)
class RetryPolicy:
    """How patient the client is with a busy portal.

    503 QUERY_LIMIT_EXCEEDED is retried after `backoff` seconds, doubling up to `max_backoff`,
    each scaled by a random factor in 1 ± `jitter` (so that clients that met the limit together
    do not return together); 429 OPERATION_TIME_LIMIT waits until the method's last known
    `operating_reset_at`, or `operation_wait` seconds when unknown, at most `max_operation_wait`.
    `max_retries` counts both kinds, per call; the call's deadline bounds them all.
    """

    max_retries: int = 5
    backoff: float = 1.0
    max_backoff: float = 30.0
    jitter: float = 0.25
    operation_wait: float = 10.0
    max_operation_wait: float = 600.0  # the operating window is 10 minutes

    def backoff_delay(self, retry: int, rand: float) -> float:
        """Seconds before retry number `retry` (from 0) of a 503, for a random `rand` in [0, 1)."""
        base = min(self.max_backoff, self.backoff * 2**retry)
        return float(base * (1 + self.jitter * (2 * rand - 1)))


DEFAULT_RETRY = RetryPolicy()


class Send(NamedTuple):
    """Send `request` (masked; the driver adds the credentials) and read the answer, by the
    monotonic time `until` (None: no deadline)."""

    request: httpx.Request
    until: float | None


class Wait(NamedTuple):
    """Sleep for `seconds`."""

    seconds: float


class Refresh(NamedTuple):
    """Have the credentials replace the token of `generation`, unless that already happened."""

    generation: int


Answer = tuple[httpx.Response, bytes]
"""What a driver hands back for Send: the answer and its body, read within the limits."""

Step = Send | Wait | Refresh
Flow = Generator[Step, Answer | Exception | None, httpx.Response]


_KEEP_WHOLE = 2**16  # successes up to this size are kept as they are until a 429 needs them
_KNOWN_PATHS = 64  # method names remembered by URL path (a client calls a handful of paths)


class Policy:
    """The state one transport keeps across calls (the pacer, each method's reset time), and
    the flow of each call."""

    def __init__(
        self,
        credentials: Credentials,
        *,
        rate_limit: RateLimit | Pacer | None = CLOUD,
        retry: RetryPolicy = DEFAULT_RETRY,
        deadline: float | None = DEFAULT_DEADLINE,
        max_response_size: int | None = DEFAULT_MAX_RESPONSE_SIZE,
        clock: Clock = REAL_TIME,
    ) -> None:
        self.credentials = credentials
        self.clock = clock
        self.retry = retry
        self.deadline = deadline
        self.max_response_size = max_response_size
        if isinstance(rate_limit, RateLimit):
            rate_limit = Pacer(rate_limit, clock.monotonic)
        self._pacer = rate_limit
        # Each method's last success, whose `operating_reset_at` a 429 will need: kept as is
        # and read only then (a 429 is rare; a success is every call); big ones are cut down.
        self._last_success: dict[str, bytes] = {}
        self._methods: dict[bytes, str] = {}

    def flow(self, request: httpx.Request) -> Flow:
        """The steps of one call; returns the final answer (which may be an error answer)."""
        now = self.clock.monotonic
        until = None if self.deadline is None else now() + self.deadline
        timeouts = request.extensions.get("timeout")
        waits = timeouts.values() if isinstance(timeouts, dict) else ()
        longest = math.inf if None in waits else max(waits, default=0.0)  # the longest wait
        retries, refreshed = 0, False
        while True:
            if self._pacer is not None and (wait := self._pacer.reserve()):
                if until is not None and now() + wait > until:
                    away = f"before its turn in the rate limit ({wait:.1f} s away)"
                    raise self.late(request, away)
                yield Wait(wait)
            cut = _NO_CUT
            if until is not None:
                if (left := until - now()) <= 0:
                    raise self.late(request, "before it could send")
                if left < longest:  # else every network wait ends before the deadline anyway
                    cut = _cut_timeouts(request, timeouts, left)
            generation = self.credentials._generation
            reply = yield Send(request, until)
            if not isinstance(reply, tuple):
                if isinstance(reply, httpx.TimeoutException) and _TIMEOUTS.get(type(reply)) in cut:
                    raise self.late(request, "waiting for the portal")
                assert reply is not None
                raise reply
            response, content = reply
            reply = None  # the body may echo a secret: no frame keeps it past this point
            if response.status_code == 200:
                if len(content) > _KEEP_WHOLE:  # keep only the part a 429 will need
                    content = match[0] if (match := _RESET_AT.search(content)) else b""
                self._last_success[self._method(request)] = content
                return response
            code = _error_code(content)
            del content
            method = self._method(request)
            if code == "EXPIRED_TOKEN" and not refreshed and self.credentials._can_refresh():
                yield Refresh(generation)
                logger.info("%s: the access token expired; refreshed it", method)
                refreshed = True
                continue
            delay = self._retry_delay(method, response.status_code, code, retries)
            if delay is None:
                return response
            if until is not None and now() + delay > until:
                logger.warning(
                    "%s: %d %s; a retry in %.1f s would pass the deadline of %g s",
                    *(method, response.status_code, code, delay, self.deadline),
                )
                return response
            logger.warning(
                "%s: %d %s; retry %d/%d in %.1f s",
                *(method, response.status_code, code, retries + 1, self.retry.max_retries, delay),
            )
            yield Wait(delay)
            retries += 1

    def _reset_at(self, method: str) -> float | None:
        """When the method's operating-time window frees up, per its last success."""
        match = _RESET_AT.search(self._last_success.get(method, b""))
        return None if match is None else float(match[1])

    def _method(self, request: httpx.Request) -> str:
        path = request.url.raw_path
        method = self._methods.get(path)
        if method is None:
            method = method_name(request.url.path)
            if len(self._methods) < _KNOWN_PATHS:
                self._methods[path] = method
        return method

    def reader(self, response: httpx.Response, step: Send) -> BodyReader:
        """A reader for the body of `response`, within the call's limits."""
        return BodyReader(
            response,
            step.request,
            until=step.until,
            late=self.late,
            limit=self.max_response_size,
            clock=self.clock.monotonic,
            secrets=self.credentials._secrets,
        )

    def in_memory(self, response: httpx.Response, step: Send) -> Answer:
        """An answer an inner transport already read (decoded) into memory: only the size cap
        applies."""
        content = response.content
        limit = self.max_response_size
        if limit is not None and len(content) > limit:
            raise too_large(
                response, step.request, content[:limit], limit, self.credentials._secrets
            )
        return response, content

    def scrubbed(self, error: Exception, request: httpx.Request) -> Exception:
        """An exception raised while a request was on the wire, fit to travel on.

        Its traceback reaches into frames that held the real URL or token, and its text may
        quote them: httpx errors are rebuilt with a masked text and the masked request; others
        (the client's own, which hold no secret) lose their traceback, which the flow's raise
        gives back from the client's frames up.
        """
        if isinstance(error, httpx.RequestError) and not isinstance(error, B24Error):
            try:
                return type(error)(self.credentials.redact(str(error)), request=request)
            except TypeError:  # an exception class with its own signature
                return httpx.TransportError(self.credentials.redact(str(error)), request=request)
        error.args = tuple(
            self.credentials.redact(arg) if isinstance(arg, str) else arg for arg in error.args
        )
        error.__cause__ = error.__context__ = None
        return error.with_traceback(None)

    def _retry_delay(self, method: str, status: int, code: str, retries: int) -> float | None:
        if retries >= self.retry.max_retries:
            return None
        if status == 503 and code == "QUERY_LIMIT_EXCEEDED":
            return self.retry.backoff_delay(retries, random.random())
        if status == 429 and code == "OPERATION_TIME_LIMIT":
            reset_at, wall = self._reset_at(method), self.clock.wall()
            delay = self.retry.operation_wait
            if reset_at is not None and reset_at > wall:
                delay = reset_at - wall + 1.0
            return min(delay, self.retry.max_operation_wait)
        return None

    def late(self, request: httpx.Request, doing: str) -> DeadlineExceeded:
        """The error of a call that ran out of time `doing` something."""
        return DeadlineExceeded(self._method(request), self.deadline or 0.0, doing, request)


_NO_CUT: frozenset[str] = frozenset()

# Which network wait each httpx timeout is about (the keys of the request's "timeout" extension).
_TIMEOUTS: dict[type[Exception], str] = {
    httpx.ConnectTimeout: "connect",
    httpx.ReadTimeout: "read",
    httpx.WriteTimeout: "write",
    httpx.PoolTimeout: "pool",
}


def _cut_timeouts(request: httpx.Request, timeouts: object, left: float) -> frozenset[str]:
    """Cut each network wait of the next attempt to the `left` seconds of the call; the ones
    that were cut (a timeout of one of those means the deadline, not the portal)."""
    if not isinstance(timeouts, dict):
        return frozenset()
    request.extensions["timeout"] = {
        name: left if value is None or value > left else value for name, value in timeouts.items()
    }
    return frozenset(name for name, value in timeouts.items() if value is None or value > left)


def _error_code(content: bytes) -> str:
    try:
        body = json.loads(content)
    except ValueError:
        return ""
    code = body.get("error") if isinstance(body, dict) else None
    return code.upper() if isinstance(code, str) else ""
