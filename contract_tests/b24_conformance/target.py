"""The portal under test, and the one road every request of a run takes to it.

All traffic of a run (schemathesis cases, the generated client, the credential and argument
probes, the cleanup) goes through one `RunTransport`: one leaky bucket paces it, one budget
caps it, one counter says how many requests each part of the suite sent. Above it, the
client's `BitrixTransport` adds the webhook code only while a request is on the wire and
retries 503 QUERY_LIMIT_EXCEEDED and 429 OPERATION_TIME_LIMIT; everything the suite and
schemathesis see, print or store carries the masked base URL `.../rest/1/***`.
"""

from __future__ import annotations

import email
import email.policy
import itertools
import json
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import requests

from b24_badge_client import (
    BadgeClient,
    BitrixTransport,
    NoCredentials,
    Pacer,
    RateLimit,
    RetryPolicy,
    Webhook,
    models,
)
from b24_conformance import commands
from b24_conformance.journal import Journal
from b24_spec.media import FORM, JSON, MULTIPART, media_type
from b24_spec.methods import ADD, method_name

# The suite's patience with a rate-limited portal: enough retries to ride out a burst, and at
# most two minutes' wait for an operating-time block (a conformance run is light).
SUITE_RETRY = RetryPolicy(max_retries=6, backoff=1.0, max_backoff=20.0, max_operation_wait=120.0)
TIMEOUT = 30.0


def answer_model(name: str) -> Any:
    """The generated client's model of the spec's component schema `name` (the generator names
    each model after its schema); AttributeError when the client has none."""
    return getattr(models, name)


class BudgetExhausted(Exception):
    """The run used its `--max-requests`; the remaining checks are skipped, not failed."""


class DeadlineExceeded(Exception):
    """The run (or its cleanup) ran out of time: a portal that cannot be checked in time."""


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


def code_of(request: httpx.Request) -> str | None:
    """The `code` parameter of a request, in whichever encoding it was sent; None if it has
    none, or a body that does not decode (invalid data is sent on purpose)."""
    try:
        return _code_of(request)
    except (ValueError, UnicodeDecodeError, KeyError):
        return None


def _code_of(request: httpx.Request) -> str | None:
    code = request.url.params.get("code")
    kind = media_type(request.headers)
    content = request.read()
    if kind == JSON:
        body = json.loads(content or b"null")
        code = body.get("code") if isinstance(body, dict) else code
    elif kind == FORM:
        code = parse_qs(content.decode("utf-8", "replace")).get("code", [code])[0]
    elif kind == MULTIPART:
        head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
        for part in email.message_from_bytes(head + content, policy=email.policy.HTTP).iter_parts():
            if part.get_param("name", header="content-disposition") == "code":
                payload = part.get_payload(decode=True)  # bytes: the part names no charset
                code = payload.decode("utf-8") if isinstance(payload, bytes) else code
    return code if isinstance(code, str) else None


def added_codes(request: httpx.Request) -> list[str]:
    """The codes a request adds: an add's `code`, or those of a batch's add commands."""
    if method_name(request.url.path) == ADD:
        code = code_of(request)
        return [] if code is None else [code]
    return commands.added_codes(request)


class RunTransport(httpx.BaseTransport):
    """The innermost transport: paces, counts and caps every request of the run, and notes the
    code of every add it sends, directly or inside a batch, so that cleanup finds them all,
    even beyond a page of list.
    """

    def __init__(
        self,
        budget: Budget,
        rate_limit: RateLimit | None,
        inner: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        journal: Journal | None = None,
    ) -> None:
        self.budget = budget
        self._pacer = None if rate_limit is None else Pacer(rate_limit)
        self._inner = inner or httpx.HTTPTransport()
        self._sleep = sleep
        self._clock = clock
        self.journal = journal
        self.deadline: float | None = None  # on the clock; None: no limit
        self.written: set[str] = set()

    def time_left(self, seconds: float) -> None:
        """From now on, refuse to send once `seconds` have passed."""
        self.deadline = self._clock() + seconds

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.deadline is not None and self._clock() >= self.deadline:
            raise DeadlineExceeded("the run's time is up")
        self.budget.spend()
        for code in added_codes(request):
            if self.journal is not None and code not in self.written:
                self.journal.record(code)  # before it is sent: a killed run leaves a record
            self.written.add(code)
        if self._pacer is not None and (wait := self._pacer.reserve()):
            self._sleep(wait)
        return self._inner.handle_request(request)

    def close(self) -> None:
        """Shared by every client of the run, so a client closing does not close it."""

    def shutdown(self) -> None:
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
        journal_path: Path | None = None,
    ) -> None:
        self.credentials = Webhook(webhook_url)
        self._webhook_url = webhook_url  # kept to derive probes; never shown
        self.writes = writes
        self.bundled = bundled  # the emulator this run started: its data is ours to fuzz
        self.rate_limit = rate_limit
        self.prefix = prefix
        self._cases = itertools.count(1)
        self.budget = Budget(max_requests)
        self.journal = None if journal_path is None else Journal(journal_path, self.base_url)
        self.transport = RunTransport(self.budget, rate_limit, journal=self.journal)
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
            credentials, rate_limit=None, retry=SUITE_RETRY, deadline=None, inner=self.transport
        )
        return httpx.Client(
            transport=wrapped,
            base_url=credentials.base_url,
            timeout=TIMEOUT,
            follow_redirects=False,
        )

    def with_webhook_code(self, code: str) -> httpx.Client:
        """A client for the same portal and user with another (wrong) webhook code."""
        user_path = self.base_url.rsplit("/", 1)[0]
        return self._http(Webhook(f"{user_path}/{code}/"))

    def case_prefix(self) -> str:
        """A prefix of its own for one generated write: codes of different cases never collide,
        so an add refused as a duplicate is always one the run meant to repeat."""
        return f"{self.prefix}c{next(self._cases)}-"

    @property
    def user_id(self) -> str:
        """The user id of the webhook, `1` in `https://portal/rest/1/CODE/`."""
        return self.base_url.rsplit("/", 2)[-2]

    def with_user_id(self, user_id: str) -> httpx.Client:
        """A client for the same webhook code under another user id: a webhook code belongs to
        the user who created it, and must not work for anyone else."""
        parts = urlsplit(self._webhook_url)
        segments = parts.path.rstrip("/").split("/")
        segments[-2] = user_id
        return self._http(Webhook(parts._replace(path="/".join(segments) + "/").geturl()))

    def without_credentials(self) -> httpx.Client:
        """A client for `https://portal/rest/` that sends no webhook code and no token."""
        return self._http(NoCredentials(self.origin))

    def client(self, on_response: Callable[[httpx.Response], None] | None = None) -> BadgeClient:
        """The generated client on this portal, through the run's transport."""
        return BadgeClient(
            self.credentials,
            rate_limit=None,  # the run's transport paces
            retry=SUITE_RETRY,
            deadline=None,  # the suite waits out 429s (SUITE_RETRY bounds them)
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

    def post(self, method: str, params: Any, http: httpx.Client | None = None) -> httpx.Response:
        """Call `method` with JSON `params`, through `http` (default: the run's webhook); the
        answer comes back masked."""
        return self.mask((http or self.http).post(method, json=params))

    def mask(self, response: httpx.Response) -> httpx.Response:
        return self.credentials.masked(response)

    def redact(self, text: str) -> str:
        return self.credentials.redact(text)

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
        self.transport.shutdown()

    def __repr__(self) -> str:
        return f"Target({self.base_url!r}, writes={self.writes})"
