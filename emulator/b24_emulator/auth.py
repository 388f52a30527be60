"""Who is calling: a webhook from the URL path, or an OAuth token from the `auth` parameter.

The emulator's answers follow the contract's decisions: a wrong webhook code is 401
INVALID_CREDENTIALS (D-INVALID-CREDENTIALS-STATUS), a call without any credentials 401
NO_AUTH_FOUND, an unknown token 401 invalid_token, an expired one 401 expired_token.
"""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass

from b24_emulator import errors
from b24_emulator.config import Settings
from b24_emulator.limits import Clock


@dataclass(frozen=True)
class Caller:
    """Who a request acts as once authenticated: a user, within scopes."""

    key: str  # identifies the webhook or token for limit accounting; never the secret itself
    user_id: int
    scopes: frozenset[str]


class Authenticator:
    """Credentials to a Caller, or the portal's 401 (see the module); secrets are compared in
    constant time. `clock` is the Unix time tokens expire by."""

    def __init__(self, settings: Settings, clock: Clock = time.time) -> None:
        self._settings = settings
        self._clock = clock

    def webhook(self, user_id: str, code: str) -> Caller:
        """The caller of `/rest/{user_id}/{code}/...`: 401 INVALID_CREDENTIALS unless both match
        a configured webhook (the user id as written: `01` is not user 1)."""
        for index, webhook in enumerate(self._settings.webhooks):
            # Compare every secret in constant time: the answer must not leak how much matched.
            # Compared as bytes: compare_digest refuses non-ASCII text, and a path may carry any.
            same = hmac.compare_digest(webhook.code.encode(), code.encode("utf-8", "replace"))
            if str(webhook.user_id) == user_id and same:
                return Caller(f"webhook#{index}", webhook.user_id, webhook.scopes)
        raise errors.invalid_credentials()

    def oauth(self, token: object) -> Caller:
        """The caller of an OAuth call, from its `auth` parameter as decoded: missing or empty is
        401 NO_AUTH_FOUND, unknown or not a string 401 invalid_token, expired 401 expired_token."""
        if token is None or token == "":
            raise errors.no_auth_found()
        if not isinstance(token, str):
            raise errors.invalid_token()
        for index, known in enumerate(self._settings.tokens):
            if hmac.compare_digest(known.token.encode(), token.encode("utf-8", "replace")):
                if known.expires_at <= self._clock():
                    raise errors.expired_token()
                return Caller(f"oauth#{index}", known.user_id, known.scopes)
        raise errors.invalid_token()
