"""The portal under test, and the one road every request of a run takes to it.

All traffic of a run (schemathesis cases, the generated client, the credential and argument
probes, the cleanup) goes through one `RunTransport`: one leaky bucket paces it, one budget
caps it, one counter says how many requests each part of the suite sent, one deadline ends it.
Above it, the client's `BitrixTransport` adds the secret (a webhook code, or an OAuth token as
`auth`) only while a request is on the wire and retries 503 QUERY_LIMIT_EXCEEDED and 429
OPERATION_TIME_LIMIT, waiting through the run's clock, which refuses a wait that would pass the
run's deadline; everything the suite and schemathesis see, print or store carries the masked
base URL (`.../rest/1/***`, or `https://portal/rest/` for OAuth).

Every final answer is watched: a portal still unavailable after the retries (503, 429) stops
the run (`PortalUnavailable`, exit 2; later requests fail at once instead of waiting again), and
an add of the run refused for its rights (401, 403: ACCESS_DENIED, insufficient_scope) means
the writing checks cannot run (`WritesRefused`, INCOMPLETE).
"""

from __future__ import annotations

import email
import email.policy
import itertools
import json
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
    Clock,
    Credentials,
    NoCredentials,
    OAuth,
    Pacer,
    RateLimit,
    RetryPolicy,
    Webhook,
    models,
)
from b24_badge_client import DeadlineExceeded as CallDeadlineExceeded
from b24_conformance import commands, stopping
from b24_conformance.journal import Journal
from b24_conformance.ledger import Ledger
from b24_spec.media import FORM, JSON, MULTIPART, media_type
from b24_spec.methods import ADD, DELETE, method_name

# The suite's patience with a rate-limited portal: enough retries to ride out a burst (about a
# minute of 503 QUERY_LIMIT_EXCEEDED), a minute's wait at most for an operating-time block, and
# two minutes for any one call, waits included: a portal still refusing after that is
# unavailable, and the run stops (exit 2) rather than wait again for every request left.
SUITE_RETRY = RetryPolicy(max_retries=6, backoff=1.0, max_backoff=20.0, max_operation_wait=60.0)
CALL_DEADLINE = 120.0
TIMEOUT = 30.0


def answer_model(name: str) -> Any:
    """The generated client's model of the spec's component schema `name` (the generator names
    each model after its schema); AttributeError when the client has none."""
    return getattr(models, name)


class BudgetExhausted(Exception):
    """The run used its `--max-requests`; the remaining checks are skipped, not failed."""


class DeadlineExceeded(Exception):
    """The run (or its cleanup) ran out of time: a portal that cannot be checked in time."""


class PortalUnavailable(Exception):
    """The portal still answers 503 or 429 after the retries: it cannot be checked now."""


class WritesRefused(Exception):
    """The portal refused an add of the run for its rights: the writing checks cannot run."""


def error_of(response: httpx.Response) -> tuple[str, str]:
    """The portal's error code and description (`insufficient_scope`, ...), "" when none."""
    try:
        body = json.loads(response.content or b"null")
    except ValueError:
        return "", ""
    if not isinstance(body, dict):
        return "", ""
    return str(body.get("error") or ""), str(body.get("error_description") or "")


def said(response: httpx.Response) -> str:
    """`HTTP 403 ACCESS_DENIED: Access denied`: a refusal as the portal put it."""
    code, description = error_of(response)
    text = f"HTTP {response.status_code}"
    text += f" {code}" if code else ""
    return text + (f": {description}" if description else "")


@dataclass
class Budget:
    """The run's requests, counted against `--max-requests` (`limit`; None: no cap) and by the
    part of the suite that sent them (`part`, set by `Target.part`)."""

    limit: int | None
    used: int = 0
    part: str = "setup"
    per_part: Counter[str] = field(default_factory=Counter)
    exempt: bool = False  # cleanup always runs to the end: data safety outranks the budget

    def spend(self) -> None:
        """Count one request about to be sent; BudgetExhausted instead once `limit` are spent
        (never while `exempt`: the cleanup must finish)."""
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
        clock: Clock | None = None,
        journal: Journal | None = None,
    ) -> None:
        self.budget = budget
        self._clock = clock = clock or Clock()
        self._pacer = None if rate_limit is None else Pacer(rate_limit, clock.monotonic)
        self._inner = inner or httpx.HTTPTransport()
        self.journal = journal
        self.deadline: float | None = None  # on the clock; None: no limit
        self.written: set[str] = set()
        self.adds = 0  # adds sent, whatever their code: none means nothing to clean up
        self.unavailable: str | None = None  # why the portal cannot be checked now
        self.paced = 0.0  # seconds spent waiting for the pace

    def time_left(self, seconds: float) -> None:
        """From now on, refuse to send (or to wait) once `seconds` have passed."""
        self.deadline = self._clock.monotonic() + seconds

    def remaining(self) -> float | None:
        """Seconds left before the deadline (negative once it passed); None: no deadline."""
        return None if self.deadline is None else self.deadline - self._clock.monotonic()

    def sleep(self, seconds: float) -> None:
        """Wait, unless the wait would pass the deadline: then the run's time is up now."""
        left = self.remaining()
        if left is not None and seconds > left:
            raise DeadlineExceeded(f"a wait of {seconds:.1f} s would pass the run's deadline")
        self._clock.sleep(seconds)

    def clock(self) -> Clock:
        """The clock for the client's retry waits: the run's, bounded by its deadline."""
        return Clock(self._clock.monotonic, self._clock.wall, self.sleep, self._clock.async_sleep)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send one request, or raise instead: DeadlineExceeded, PortalUnavailable (except for
        the cleanup) or BudgetExhausted. An add's codes are journaled before it goes out."""
        left = self.remaining()
        if left is not None and left <= 0:
            raise DeadlineExceeded("the run's time is up")
        if not self.budget.exempt:  # the cleanup runs to its end (its own deadline cuts it)
            stopping.raise_if_requested()  # a Ctrl-C Python dropped (stopping.py) stops here
            if self.unavailable is not None:
                raise PortalUnavailable(self.unavailable)
        self.budget.spend()
        codes = added_codes(request)
        # An add without a code, or a batch of adds, counts: a run that sent none need not clean.
        self.adds += bool(codes) or method_name(request.url.path) == ADD
        for code in codes:
            if self.journal is not None and code not in self.written:
                self.journal.record(code)  # before it is sent: a killed run leaves a record
            self.written.add(code)
        if self._pacer is not None and (wait := self._pacer.reserve()):
            self.paced += wait
            self.sleep(wait)
        return self._inner.handle_request(request)

    def close(self) -> None:
        """Shared by every client of the run, so a client closing does not close it."""

    def shutdown(self) -> None:
        """Close the connections, once, at the end of the run (`close` leaves them open)."""
        self._inner.close()


UNAVAILABLE = (429, 503)  # after the client's retries: the portal cannot be checked now
REFUSED = (401, 403)
WRITES = (ADD, DELETE)


class Target:
    """A portal reached through one webhook or one OAuth token, and the clients a run uses on
    it. `credentials` is a webhook URL, or the client's `OAuth`."""

    def __init__(
        self,
        credentials: str | OAuth,
        *,
        writes: bool,
        bundled: bool,
        rate_limit: RateLimit | None,
        max_requests: int | None,
        prefix: str,
        journal_path: Path | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.credentials: Webhook | OAuth
        if isinstance(credentials, str):
            self.credentials = Webhook(credentials)
            self._webhook_url: str | None = credentials  # kept to derive probes; never shown
        else:
            self.credentials, self._webhook_url = credentials, None
        self.writes = writes
        self.bundled = bundled  # the emulator this run started: its data is ours to fuzz
        self.rate_limit = rate_limit
        self.prefix = prefix
        self._cases = itertools.count(1)
        self.budget = Budget(max_requests)
        self.ledger = Ledger()
        self.journal = None if journal_path is None else Journal(journal_path, self.base_url)
        self.transport = RunTransport(self.budget, rate_limit, clock=clock, journal=self.journal)
        self.http = self._http(self.credentials)
        self._redactors: list[Credentials] = [self.credentials]

    @property
    def uses_webhook(self) -> bool:
        """Whether the secret is a webhook code in the URL (else an OAuth token): the probes
        and the messages differ."""
        return isinstance(self.credentials, Webhook)

    @property
    def secret_name(self) -> str:
        """What the secret is called in messages: the webhook code, or the access token."""
        return "webhook code" if self.uses_webhook else "access token"

    def also_redact(self, redactor: Credentials) -> None:
        """Mask `redactor`'s secrets too (an OAuth app's refresh token and client secret)."""
        self._redactors.append(redactor)

    @property
    def base_url(self) -> str:
        """The masked base URL, `https://portal/rest/1/***`, the only one the suite shows."""
        return self.credentials.base_url.rstrip("/")

    @property
    def origin(self) -> str:
        """`https://portal`: the portal without the REST path or the secret, for the probes
        that call it with other credentials or none."""
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    def _http(self, credentials: Credentials) -> httpx.Client:
        wrapped = BitrixTransport(
            credentials,
            rate_limit=None,
            retry=SUITE_RETRY,
            deadline=CALL_DEADLINE,
            clock=self.transport.clock(),
            inner=self.transport,
        )
        return httpx.Client(
            transport=wrapped,
            base_url=credentials.base_url,
            timeout=TIMEOUT,
            follow_redirects=False,
        )

    def with_wrong_secret(self) -> httpx.Client:
        """A client for the same portal (and user) with a wrong webhook code or token."""
        if isinstance(self.credentials, Webhook):
            user_path = self.base_url.rsplit("/", 1)[0]
            return self._http(Webhook(f"{user_path}/wrong-code/"))
        return self._http(OAuth(self.origin, "wrong-token-" + self.prefix))

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
        the user who created it, and must not work for anyone else (webhooks only)."""
        if self._webhook_url is None:
            raise TypeError("an OAuth token carries its user; there is no user id to change")
        parts = urlsplit(self._webhook_url)
        segments = parts.path.rstrip("/").split("/")
        segments[-2] = user_id
        return self._http(Webhook(parts._replace(path="/".join(segments) + "/").geturl()))

    def without_credentials(self) -> httpx.Client:
        """A client for `https://portal/rest/` that sends no webhook code and no token."""
        return self._http(NoCredentials(self.origin))

    def client(self, on_response: Callable[[httpx.Response], None] | None = None) -> BadgeClient:
        """The generated client on this portal, through the run's transport."""

        def watched(response: httpx.Response) -> None:
            self.watch(response, own=True)
            if on_response is not None:
                on_response(response)

        return BadgeClient(
            self.credentials,
            rate_limit=None,  # the run's transport paces
            retry=SUITE_RETRY,
            deadline=CALL_DEADLINE,
            clock=self.transport.clock(),
            timeout=TIMEOUT,
            transport=self.transport,
            on_response=watched,
        )

    def unavailable(self, why: str) -> PortalUnavailable:
        """Stop the run: the portal cannot be checked now (later requests fail at once)."""
        self.transport.unavailable = self.redact(why)
        return PortalUnavailable(self.transport.unavailable)

    def _sent(self, send: Callable[[], httpx.Response]) -> httpx.Response:
        """One call of the run; a call that its retries and waits kept past CALL_DEADLINE
        means a portal that cannot be checked now."""
        try:
            return self.mask(send())
        except CallDeadlineExceeded as error:
            raise self.unavailable(
                f"the portal is unavailable: {error} (waiting for its rate limit)"
            ) from None

    def watch(self, response: httpx.Response, own: bool) -> None:
        """Judge a final answer as a sign about the run itself: a portal still unavailable
        after the retries stops the run; so does a read with the run's own credentials refused
        (they stopped working: a webhook deleted, a token expired), which the first call showed
        to work; a write refused for its rights means the writing checks cannot run. (The
        cleanup reads its own answers: a delete it cannot make is a badge left, not a stop.)"""
        status = response.status_code
        if status in UNAVAILABLE:
            why = f"the portal is unavailable ({said(response)}) after the client's retries"
            raise self.unavailable(why)
        if not own or status not in REFUSED or self.budget.exempt:
            return
        if method_name(response.request.url.path) in WRITES:
            raise WritesRefused(
                f"the portal refused the run's writes ({said(response)}): the "
                f"{self.secret_name} may lack the crm scope or the user the right to edit"
            )
        raise self.unavailable(
            f"the portal stopped accepting the run's {self.secret_name} ({said(response)})"
        )

    def send(self, transport_kwargs: dict[str, Any]) -> httpx.Response:
        """Send a schemathesis case, serialised for `requests`, byte for byte; masked answer."""
        fields = ("method", "url", "headers", "params", "data", "json", "files", "cookies")
        prepared = requests.Request(
            **{k: transport_kwargs[k] for k in fields if k in transport_kwargs}
        ).prepare()
        response = self._sent(
            lambda: self.http.request(
                prepared.method or "GET",
                prepared.url or "",
                headers=dict(prepared.headers),
                content=prepared.body,
            )
        )
        self.watch(response, own=True)
        return response

    def post(self, method: str, params: Any, http: httpx.Client | None = None) -> httpx.Response:
        """Call `method` with JSON `params`, through `http` (default: the run's credentials);
        the answer comes back masked."""
        response = self._sent(lambda: (http or self.http).post(method, json=params))
        self.watch(response, own=http is None)
        return response

    def mask(self, response: httpx.Response) -> httpx.Response:
        """A copy of an answer with every secret of the run masked, before the suite reads,
        reports or stores it."""
        for redactor in self._redactors:
            response = redactor.masked(response)
        return response

    def redact(self, text: str) -> str:
        """`text` with every secret of the run masked (OAuth app secrets too, once added): for
        any text the suite builds from something it did not mask itself."""
        for redactor in self._redactors:
            text = redactor.redact(text)
        return text

    @contextmanager
    def part(self, name: str) -> Iterator[None]:
        """Count the requests sent inside the block under `name`."""
        previous, self.budget.part = self.budget.part, name
        try:
            yield
        finally:
            self.budget.part = previous

    def close(self) -> None:
        """Close the run's client and its transport; the run's last act, after the cleanup."""
        self.http.close()
        self.transport.shutdown()

    def __repr__(self) -> str:
        return f"Target({self.base_url!r}, writes={self.writes})"
