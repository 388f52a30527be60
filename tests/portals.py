"""Portals that misbehave on purpose: the emulator wrapped in ASGI middleware.

Each double changes one thing about a conforming portal, the way a real portal or the proxy in
front of it could: an answer rewritten, an HTML error page, a slow answer, a request quietly
ignored. Tests serve them over real HTTP with `run_emulator(settings, wrap=...)`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

Answer = tuple[int, dict[str, str], bytes]


class Exchange:
    """One request and the portal's answer to it, as a rewrite sees them."""

    def __init__(self, scope: Scope, request: bytes, status: int, body: bytes) -> None:
        self.path: str = scope["path"]
        self.query: bytes = scope["query_string"]
        self.request = request
        self.status = status
        self.body = body

    @property
    def method(self) -> str:
        return self.path.rstrip("/").rsplit("/", 1)[-1].lower().removesuffix(".json")


Rewrite = Callable[[Exchange], Answer | None]


class RewriteAnswers:
    """Let the portal answer, then replace the answer when `rewrite` returns one."""

    def __init__(self, app: ASGIApp, rewrite: Rewrite) -> None:
        self.app = app
        self.rewrite = rewrite

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: Message = {}
        chunks: list[bytes] = []
        request: list[bytes] = []

        async def record() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                request.append(message.get("body", b""))
            return message

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, record, capture)
        body = b"".join(chunks)
        replaced = self.rewrite(Exchange(scope, b"".join(request), start["status"], body))
        if replaced is None:
            status, headers = start["status"], list(start.get("headers", []))
            headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
        else:
            status, fields, body = replaced
            headers = [(k.lower().encode(), v.encode()) for k, v in fields.items()]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def json_answer(status: int, body: Any) -> Answer:
    return status, {"content-type": "application/json"}, json.dumps(body).encode()


def rewriting(rewrite: Rewrite) -> Callable[[ASGIApp], ASGIApp]:
    return lambda app: RewriteAnswers(app, rewrite)


def successes(change: Callable[[dict[str, Any]], Any]) -> Callable[[ASGIApp], ASGIApp]:
    """Pass every 200 JSON answer through `change` (which edits it in place or returns one)."""

    def rewrite(exchange: Exchange) -> Answer | None:
        if exchange.status != 200:
            return None
        answer = json.loads(exchange.body)
        changed = change(answer)
        return json_answer(200, answer if changed is None else changed)

    return rewriting(rewrite)


def each_badge(answer: dict[str, Any]) -> list[dict[str, Any]]:
    result = answer.get("result")
    if not isinstance(result, dict):
        return []
    return [result["badge"]] if "badge" in result else list(result.get("badges", []))


def html_errors(status: int = 502) -> Callable[[ASGIApp], ASGIApp]:
    """Errors come back as a proxy's HTML page, quoting the request path (as nginx pages do)."""

    def rewrite(exchange: Exchange) -> Answer | None:
        if exchange.status < 400:
            return None
        page = f"<html><body><h1>{status} Bad Gateway</h1><p>{exchange.path}</p></body></html>"
        return status, {"content-type": "text/html"}, page.encode()

    return rewriting(rewrite)


def always(status: int, body: Any, echo: bool = False) -> Callable[[ASGIApp], ASGIApp]:
    """Every call gets this answer; with `echo` its description quotes the whole request."""

    def rewrite(exchange: Exchange) -> Answer | None:
        answer = dict(body)
        if echo:
            quoted = f"{exchange.path}?{exchange.query.decode()} {exchange.request.decode()}"
            answer["error_description"] = f"{answer.get('error_description', '')} {quoted}"
        return json_answer(status, answer)

    return rewriting(rewrite)


def redirect_to(location: str) -> Callable[[ASGIApp], ASGIApp]:
    return rewriting(lambda exchange: (302, {"location": location}, b""))


class Slow:
    """Answers only after `seconds`: longer than a client's timeout."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await asyncio.sleep(self.seconds)
        await self.app(scope, receive, send)
