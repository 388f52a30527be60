"""Checking a portal as an OAuth application: its access token, and a refresh, from the
environment.

    B24_ACCESS_TOKEN=... b24-conformance --oauth --portal https://your-domain.bitrix24.com

The suite calls `https://portal/rest/METHOD` with the token as `auth`, through the client's
public `OAuth` credentials, which add it only on the wire and mask it in every echo. With
`B24_REFRESH_TOKEN`, `B24_CLIENT_ID` and `B24_CLIENT_SECRET` as well, a token that expires
during the run (401 expired_token) is refreshed once at the OAuth server
(`https://oauth.bitrix24.tech/oauth/token/`, or `--oauth-server`), as the docs describe. Bitrix
replaces the refresh token on every use; the suite keeps the new pair in memory only, so a
refresh token given to it is spent after a refresh: store tokens where your application keeps
them, not in a CI secret that a run would invalidate.

Tokens and the client secret are secrets like a webhook code: masked in everything the run
prints or writes (the access token by the credentials, the others by redactors of their own),
never on a command line.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import httpx

from b24_badge_client import Credentials, OAuth

TOKEN_SERVER = "https://oauth.bitrix24.tech/oauth/token/"
ACCESS_TOKEN, REFRESH_TOKEN = "B24_ACCESS_TOKEN", "B24_REFRESH_TOKEN"
CLIENT_ID, CLIENT_SECRET = "B24_CLIENT_ID", "B24_CLIENT_SECRET"
REFRESH_TIMEOUT = 30.0


class RefreshFailed(Exception):
    """The OAuth server did not give a new access token; the message is masked."""


@dataclass(frozen=True)
class OAuthGrant:
    """What an OAuth application needs to call one portal; every secret left out of repr."""

    portal: str
    access_token: str = field(repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    token_server: str = TOKEN_SERVER

    @classmethod
    def from_environment(
        cls, portal: str, token_server: str = TOKEN_SERVER, environ: Mapping[str, str] = os.environ
    ) -> OAuthGrant:
        """The grant in `environ`; ValueError, naming the variable, when one is missing."""
        access = environ.get(ACCESS_TOKEN, "").strip()
        if not access:
            raise ValueError(
                f"--oauth needs the access token in ${ACCESS_TOKEN}, which is empty or not set "
                "(a missing CI secret?)"
            )
        refresh = {name: environ.get(name, "").strip() for name in (REFRESH_TOKEN, CLIENT_ID)}
        refresh[CLIENT_SECRET] = environ.get(CLIENT_SECRET, "").strip()
        given = [name for name, value in refresh.items() if value]
        if given and len(given) < len(refresh):
            missing = ", ".join(f"${name}" for name, value in refresh.items() if not value)
            raise ValueError(f"a token refresh needs {missing} as well (or none of the three)")
        return cls(
            portal,
            access,
            refresh[REFRESH_TOKEN] or None,
            refresh[CLIENT_ID] or None,
            refresh[CLIENT_SECRET] or None,
            token_server,
        )

    def secrets(self) -> list[str]:
        """The secrets besides the access token: the refresh token and the client secret."""
        return [s for s in (self.refresh_token, self.client_secret) if s]


def redactor(portal: str, secret: str) -> Credentials:
    """Something that masks `secret` in every form an echo takes, and in every log record while
    it lives: the client's credentials are its one public way to do both, so a secret the
    credentials do not send (a refresh token, the client secret) gets an `OAuth` of its own,
    which is never used to call anything."""
    return OAuth(portal, secret)


class Refresher:
    """The client's token refresher: the refresh-token grant at the OAuth server, by the docs.

    `hide` is told each new secret the server hands out (the next refresh token), so that the
    run masks it too.
    """

    def __init__(self, grant: OAuthGrant, hide: Callable[[str], None]) -> None:
        if not (grant.refresh_token and grant.client_id and grant.client_secret):
            raise ValueError("a refresh needs the refresh token, the client id and its secret")
        self._grant = grant
        self._refresh_token = grant.refresh_token
        self._hide = hide
        self.refreshed = 0

    def __call__(self) -> str:
        grant = self._grant
        params = {
            "grant_type": "refresh_token",
            "client_id": grant.client_id or "",
            "client_secret": grant.client_secret or "",
            "refresh_token": self._refresh_token,
        }
        try:
            response = httpx.get(
                grant.token_server, params=params, timeout=REFRESH_TIMEOUT, follow_redirects=False
            )
            answer = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise RefreshFailed(f"the OAuth server could not refresh the token: {error}") from None
        token = answer.get("access_token") if isinstance(answer, dict) else None
        if response.status_code != 200 or not isinstance(token, str) or not token:
            code = answer.get("error", "") if isinstance(answer, dict) else ""
            raise RefreshFailed(
                f"the OAuth server refused to refresh the token (HTTP {response.status_code} "
                f"{code})"
            )
        self._hide(token)
        following = answer.get("refresh_token")
        if isinstance(following, str) and following:
            self._hide(following)
            self._refresh_token = following
        self.refreshed += 1
        return token
