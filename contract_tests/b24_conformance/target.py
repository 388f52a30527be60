"""The portal under test, and the one road every request of a run takes to it.

All traffic of a run (schemathesis cases, the generated client, the credential and argument
probes, the cleanup) goes through one `RunTransport`: one leaky bucket paces it, one budget
caps it, one counter says how many requests each part of the suite sent. Above it, the
client's `BitrixTransport` adds the webhook code only while a request is on the wire and
retries 503 QUERY_LIMIT_EXCEEDED and 429 OPERATION_TIME_LIMIT; everything the suite and
schemathesis see, print or store carries the masked base URL `.../rest/1/***`.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
import requests

from b24_badge_client import BadgeClient, BitrixTransport, RateLimit, RetryPolicy, Webhook
from b24_badge_client.answers import masked
from b24_badge_client.credentials import NoCredentials
from b24_badge_client.pacing import Pacer

# The suite's patience with a rate-limited portal: enough retries to ride out a burst, and at
# most two minutes' wait for an operating-time block (a conformance run is light).
SUITE_RETRY = RetryPolicy(max_retries=6, backoff=1.0, max_backoff=20.0, max_operation_wait=120.0)
TIMEOUT = 30.0


class BudgetExhausted(Exception):
    """The run used its `--max-requests`; the remaining checks are skipped, not failed."""


@dataclass
class Budget:
    limit: int | None
    used: int = 0
    part: str = "setup"
    per_part: Counter[str] = field(default_factory=Counter)
    exempt: bool = False  # cleanup always runs to the end: data safety outranks the budget

    def spend(self) -> None:
        if not self.exempt and self.limit is not None and self.used >= self.limit:
            raise BudgetExhausted(f"the request budget of {self.limit} is used up")
        self.used += 1
        self.per_part[self.part] += 1


class RunTransport(httpx.BaseTransport):
    """The innermost transport: paces, counts and caps every request of the run."""

    def __init__(
        self,
        budget: Budget,
        rate_limit: RateLimit | None,
        inner: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.budget = budget
        self._pacer = None if rate_limit is None else Pacer(rate_limit)
        self._inner = inner or httpx.HTTPTransport()
        self._sleep = sleep

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.budget.spend()
        if self._pacer is not None and (wait := self._pacer.reserve()):
            self._sleep(wait)
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


class Target:
    """A portal reached through one webhook, and the clients a run uses on it."""

    def __init__(
        self,
        webhook_url: str,
        *,
        writes: bool,
        bundled: bool,
        rate_limit: RateLimit | None,
        max_requests: int | None,
        prefix: str,
    ) -> None:
        self.credentials = Webhook(webhook_url)
        self.writes = writes
        self.bundled = bundled  # the emulator this run started: its data is ours to fuzz
        self.rate_limit = rate_limit
        self.prefix = prefix
        self.budget = Budget(max_requests)
        self.transport = RunTransport(self.budget, rate_limit)
        self.http = self._http(self.credentials)

    @property
    def base_url(self) -> str:
        """The masked base URL, `https://portal/rest/1/***`, the only one the suite shows."""
        return self.credentials.base_url.rstrip("/")

    @property
    def origin(self) -> str:
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    def _http(self, credentials: Webhook | NoCredentials) -> httpx.Client:
        wrapped = BitrixTransport(
            credentials, rate_limit=None, retry=SUITE_RETRY, inner=self.transport
        )
        return httpx.Client(transport=wrapped, timeout=TIMEOUT, follow_redirects=False)

    def with_webhook_code(self, code: str) -> httpx.Client:
        """A client for the same portal and user with another (wrong) webhook code."""
        user_path = self.base_url.rsplit("/", 1)[0]
        return self._http(Webhook(f"{user_path}/{code}/"))

    def without_credentials(self) -> httpx.Client:
        """A client for `https://portal/rest/` that sends no webhook code and no token."""
        return self._http(NoCredentials(self.origin))

    def client(self, on_response: Callable[[httpx.Response], None] | None = None) -> BadgeClient:
        """The generated client on this portal, through the run's transport."""
        return BadgeClient(
            self.credentials,
            rate_limit=None,  # the run's transport paces
            retry=SUITE_RETRY,
            timeout=TIMEOUT,
            transport=self.transport,
            on_response=on_response,
        )

    def send(self, transport_kwargs: dict[str, Any]) -> httpx.Response:
        """Send a schemathesis case, serialised for `requests`, byte for byte; masked answer."""
        fields = ("method", "url", "headers", "params", "data", "json", "files", "cookies")
        prepared = requests.Request(
            **{k: transport_kwargs[k] for k in fields if k in transport_kwargs}
        ).prepare()
        response = self.http.request(
            prepared.method or "GET",
            prepared.url or "",
            headers=dict(prepared.headers),
            content=prepared.body,
        )
        return self.mask(response)

    def mask(self, response: httpx.Response) -> httpx.Response:
        return masked(response, self.credentials.secrets)

    def redact(self, text: str) -> str:
        return self.credentials.secrets.redact(text)

    @contextmanager
    def part(self, name: str) -> Iterator[None]:
        """Count the requests sent inside the block under `name`."""
        previous, self.budget.part = self.budget.part, name
        try:
            yield
        finally:
            self.budget.part = previous

    def close(self) -> None:
        self.http.close()

    def __repr__(self) -> str:
        return f"Target({self.base_url!r}, writes={self.writes})"
