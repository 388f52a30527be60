"""The ways to authenticate to a portal, and how each keeps its secret out of sight.

httpx, the generated code and the caller only ever see a base URL without the secret: a webhook
client's base URL has `***` where the code goes, an OAuth client's has no token at all. The
client's transport asks the credentials for a copy of each request that carries the secret
(`_authorized`) and hands that copy straight to the network, so httpx's request log,
`response.request`, reprs, exception texts and the locals of any frame the client owns cannot
show it. The secret itself lives only in these objects, whose repr masks it.
"""

from __future__ import annotations

import inspect
import ipaddress
import json
import re
import threading
from collections.abc import Awaitable, Callable
from urllib.parse import urlencode, urlsplit

import anyio
import httpx

from b24_badge_client._redaction import MASK, Secrets, masked

_WEBHOOK_PATH = re.compile(r"^(?P<prefix>.*/rest/(?P<user>\d+)/)(?P<code>[^/]+)/?$")

TokenRefresher = Callable[[], str]
"""Returns a fresh OAuth access token (from your refresh-token flow); sync client and async."""

AsyncTokenRefresher = Callable[[], Awaitable[str]]
"""A coroutine function returning a fresh access token; for `AsyncBadgeClient` only."""


def method_name(path: str) -> str:
    """The Bitrix method a URL path calls, as portals read it: the last segment, without a
    trailing slash or `.json`, in lower case (`/rest/1/***/CRM.Activity.Badge.Get.json/`).

    Use it to label what you log or measure in an `on_response` hook; the client uses it to
    name the method in its errors and to remember each method's `operating_reset_at`.
    """
    return path.rstrip("/").rsplit("/", 1)[-1].lower().removesuffix(".json")


def _portal(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("expected an http(s) URL such as https://portal.bitrix24.com/rest/1/CODE/")
    if parts.scheme == "http" and not _is_loopback(parts.hostname or ""):
        raise ValueError(
            "plain http would send the secret unencrypted; use https "
            "(http is accepted for loopback addresses only)"
        )
    return f"{parts.scheme}://{parts.netloc}", parts.path


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Credentials:
    """What a client proves itself with; `Webhook`, `OAuth` or `NoCredentials`.

    Each knows the masked `base_url` that everything above the transport uses, and its secrets,
    so it can mask them in text and answers you want to show or keep (`redact`, `masked`).
    Not meant to be subclassed: the transport relies on the three kinds it knows.
    """

    base_url: str
    _generation = 0  # which token is current, so a refresh replaces exactly the expired one

    def __init__(self, base_url: str, secrets: Secrets) -> None:
        self.base_url = base_url
        self._secrets = secrets

    def redact(self, text: str) -> str:
        """`text` with this client's secrets masked as `***`, in every form an echo takes
        (JSON-escaped, URL-encoded, any case, base64): for messages and reports you write."""
        return self._secrets.redact(text)

    def masked(self, response: httpx.Response) -> httpx.Response:
        """A copy of an (already read) answer with the secrets masked in its headers and body:
        safe to log, store or attach to an error report."""
        return masked(response, self._secrets)

    def _authorized(self, request: httpx.Request) -> httpx.Request:
        """A copy of `request` that carries the secret; `request` itself is left as it is."""
        return request

    def _can_refresh(self) -> bool:
        return False

    def _check_sync(self) -> None:
        """Refuse, at construction, what only the async client can use."""

    def _refresh(self, generation: int) -> None:
        """Replace the token of `generation` with a fresh one (sync client)."""

    async def _arefresh(self, generation: int) -> None:
        """Replace the token of `generation` with a fresh one (async client)."""


class Webhook(Credentials):
    """An incoming webhook URL, `https://portal/rest/{user_id}/{code}/`: the simplest way in.

    The code in the URL is the secret: the client shows the URL as `.../rest/1/***/`.
    """

    def __init__(self, url: str) -> None:
        origin, path = _portal(url)
        match = _WEBHOOK_PATH.match(path)
        if match is None:
            raise ValueError("not a webhook URL; expected https://portal/rest/USER_ID/CODE/")
        super().__init__(f"{origin}{match['prefix']}{MASK}/", Secrets(match["code"]))
        self._real_prefix = f"{match['prefix']}{match['code']}/".encode()
        self._masked_prefix = f"{match['prefix']}{MASK}/".encode()
        self._real_urls: dict[bytes, httpx.URL] = {}  # masked path -> real URL

    def _authorized(self, request: httpx.Request) -> httpx.Request:
        # A shallow copy with the real URL: headers, body and extensions are the same objects.
        # (Cheaper than a new httpx.Request, which copies headers and extensions: this runs on
        # every call, and the client's overhead is measured, benchmarks/client_overhead.py.)
        url = request.url
        path = url.raw_path
        real = self._real_urls.get(path)
        if real is None:
            real = url.copy_with(raw_path=self._real_prefix + path[len(self._masked_prefix) :])
            if not path.startswith(self._masked_prefix):
                real = url  # not under this webhook: sent as it is
            elif not url.query:  # the client calls four URLs; URLs with a query may be many
                self._real_urls[path] = real
        outgoing: httpx.Request = object.__new__(httpx.Request)
        vars(outgoing).update(vars(request))
        outgoing.url = real
        return outgoing

    def __repr__(self) -> str:
        return f"Webhook({self.base_url!r})"


class OAuth(Credentials):
    """An OAuth application's access token for `https://portal/rest/`, sent as `auth`.

    For applications installed on many portals. `refresh`, when given, is called after the
    portal answers 401 `expired_token`, once per expired token however many requests met it at
    the same time (Bitrix replaces the refresh token on every use, so a second refresh with the
    old one would fail); it returns a new access token, from your refresh-token flow.
    """

    def __init__(
        self,
        portal: str,
        access_token: str,
        refresh: TokenRefresher | AsyncTokenRefresher | None = None,
    ) -> None:
        origin, _ = _portal(portal)
        super().__init__(f"{origin}/rest/", Secrets(access_token))
        self._token = access_token
        self._generation = 0
        self._refresher = refresh
        self._lock = threading.Lock()  # guards the token, and a sync refresh
        self._async_lock = anyio.Lock()

    def _authorized(self, request: httpx.Request) -> httpx.Request:
        """In the JSON body, as the docs' examples send it; in a url-encoded body; in the query
        string for GET and multipart bodies (where the docs accept it too), and for a body that
        is not a JSON object (invalid data a conformance run sends on purpose)."""
        content = request.read()
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type == "application/x-www-form-urlencoded" and request.method not in (
            "GET",
            "HEAD",
        ):
            form = content + (b"&" if content else b"") + urlencode({"auth": self._token}).encode()
            return _copy(request, content=form)
        try:
            body = json.loads(content) if content else {}
        except ValueError:
            body = None
        if (
            request.method in ("GET", "HEAD")
            or media_type == "multipart/form-data"
            or not isinstance(body, dict)
        ):
            params = request.url.params.set("auth", self._token)
            return _copy(request, url=request.url.copy_with(params=params))
        body["auth"] = self._token
        return _copy(request, content=json.dumps(body).encode(), content_type="application/json")

    def _can_refresh(self) -> bool:
        return self._refresher is not None

    def _check_sync(self) -> None:
        if _is_async(self._refresher):
            raise TypeError(
                "an async token refresher needs AsyncBadgeClient (or AsyncBitrixTransport); "
                "give BadgeClient a plain function that returns the new token"
            )

    def _refresh(self, generation: int) -> None:
        with self._lock:
            if self._generation != generation or self._refresher is None:
                return  # another request refreshed this token already
            token = self._refresher()
            if inspect.isawaitable(token):
                _discard(token)
                raise TypeError(
                    "the token refresher returned an awaitable: an async refresher needs "
                    "AsyncBadgeClient (or AsyncBitrixTransport)"
                )
            self._replace(token)

    async def _arefresh(self, generation: int) -> None:
        async with self._async_lock:
            if self._generation != generation or self._refresher is None:
                return
            token = self._refresher()
            if inspect.isawaitable(token):
                token = await token
            with self._lock:
                self._replace(token)

    def _replace(self, token: str) -> None:
        self._secrets.add(token)
        self._token = token
        self._generation += 1

    def __repr__(self) -> str:
        return f"OAuth({self.base_url!r}, access_token={MASK!r})"


class NoCredentials(Credentials):
    """Sends requests as they are, without any secret: for probing how a portal refuses them
    (the conformance suite checks that a call without credentials gets 401 and the envelope)."""

    def __init__(self, portal: str) -> None:
        origin, _ = _portal(portal)
        super().__init__(f"{origin}/rest/", Secrets())

    def __repr__(self) -> str:
        return f"NoCredentials({self.base_url!r})"


def _is_async(function: object) -> bool:
    return inspect.iscoroutinefunction(function) or (
        callable(function) and inspect.iscoroutinefunction(type(function).__call__)
    )


def _discard(awaitable: object) -> None:
    close = getattr(awaitable, "close", None)
    if callable(close):
        close()  # an un-awaited coroutine would warn "never awaited"; it is refused, not lost


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
