"""Portals that misbehave on purpose: the emulator wrapped in ASGI middleware.

Each double changes one thing about a conforming portal, the way a real portal or the proxy in
front of it could: an answer rewritten, an HTML error page, a slow answer, a request quietly
ignored. Tests serve them over real HTTP with `run_emulator(settings, wrap=...)`.
"""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlencode

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from b24_emulator.batch import MAX_COMMANDS, php_array
from b24_spec.methods import BATCH, method_name

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


# -- batch -----------------------------------------------------------------------------------
# Doubles of portals whose batch differs from the emulator's: the suite builds its batches
# itself (b24_conformance.batch), as JSON, a url-encoded form or a GET query.


def with_body(exchange: Exchange, body: bytes, content_type: str | None = None) -> None:
    """Replace the request body, and the headers that describe it."""
    names = {b"content-length"} | ({b"content-type"} if content_type else set())
    headers = [(k, v) for k, v in exchange.scope["headers"] if k.lower() not in names]
    if content_type:
        headers.append((b"content-type", content_type.encode()))
    headers.append((b"content-length", str(len(body)).encode()))
    exchange.scope["headers"] = headers
    exchange.request = body


def keyed(cmd: Any) -> dict[str, Any]:
    """`cmd` (or a part of an answer) as {name: entry}: a list by position."""
    if isinstance(cmd, dict):
        return {str(key): value for key, value in cmd.items()}
    return {str(index): value for index, value in enumerate(cmd)} if isinstance(cmd, list) else {}


def batch_successes(change: Callable[[dict[str, Any]], Any]) -> Wrap:
    """Pass the `result` of every 200 batch answer (its five parts) through `change`."""

    def after(exchange: Exchange) -> Answer | None:
        if exchange.method != BATCH or exchange.status != 200:
            return None
        answer = json.loads(exchange.body)
        change(answer["result"])
        return json_answer(200, answer)

    return rewriting(after)


def _is_halt(key: str) -> bool:
    return key.lower() == "halt"


def ignores_halt(exchange: Exchange) -> Answer | None:
    """A batch runs every command, whatever `halt` says: it is taken out of the request, in
    whichever encoding it came."""
    if exchange.method != BATCH:
        return None
    query = [(k, v) for k, v in parse_qsl(exchange.query.decode()) if not _is_halt(k)]
    exchange.scope["query_string"] = urlencode(query).encode()
    kind = dict(exchange.scope["headers"]).get(b"content-type", b"").decode()
    if kind.startswith("application/json"):
        params = {k: v for k, v in exchange.params().items() if not _is_halt(k)}
        with_body(exchange, json.dumps(params).encode())
    elif kind.startswith("application/x-www-form-urlencoded"):
        fields = parse_qsl(exchange.request.decode(), keep_blank_values=True)
        with_body(exchange, urlencode([(k, v) for k, v in fields if not _is_halt(k)]).encode())
    return None


SendBatch = Callable[..., Awaitable[Any]]  # (params): a JSON batch; (query=...): a GET one
BatchHandler = Callable[[dict[str, Any], SendBatch], Awaitable[Any]]
JSON_KIND = "application/json"


class Batches(Double):
    """The wrapped portal with each JSON batch answered by `handle(params, send)`, which may
    send batches of its own to the portal; None: the portal answers as it would."""

    def __init__(self, app: ASGIApp, handle: BatchHandler) -> None:
        super().__init__(app)
        self.handle = handle

    async def _forward(self, exchange: Exchange) -> Answer:
        params = exchange.params()
        if exchange.method != BATCH or "cmd" not in params:
            return await super()._forward(exchange)

        async def send(params: dict[str, Any] | None = None, query: str = "") -> Any:
            inner = Exchange(dict(exchange.scope), b"")
            inner.scope.update(method="GET" if params is None else "POST")
            inner.scope["query_string"] = query.encode()
            with_body(inner, b"" if params is None else json.dumps(params).encode(), JSON_KIND)
            _, _, body = await super(Batches, self)._forward(inner)
            return json.loads(body)

        answer = await self.handle(params, send)
        return await super()._forward(exchange) if answer is None else json_answer(200, answer)


def _merged(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """Two batch answers as one, each part's entries together, rendered as PHP would."""
    parts = {
        name: php_array({**keyed(part), **keyed(second["result"][name])})
        for name, part in first["result"].items()
    }
    return {**first, "result": parts}


async def _runs_past_the_50th(params: dict[str, Any], send: SendBatch) -> Any:
    commands = list(keyed(params["cmd"]).items())
    if len(commands) <= MAX_COMMANDS:
        return None
    first = await send({**params, "cmd": dict(commands[:MAX_COMMANDS])})
    rest = await send({**params, "cmd": dict(commands[MAX_COMMANDS:])})
    return _merged(first, rest)


def runs_past_the_50th(app: ASGIApp) -> ASGIApp:
    """A batch of more than 50 commands runs them all (in two batches behind the scenes)."""
    return Batches(app, _runs_past_the_50th)


def _calls_batch(command: Any) -> bool:
    return isinstance(command, str) and method_name("/" + command.partition("?")[0]) == BATCH


async def _runs_nested(params: dict[str, Any], send: SendBatch) -> Any:
    nested = {k: c for k, c in keyed(params["cmd"]).items() if _calls_batch(c)}
    if not nested:
        return None
    answer = await send(params)  # the portal refuses the nested command; it is run below
    parts = {name: keyed(part) for name, part in answer["result"].items()}
    for key, command in nested.items():
        inner = await send(query=command.partition("?")[2])
        parts["result_error"].pop(key, None)
        parts["result"][key] = inner["result"]
        parts["result_time"][key] = inner["time"]
    answer["result"] = {name: php_array(entries) for name, entries in parts.items()}
    return answer


def runs_nested_batches(app: ASGIApp) -> ASGIApp:
    """A batch command that calls batch runs it (as portals before rest 24.0.0 did)."""
    return Batches(app, _runs_nested)


def refusing_batches(when: Callable[[dict[str, Any]], bool], status: int, code: str) -> Wrap:
    """A JSON batch for which `when(params)` holds is refused as a whole."""

    def before(exchange: Exchange) -> Answer | None:
        if exchange.method == BATCH and when(exchange.params()):
            return json_answer(status, {"error": code, "error_description": "Refused"})
        return None

    return intercepting(before)


def denying(method: str | None, status: int, error: str, description: str) -> Wrap:
    """Calls of `method` (every call when None) are refused with `status` and this error, as a
    portal refuses a webhook without the scope or a user without the right (403 ACCESS_DENIED,
    401 insufficient_scope); the other calls are answered as usual."""

    def before(exchange: Exchange) -> Answer | None:
        if method is None or exchange.method == method:
            return json_answer(status, {"error": error, "error_description": description})
        return None

    return intercepting(before)


def longer_than_50(params: dict[str, Any]) -> bool:
    return len(keyed(params.get("cmd"))) > MAX_COMMANDS


def nesting(params: dict[str, Any]) -> bool:
    return any(_calls_batch(command) for command in keyed(params.get("cmd")).values())


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
