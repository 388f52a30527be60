"""Portals that misbehave on purpose: the emulator wrapped in ASGI middleware.

Each double changes one thing about a conforming portal, the way a real portal or the proxy in
front of it could: an answer rewritten, an HTML error page, a slow answer, a request quietly
ignored. Tests serve them over real HTTP with `run_emulator(settings, wrap=...)`.
"""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from b24_spec.methods import method_name

Answer = tuple[int, dict[str, str], bytes]
Wrap = Callable[[ASGIApp], ASGIApp]


class Exchange:
    """One call as a double sees it: the request, and the portal's answer once there is one."""

    def __init__(self, scope: Scope, request: bytes) -> None:
        self.scope = scope
        self.request = request
        self.status = 0
        self.body = b""

    @property
    def path(self) -> str:
        return str(self.scope["path"])

    @property
    def query(self) -> bytes:
        return bytes(self.scope["query_string"])

    @property
    def method(self) -> str:
        return method_name(self.path)

    def params(self) -> dict[str, Any]:
        """The JSON body's parameters (the suite and the client send JSON); {} otherwise."""
        try:
            params = json.loads(self.request or b"{}")
        except ValueError:
            return {}
        return params if isinstance(params, dict) else {}


Before = Callable[[Exchange], Answer | None]  # an answer here replaces the portal's
After = Callable[[Exchange], Answer | None]  # an answer here replaces the one the portal gave


class Double:
    """The wrapped portal, with a hook before each call and one after it."""

    def __init__(
        self, app: ASGIApp, before: Before | None = None, after: After | None = None
    ) -> None:
        self.app = app
        self.before = before
        self.after = after

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        exchange = Exchange(dict(scope), b"".join(chunks))
        answer = self.before(exchange) if self.before else None
        if answer is None:
            answer = await self._forward(exchange)
        await send(
            {
                "type": "http.response.start",
                "status": answer[0],
                "headers": [(k.lower().encode(), v.encode()) for k, v in answer[1].items()]
                + [(b"content-length", str(len(answer[2])).encode())],
            }
        )
        await send({"type": "http.response.body", "body": answer[2]})

    async def _forward(self, exchange: Exchange) -> Answer:
        start: Message = {}
        chunks: list[bytes] = []
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": exchange.request, "more_body": False}

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(exchange.scope, replay, capture)
        exchange.status, exchange.body = start["status"], b"".join(chunks)
        headers = {
            k.decode(): v.decode()
            for k, v in start.get("headers", [])
            if k.lower() != b"content-length"
        }
        changed = self.after(exchange) if self.after else None
        return changed or (exchange.status, headers, exchange.body)


def json_answer(status: int, body: Any) -> Answer:
    return status, {"content-type": "application/json"}, json.dumps(body).encode()


def rewriting(after: After) -> Wrap:
    return lambda app: Double(app, after=after)


def intercepting(before: Before) -> Wrap:
    return lambda app: Double(app, before=before)


def successes(change: Callable[[dict[str, Any]], Any]) -> Wrap:
    """Pass every 200 JSON answer through `change` (which edits it in place or returns one)."""

    def after(exchange: Exchange) -> Answer | None:
        if exchange.status != 200:
            return None
        answer = json.loads(exchange.body)
        changed = change(answer)
        return json_answer(200, answer if changed is None else changed)

    return rewriting(after)


def errors(change: Callable[[int, dict[str, Any]], Answer | None]) -> Wrap:
    """Pass every error answer (status, JSON body) through `change`."""

    def after(exchange: Exchange) -> Answer | None:
        return (
            change(exchange.status, json.loads(exchange.body)) if exchange.status >= 400 else None
        )

    return rewriting(after)


def each_badge(answer: dict[str, Any]) -> list[dict[str, Any]]:
    result = answer.get("result")
    if not isinstance(result, dict):
        return []
    return [result["badge"]] if "badge" in result else list(result.get("badges", []))


def html_errors(status: int = 502) -> Wrap:
    """Errors come back as a proxy's HTML page, quoting the request path (as nginx pages do)."""

    def after(exchange: Exchange) -> Answer | None:
        if exchange.status < 400:
            return None
        page = f"<html><body><h1>{status} Bad Gateway</h1><p>{exchange.path}</p></body></html>"
        return status, {"content-type": "text/html"}, page.encode()

    return rewriting(after)


def always(status: int, body: Any, echo: bool = False) -> Wrap:
    """Every call gets this answer; with `echo` its description quotes the whole request."""

    def before(exchange: Exchange) -> Answer | None:
        answer = dict(body)
        if echo:
            quoted = f"{exchange.path}?{exchange.query.decode()} {exchange.request.decode()}"
            answer["error_description"] = f"{answer.get('error_description', '')} {quoted}"
        return json_answer(status, answer)

    return intercepting(before)


def redirect_to(location: str) -> Wrap:
    return intercepting(lambda exchange: (302, {"location": location}, b""))


class Slow:
    """Answers only after `seconds`."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await asyncio.sleep(self.seconds)
        await self.app(scope, receive, send)


class Counting:
    """Counts the calls that reach the portal, per method."""

    def __init__(self, app: ASGIApp, counts: dict[str, int]) -> None:
        self.app = app
        self.counts = counts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            method = method_name(str(scope["path"]))
            self.counts[method] = self.counts.get(method, 0) + 1
        await self.app(scope, receive, send)


def gzipped(app: ASGIApp) -> ASGIApp:
    """Every answer gzip-compressed, as portals and proxies do when the client accepts it."""

    def after(exchange: Exchange) -> Answer | None:
        kind = "application/json" if exchange.body.startswith(b"{") else "text/plain"
        body = gzip.compress(exchange.body)
        return exchange.status, {"content-type": kind, "content-encoding": "gzip"}, body

    return Double(app, after=after)


def paged_list(size: int) -> Wrap:
    """list answers in pages of `size`, with `next` and `total`, honouring `start`."""

    def after(exchange: Exchange) -> Answer | None:
        if exchange.method != "crm.activity.badge.list" or exchange.status != 200:
            return None
        answer = json.loads(exchange.body)
        query = parse_qs(exchange.query.decode())
        start = int(exchange.params().get("start") or query.get("start", ["0"])[0] or 0)
        badges = answer["result"]["badges"]
        answer["result"]["badges"] = badges[start : start + size]
        answer["total"] = len(badges)
        answer.pop("next", None)
        if start + size < len(badges):
            answer["next"] = start + size
        return json_answer(200, answer)

    return rewriting(after)


def answers_other_badge(app: ASGIApp) -> ASGIApp:
    """get answers the first badge of the portal, whatever code it was asked for."""

    def after(exchange: Exchange) -> Answer | None:
        if exchange.method != "crm.activity.badge.get" or exchange.status != 200:
            return None
        answer = json.loads(exchange.body)
        answer["result"]["badge"] = dict(answer["result"]["badge"], code="missedCall")
        return json_answer(200, answer)

    return Double(app, after=after)


def lying_encoding(app: ASGIApp) -> ASGIApp:
    """Every answer claims gzip, and is plain JSON."""

    def after(exchange: Exchange) -> Answer | None:
        kind = {"content-type": "application/json", "content-encoding": "gzip"}
        return exchange.status, kind, exchange.body

    return Double(app, after=after)


def refusing(method: str, when: Callable[[Exchange], bool], status: int = 400) -> Wrap:
    """`method` calls for which `when` holds are refused with INVALID_ARG_VALUE."""
    error = {"error": "INVALID_ARG_VALUE", "error_description": "Invalid value"}

    def before(exchange: Exchange) -> Answer | None:
        if exchange.method == method and when(exchange):
            return json_answer(status, error)
        return None

    return intercepting(before)


def deletes_everything_without_a_code(app: Any) -> ASGIApp:
    """delete without a code deletes every badge (a PHP portal reading "" as "all")."""

    def before(exchange: Exchange) -> Answer | None:
        carries_code = b"code" in exchange.request + exchange.query
        if exchange.method == "crm.activity.badge.delete" and not carries_code:
            for badge in app.state.portal.store.list():
                app.state.portal.store.delete(badge.code)
        return None

    return Double(app, before=before)


def denying(method: str | None, status: int, error: str, description: str) -> Wrap:
    """Calls of `method` (every call when None) are refused with `status` and this error, as a
    portal refuses a webhook without the scope or a user without the right (403 ACCESS_DENIED,
    401 insufficient_scope); the other calls are answered as usual."""

    def before(exchange: Exchange) -> Answer | None:
        if method is None or exchange.method == method:
            return json_answer(status, {"error": error, "error_description": description})
        return None

    return intercepting(before)


def token_server(access: str, refresh: str, seen: list[dict[str, str]]) -> Wrap:
    """The OAuth server beside the portal: `GET /oauth/token/?grant_type=refresh_token&...`
    answers a new pair, as oauth.bitrix24.tech does (its query is noted in `seen`); every other
    call goes to the portal."""

    def before(exchange: Exchange) -> Answer | None:
        if exchange.path.rstrip("/") != "/oauth/token":
            return None
        query = {k: v[0] for k, v in parse_qs(exchange.query.decode()).items()}
        seen.append(query)
        if query.get("grant_type") != "refresh_token":
            return json_answer(400, {"error": "invalid_request", "error_description": ""})
        pair = {"access_token": access, "refresh_token": refresh, "expires_in": 3600}
        return json_answer(200, {**pair, "domain": "oauth.example", "user_id": 1})

    return intercepting(before)


def echoing_requests(app: ASGIApp) -> ASGIApp:
    """Error answers quote the request they refuse, query and body, as sent and JSON-escaped
    character by character (as some proxies and PHP error pages do): a webhook code in the path
    or a token sent as `auth` comes back in the answer."""

    def after(exchange: Exchange) -> Answer | None:
        if exchange.status < 400:
            return None
        answer = json.loads(exchange.body)
        raw = f"{exchange.path}?{exchange.query.decode()} {exchange.request.decode('latin-1')}"
        escaped = "".join(f"\\u{ord(char):04x}" for char in raw if ord(char) < 0x10000)
        answer["error_description"] = f"{answer.get('error_description', '')} ({raw})"
        body = json.dumps(answer)[:-1] + f', "echo": "{escaped}"}}'
        return exchange.status, {"content-type": "application/json"}, body.encode()

    return Double(app, after=after)


def fails_after(calls: int, status: int, error: str) -> Wrap:
    """A portal that answers its first `calls` calls, then only `status` with `error`: 503
    QUERY_LIMIT_EXCEEDED that never drains or OVERLOAD_LIMIT (someone else's traffic exhausts
    it in the middle of a run), 401 INVALID_CREDENTIALS (the webhook was deleted)."""
    seen = 0

    def before(exchange: Exchange) -> Answer | None:
        nonlocal seen
        seen += 1
        if seen <= calls:
            return None
        return json_answer(status, {"error": error, "error_description": "Too many requests"})

    return intercepting(before)


def keeps_its_first_badge(app: ASGIApp) -> ASGIApp:
    """The first badge an add stores can never be deleted (403 ACCESS_DENIED): only the run's
    cleanup tries to, since every generated delete has a code prefix of its own."""
    kept: list[str] = []

    def before(exchange: Exchange) -> Answer | None:
        code = exchange.params().get("code")
        if exchange.method == "crm.activity.badge.delete" and kept and code == kept[0]:
            return json_answer(403, {"error": "ACCESS_DENIED", "error_description": "Denied"})
        return None

    def after(exchange: Exchange) -> Answer | None:
        if exchange.method == "crm.activity.badge.add" and exchange.status == 200 and not kept:
            kept.append(json.loads(exchange.body)["result"]["badge"]["code"])
        return None

    return Double(app, before=before, after=after)


def slow_deletes(seconds: float) -> Wrap:
    """Every delete takes `seconds` (a portal under load): a cleanup cut short leaves some."""

    class SlowDeletes:
        def __init__(self, app: ASGIApp) -> None:
            self.app = app

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http" and method_name(str(scope["path"])).endswith(".delete"):
                await asyncio.sleep(seconds)
            await self.app(scope, receive, send)

    return SlowDeletes
