"""The two ways to authenticate to a portal, and how each keeps its secret out of sight.

httpx, the generated code and the caller only ever see a base URL without the secret: a webhook
client's base URL has `***` where the code goes, an OAuth client's has no token at all. The
client's transport adds the secret to each request just before it leaves (`authorize`), so
httpx's request log, `response.request.url`, reprs and exception texts cannot show it.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import httpx

from b24_badge_client.redaction import MASK, Secrets

_WEBHOOK_PATH = re.compile(r"^(?P<prefix>.*/rest/(?P<user>\d+)/)(?P<code>[^/]+)/?$")

TokenRefresher = Callable[[], str]
AsyncTokenRefresher = Callable[[], Awaitable[str]]


def _portal(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("expected an http(s) URL such as https://portal.bitrix24.com/rest/1/CODE/")
    return f"{parts.scheme}://{parts.netloc}", parts.path


class Webhook:
    """An incoming webhook URL, `https://portal/rest/{user_id}/{code}/`."""

    def __init__(self, url: str) -> None:
        origin, path = _portal(url)
        match = _WEBHOOK_PATH.match(path)
        if match is None:
            raise ValueError("not a webhook URL; expected https://portal/rest/USER_ID/CODE/")
        self._code = match["code"]
        self._real_prefix = f"{match['prefix']}{self._code}/".encode()
        self._masked_prefix = f"{match['prefix']}{MASK}/".encode()
        self.base_url = f"{origin}{match['prefix']}{MASK}/"
        self.secrets = Secrets(self._code)
        self._real_urls: dict[bytes, httpx.URL] = {}  # a client calls few URLs; parse each once

    @contextmanager
    def authorized(self, request: httpx.Request) -> Iterator[httpx.Request]:
        """The request with the real URL while it is sent; the masked one again afterwards.

        Swapping the URL in place (rather than copying the request) keeps the client cheap; the
        `finally` guarantees that whatever keeps the request afterwards, the response or an
        exception, holds the masked URL.
        """
        masked = request.url
        real = self._real_urls.get(masked.raw_path)
        if real is None:
            path = masked.raw_path
            if path.startswith(self._masked_prefix):
                path = self._real_prefix + path[len(self._masked_prefix) :]
            real = self._real_urls[masked.raw_path] = masked.copy_with(raw_path=path)
        request.url = real
        try:
            yield request
        finally:
            request.url = masked

    def can_refresh(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"Webhook({self.base_url!r})"


class OAuth:
    """An OAuth application's access token for `https://portal/rest/`, sent as `auth`.

    `refresh`, when given, is called (once per expiry) after the portal answers 401
    `expired_token`; it returns a new access token, for example from your refresh-token flow.
    """

    def __init__(
        self,
        portal: str,
        access_token: str,
        refresh: TokenRefresher | AsyncTokenRefresher | None = None,
    ) -> None:
        origin, _ = _portal(portal)
        self.base_url = f"{origin}/rest/"
        self._token = access_token
        self._refresh = refresh
        self._lock = threading.Lock()
        self.secrets = Secrets(access_token)

    @contextmanager
    def authorized(self, request: httpx.Request) -> Iterator[httpx.Request]:
        """A copy of the request carrying the token, as `auth` in the JSON body like the docs'
        examples (or in the query string for a non-JSON body); the original never holds it."""
        yield self._with_token(request)

    def _with_token(self, request: httpx.Request) -> httpx.Request:
        with self._lock:
            token = self._token
        content = request.read()
        media_type = request.headers.get("content-type", "").split(";")[0]
        if content and media_type != "application/json":
            params = request.url.params.set("auth", token)
            return _copy(request, url=request.url.copy_with(params=params))
        body = json.loads(content) if content else {}
        body["auth"] = token
        return _copy(request, content=json.dumps(body).encode(), content_type="application/json")

    def can_refresh(self) -> bool:
        return self._refresh is not None

    def refreshed(self, token: str) -> None:
        with self._lock:
            self._token = token
        self.secrets.add(token)

    @property
    def refresher(self) -> TokenRefresher | AsyncTokenRefresher | None:
        return self._refresh

    def __repr__(self) -> str:
        return f"OAuth({self.base_url!r}, access_token={MASK!r})"


class NoCredentials:
    """Sends requests as they are, without any secret: for probing how a portal refuses them."""

    def __init__(self, portal: str) -> None:
        origin, _ = _portal(portal)
        self.base_url = f"{origin}/rest/"
        self.secrets = Secrets()

    @contextmanager
    def authorized(self, request: httpx.Request) -> Iterator[httpx.Request]:
        yield request

    def can_refresh(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"NoCredentials({self.base_url!r})"


Credentials = Webhook | OAuth | NoCredentials


def _copy(
    request: httpx.Request,
    *,
    url: httpx.URL | None = None,
    content: bytes | None = None,
    content_type: str | None = None,
) -> httpx.Request:
    if content is None:  # same body: share the stream, skip re-encoding
        return httpx.Request(
            request.method,
            url or request.url,
            headers=request.headers,
            stream=request.stream,
            extensions=request.extensions,
        )
    headers = httpx.Headers(request.headers)
    headers["content-length"] = str(len(content))
    if content_type:
        headers["content-type"] = content_type
    return httpx.Request(
        request.method,
        url or request.url,
        headers=headers,
        content=content,
        extensions=request.extensions,
    )
