"""An httpx transport that behaves as a considerate Bitrix24 client should, sync and async.

Around every request it:

* waits for its turn in the portal's leaky bucket (pacing.py), so a steady client stays under
  the rate limit;
* adds the credentials (credentials.py) only while the request is being sent, so nothing
  above the transport sees them;
* retries 503 QUERY_LIMIT_EXCEEDED with exponential backoff and jitter, up to a limit;
* on 429 OPERATION_TIME_LIMIT waits for the method's `operating_reset_at` (remembered from its
  last success; the portal sends no Retry-After), then retries, up to a limit;
* on 401 expired_token asks the OAuth credentials for a new token, once, and retries.

Clocks, sleeps and randomness are parameters, so tests can run the waits on a clock they control.
Transport errors keep their httpx types, with any secret scrubbed from their text.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from b24_badge_client.credentials import Credentials, OAuth, method_name
from b24_badge_client.pacing import CLOUD, Pacer, RateLimit

logger = logging.getLogger("b24_badge_client")

_RESET_AT = re.compile(rb'"operating_reset_at"\s*:\s*(\d+(?:\.\d+)?)')


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 5  # per call, for 503 and 429 together
    backoff: float = 1.0  # seconds before the first retry of a 503; doubles each time
    max_backoff: float = 30.0
    jitter: float = 0.25  # each backoff is scaled by a random factor in 1 ± jitter
    operation_wait: float = 10.0  # 429 with no known operating_reset_at
    max_operation_wait: float = 600.0  # the operating window is 10 minutes

    def backoff_delay(self, retry: int, rand: float) -> float:
        base = min(self.max_backoff, self.backoff * 2**retry)
        return float(base * (1 + self.jitter * (2 * rand - 1)))


DEFAULT_RETRY = RetryPolicy()


@dataclass(frozen=True)
class _Retry:
    delay: float
    reason: str


_REFRESH = "refresh"


class _Policy:
    """What to do with an answer: return it, wait and retry, or refresh the token first."""

    def __init__(
        self,
        credentials: Credentials,
        rate_limit: RateLimit | None,
        retry: RetryPolicy,
        clock: Callable[[], float],
        wall_clock: Callable[[], float],
        rand: Callable[[], float],
    ) -> None:
        self.credentials = credentials
        self.pacer = None if rate_limit is None else Pacer(rate_limit, clock)
        self.retry = retry
        self._wall_clock = wall_clock
        self._rand = rand
        self._reset_at: dict[str, float] = {}

    def token(self) -> str | None:
        """The OAuth token a request is about to carry, to refresh exactly that one if expired."""
        return self.credentials.token if isinstance(self.credentials, OAuth) else None

    def refresh(self, sent_token: str | None) -> None:
        if isinstance(self.credentials, OAuth) and sent_token is not None:
            self.credentials.refresh(sent_token)
            logger.info("access token expired; refreshed it")

    async def arefresh(self, sent_token: str | None) -> None:
        if isinstance(self.credentials, OAuth) and sent_token is not None:
            await self.credentials.arefresh(sent_token)
            logger.info("access token expired; refreshed it")

    def wait_for_turn(self) -> float:
        return 0.0 if self.pacer is None else self.pacer.reserve()

    def decide(
        self, request: httpx.Request, response: httpx.Response, retries: int, refreshed: bool
    ) -> _Retry | str | None:
        method = method_name(request.url.path)
        content = response.read()
        if response.status_code == 200:
            if match := _RESET_AT.search(content):
                self._reset_at[method] = float(match[1])
            return None
        code = _error_code(content)
        if code == "EXPIRED_TOKEN" and not refreshed and self.credentials.can_refresh():
            return _REFRESH
        if retries >= self.retry.max_retries:
            return None
        if response.status_code == 503 and code == "QUERY_LIMIT_EXCEEDED":
            delay = self.retry.backoff_delay(retries, self._rand())
            return _Retry(delay, f"{method}: 503 QUERY_LIMIT_EXCEEDED")
        if response.status_code == 429 and code == "OPERATION_TIME_LIMIT":
            reset_at = self._reset_at.get(method)
            delay = self.retry.operation_wait
            if reset_at is not None and reset_at > self._wall_clock():
                delay = reset_at - self._wall_clock() + 1.0
            delay = min(delay, self.retry.max_operation_wait)
            return _Retry(delay, f"{method}: 429 OPERATION_TIME_LIMIT")
        return None

    def log_retry(self, decision: _Retry, retries: int) -> None:
        logger.warning(
            "%s; retry %d/%d in %.1f s",
            decision.reason,
            retries + 1,
            self.retry.max_retries,
            decision.delay,
        )

    def scrubbed(self, error: httpx.TransportError, request: httpx.Request) -> httpx.TransportError:
        message = self.credentials.secrets.redact(str(error))
        return type(error)(message, request=request)


def _error_code(content: bytes) -> str:
    try:
        body = json.loads(content)
    except ValueError:
        return ""
    code = body.get("error") if isinstance(body, dict) else None
    return code.upper() if isinstance(code, str) else ""


class BitrixTransport(httpx.BaseTransport):
    def __init__(
        self,
        credentials: Credentials,
        *,
        rate_limit: RateLimit | None = CLOUD,
        retry: RetryPolicy = DEFAULT_RETRY,
        inner: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self._policy = _Policy(credentials, rate_limit, retry, clock, wall_clock, rand)
        self._inner = inner or httpx.HTTPTransport()
        self._sleep = sleep

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        policy = self._policy
        retries, refreshed = 0, False
        while True:
            if wait := policy.wait_for_turn():
                self._sleep(wait)
            sent_token = policy.token()
            try:
                with policy.credentials.authorized(request) as outgoing:
                    response = self._inner.handle_request(outgoing)
            except httpx.TransportError as error:
                raise policy.scrubbed(error, request) from None
            decision = policy.decide(request, response, retries, refreshed)
            if decision is None:
                return response
            response.close()
            if decision == _REFRESH:
                policy.refresh(sent_token)
                refreshed = True
                continue
            assert isinstance(decision, _Retry)
            policy.log_retry(decision, retries)
            self._sleep(decision.delay)
            retries += 1

    def close(self) -> None:
        self._inner.close()


class AsyncBitrixTransport(httpx.AsyncBaseTransport):
    def __init__(
        self,
        credentials: Credentials,
        *,
        rate_limit: RateLimit | None = CLOUD,
        retry: RetryPolicy = DEFAULT_RETRY,
        inner: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        sleep: Callable[[float], object] = asyncio.sleep,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self._policy = _Policy(credentials, rate_limit, retry, clock, wall_clock, rand)
        self._inner = inner or httpx.AsyncHTTPTransport()
        self._sleep = sleep

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        policy = self._policy
        retries, refreshed = 0, False
        while True:
            if wait := policy.wait_for_turn():
                await _maybe_await(self._sleep(wait))
            sent_token = policy.token()
            try:
                with policy.credentials.authorized(request) as outgoing:
                    response = await self._inner.handle_async_request(outgoing)
            except httpx.TransportError as error:
                raise policy.scrubbed(error, request) from None
            await response.aread()
            decision = policy.decide(request, response, retries, refreshed)
            if decision is None:
                return response
            await response.aclose()
            if decision == _REFRESH:
                await policy.arefresh(sent_token)
                refreshed = True
                continue
            assert isinstance(decision, _Retry)
            policy.log_retry(decision, retries)
            await _maybe_await(self._sleep(decision.delay))
            retries += 1

    async def aclose(self) -> None:
        await self._inner.aclose()


async def _maybe_await(value: object) -> None:
    if inspect.isawaitable(value):
        await value
