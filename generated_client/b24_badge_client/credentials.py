"""The two ways to authenticate to a portal, and how each keeps its secret out of sight.

httpx, the generated code and the caller only ever see a base URL without the secret: a webhook
client's base URL has `***` where the code goes, an OAuth client's has no token at all. The
client's transport adds the secret to each request just before it leaves (`authorize`), so
httpx's request log, `response.request.url`, reprs and exception texts cannot show it.
"""

from __future__ import annotations

import asyncio
import inspect
import ipaddress
import json
import re
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from urllib.parse import urlencode, urlsplit

import httpx

from b24_badge_client.redaction import MASK, Secrets

_WEBHOOK_PATH = re.compile(r"^(?P<prefix>.*/rest/(?P<user>\d+)/)(?P<code>[^/]+)/?$")

TokenRefresher = Callable[[], str]
AsyncTokenRefresher = Callable[[], Awaitable[str]]


def method_name(path: str) -> str:
    """The Bitrix method a URL path calls, as portals read it: the last segment, without a
    trailing slash or `.json`, in lower case (`/rest/1/***/CRM.Activity.Badge.Get.json/`)."""
    return path.rstrip("/").rsplit("/", 1)[-1].lower().removesuffix(".json")


def _portal(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("expected an http(s) URL such as https://portal.bitrix24.com/rest/1/CODE/")
    if parts.scheme == "http" and not is_loopback(parts.hostname or ""):
        raise ValueError(
            "plain http would send the secret unencrypted; use https "
            "(http is accepted for loopback addresses only)"
        )
    return f"{parts.scheme}://{parts.netloc}", parts.path


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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
        # The client calls four URLs; parse each once. (URLs with a query are not cached: any
        # number of them may come.)
        self._real_urls: dict[bytes, httpx.URL] = {}

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
            real = masked.copy_with(raw_path=path)
            if not masked.query:
                self._real_urls[masked.raw_path] = real
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

    `refresh`, when given, is called after the portal answers 401 `expired_token`, once per
    expired token however many requests met it at the same time (Bitrix replaces the refresh
    token on every use); it returns a new access token, from your refresh-token flow.
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
        self._lock = threading.Lock()  # guards the token, and a sync refresh
        self._async_lock: asyncio.Lock | None = None
        self.secrets = Secrets(access_token)

    @property
    def token(self) -> str:
        with self._lock:
            return self._token

    @contextmanager
    def authorized(self, request: httpx.Request) -> Iterator[httpx.Request]:
        """A copy of the request carrying the token as `auth`; the original never holds it.

        In the JSON body, as the docs' examples send it; in a url-encoded body; in the query
        string for GET and multipart bodies (where the docs accept it too).
        """
        yield self._with_token(request, self.token)

    @staticmethod
    def _with_token(request: httpx.Request, token: str) -> httpx.Request:
        content = request.read()
        media_type = request.headers.get("content-type", "").split(";")[0].strip()
        if request.method in ("GET", "HEAD") or media_type == "multipart/form-data":
            params = request.url.params.set("auth", token)
            return _copy(request, url=request.url.copy_with(params=params))
        if media_type == "application/x-www-form-urlencoded":
            form = content + (b"&" if content else b"") + urlencode({"auth": token}).encode()
            return _copy(request, content=form)
        body = json.loads(content) if content else {}
        body["auth"] = token
        return _copy(request, content=json.dumps(body).encode(), content_type="application/json")

    def can_refresh(self) -> bool:
        return self._refresh is not None

    def refresh(self, failed: str) -> None:
        """Replace the token that `failed` with a fresh one, unless that already happened."""
        with self._lock:
            if self._token != failed or self._refresh is None:
                return
            token = self._refresh()
            if inspect.isawaitable(token):
                raise TypeError("an async token refresher needs the async client")
            self._token = token
        self.secrets.add(token)

    async def arefresh(self, failed: str) -> None:
        """`refresh` for the async client: the refresher may be a coroutine function."""
        if self._async_lock is None:
            self._async_lock = asyncio.Lock()
        async with self._async_lock:
            if self.token != failed or self._refresh is None:
                return
            token = self._refresh()
            fresh = await token if inspect.isawaitable(token) else token
            with self._lock:
                self._token = fresh
        self.secrets.add(fresh)

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
