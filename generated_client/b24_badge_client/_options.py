"""The options of the clients and transports, as typed dictionaries.

`BadgeClient.from_webhook(url, rate_limt=None)` is then a type error for mypy and pyright, and
a TypeError at run time too: options are checked by name, never swallowed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypedDict

import httpx

from b24_badge_client._clock import Clock
from b24_badge_client._flow import RetryPolicy
from b24_badge_client._pacing import Pacer, RateLimit


class TransportOptions(TypedDict, total=False):
    """How the transport treats the portal; every key is optional.

    * `rate_limit`: the portal's leaky bucket to pace requests to, or a `Pacer` shared with
      other clients of the same portal, or None not to pace (default `CLOUD`, 50 then 2/s);
    * `retry`: the `RetryPolicy` for 503 QUERY_LIMIT_EXCEEDED and 429 OPERATION_TIME_LIMIT;
    * `deadline`: seconds one call may take in all, pacing, retries, 429 waits and reading the
      answer included (default 120; None for no deadline);
    * `max_response_size`: the most bytes an answer may have, decompressed (default 10 MiB;
      None for no cap);
    * `clock`: where time is read and waits happen (a fake one in tests).
    """

    rate_limit: RateLimit | Pacer | None
    retry: RetryPolicy
    deadline: float | None
    max_response_size: int | None
    clock: Clock


class _CallOptions(TransportOptions, total=False):
    timeout: float
    on_response: Callable[[httpx.Response], None] | None


class ClientOptions(_CallOptions, total=False):
    """The options of `BadgeClient`: those of `TransportOptions`, and

    * `timeout`: seconds for each network wait, connecting or reading (default 30; the
      deadline cuts it further near the end of a call);
    * `transport`: the httpx transport underneath (default HTTP; `httpx.MockTransport` in tests);
    * `on_response`: called with every raw answer, secrets masked, before it is checked (for
      logging, metrics, conformance checks).
    """

    transport: httpx.BaseTransport | None


class AsyncClientOptions(_CallOptions, total=False):
    """The options of `AsyncBadgeClient`: those of `ClientOptions`, with an async `transport`."""

    transport: httpx.AsyncBaseTransport | None


DEFAULT_TIMEOUT = 30.0
