"""What an emulated portal is configured with: its credentials, users, limits and badges."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from b24_emulator.limits import CLOUD_RATE_LIMIT, RateLimit
from b24_emulator.store import Badge, StoreLimits

DEFAULT_SCOPES = frozenset({"crm"})

MISSED_CALL = Badge(code="missedCall", title="Статус звонка", value="Пропущен", type="failure")
"""The badge every docs page shows (docs BADGES/crm-activity-badge-get.md): a new emulator
holds it (`Settings.seed`), so the docs' examples work against it as they are."""


def _scopes(text: str | None) -> frozenset[str]:
    if text is None:
        return DEFAULT_SCOPES
    return frozenset(scope for scope in text.split(",") if scope)


@dataclass(frozen=True)
class Webhook:
    """An incoming webhook: it acts as its user, within its scopes."""

    user_id: int
    code: str = field(repr=False)  # a secret
    scopes: frozenset[str] = DEFAULT_SCOPES

    @classmethod
    def parse(cls, text: str) -> Webhook:
        """`USER_ID:CODE[:SCOPES]`, SCOPES a comma list (default `crm`; empty for none)."""
        user_id, code, *rest = text.split(":")
        if not code or len(rest) > 1:
            raise ValueError("expected USER_ID:CODE[:SCOPES]")
        return cls(int(user_id), code, _scopes(rest[0] if rest else None))

    @classmethod
    def generate(cls, user_id: int = 1) -> Webhook:
        """A webhook with a fresh random code and the default scope (`crm`): what the emulator
        serves when it is given no credentials."""
        return cls(user_id, secrets.token_hex(8))


@dataclass(frozen=True)
class OAuthToken:
    """An application's access token, valid until `expires_at` (Unix time)."""

    token: str = field(repr=False)  # a secret
    user_id: int
    scopes: frozenset[str] = DEFAULT_SCOPES
    expires_at: float = float("inf")

    @classmethod
    def parse(cls, text: str, now: float | None = None) -> OAuthToken:
        """`TOKEN:USER_ID[:SCOPES[:EXPIRES_IN]]`; EXPIRES_IN in seconds, negative if expired."""
        token, user_id, *rest = text.split(":")
        if not token or len(rest) > 2:
            raise ValueError("expected TOKEN:USER_ID[:SCOPES[:EXPIRES_IN]]")
        expires_at = float("inf")
        if len(rest) == 2:
            expires_at = (time.time() if now is None else now) + float(rest[1])
        return cls(token, int(user_id), _scopes(rest[0] if rest else None), expires_at)


@dataclass(frozen=True)
class HttpLimits:
    """The server's guards against slow, idle and excess connections (seconds and counts).

    Nothing a client does holds the server forever: a connection that has not sent a complete
    request head `header_timeout` seconds after it opened (or after the first byte of its next
    request) is closed, a body not complete `body_timeout` seconds after its head is refused,
    an idle kept-alive connection is closed after `keep_alive_timeout`. At most
    `max_connections` are open: beyond it the one idle the longest is closed to make room. At
    most `max_concurrency` requests are read or answered at once: beyond it, 503. SIGTERM lets
    running requests finish for `shutdown_timeout` seconds, then cancels them.
    """

    header_timeout: float = 10.0
    body_timeout: float = 30.0
    keep_alive_timeout: float = 20.0  # longer than clients' pool expiry (httpx 5 s, aiohttp 15 s)
    max_connections: int = 4096
    max_concurrency: int = 100
    shutdown_timeout: float = 2.0


@dataclass(frozen=True)
class Settings:
    """One emulated portal, for `create_app` or `run_emulator`.

    The defaults are a cloud portal's: its rate limit and operating-time limit, the docs' seed
    badge, every user a CRM administrator. No credentials: run_emulator and the command then
    make one administrator webhook, and create_app alone accepts no call.
    """

    webhooks: tuple[Webhook, ...] = ()
    tokens: tuple[OAuthToken, ...] = ()
    # Users are CRM administrators unless listed here; add and delete need an administrator.
    non_admins: frozenset[int] = frozenset()
    rate_limit: RateLimit | None = CLOUD_RATE_LIMIT  # None: no request-rate limit
    operating_limit: float = 480.0  # seconds per method per webhook/app in 10 minutes
    # Seconds charged per call on top of the measured time: simulates heavy methods, so that the
    # operating limit can be reached without waiting minutes.
    operating_cost: float = 0.0
    db: Path | None = None  # None: in memory
    seed: tuple[Badge, ...] = (MISSED_CALL,)
    # The clock the rate limit drains by. Tests that pace a client against the portal give both
    # the same fake clock, so that no verdict depends on how fast the machine is.
    clock: Callable[[], float] = field(default=time.monotonic, repr=False, compare=False)
    http: HttpLimits = field(default_factory=HttpLimits)
    # Check every request against the contract's request definitions (strict.py); the only
    # setting that makes the emulator read the spec.
    strict: bool = False
    store: StoreLimits = field(default_factory=StoreLimits)
