"""The emulated portal as a Starlette app: routes, the envelope, and the order of checks.

Routes are a portal's: `/rest/{user_id}/{webhook_code}/{method}` for webhooks and
`/rest/{method}` with an `auth` parameter for OAuth, the method name case-insensitive, with an
optional `.json` suffix and trailing slash. A request passes, in order: the concurrency limit,
the HTTP method, the rate limit, parameter decoding (within the body timeout), authentication,
the method lookup, its scope, the operating-time limit, the user's rights, and the method
itself; `batch` runs its commands through the same checks from the scope on (batch.py).

Every answer the app gives is JSON: `result` plus a measured `time` block, or the error
envelope. Any HTTP verb reaches the app (405 for all but GET and POST) and so does any request
target, absolute-form (`POST http://host/rest/...`) and `*` included (RequestTarget). What the
HTTP parser refuses before the app runs is answered by connections.py, also with the envelope
where HTTP allows an answer at all. Nothing a client sends can produce a 5xx other than 503.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from b24_emulator import errors
from b24_emulator.auth import Authenticator, Caller
from b24_emulator.batch import BATCH, run_batch
from b24_emulator.config import Settings
from b24_emulator.limits import LeakyBucket, Operating, OperatingTime
from b24_emulator.methods import METHODS, Method
from b24_emulator.params import Params, body_params, media_type, query_params, read_body
from b24_emulator.store import BadgeStore

if TYPE_CHECKING:
    from b24_emulator.strict import StrictChecker

QUERY = "query"  # parameters from the query string only: a GET, or a POST without a body

logger = logging.getLogger("b24_emulator")


@dataclass(frozen=True)
class Done:
    """One method's success: its answer fields (`result`, `total` for list) and `time` block."""

    answer: dict[str, Any]
    time: dict[str, Any]


class Portal:
    """One emulated portal: its settings, its badges and its limit counters."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = BadgeStore(settings.db, settings.store)
        self.auth = Authenticator(settings)
        self.strict: StrictChecker | None = None  # set by create_app in strict mode
        self.in_flight = 0
        self.reset(badges=False)

    def reset(self, badges: bool = True) -> None:
        """Back to the state of a fresh start: the seed badges only, and unused limits."""
        if badges:
            self.store.clear()
        self.store.seed(self.settings.seed)
        limit = self.settings.rate_limit
        self.bucket = None if limit is None else LeakyBucket(limit, self.settings.clock)
        self.operating = OperatingTime(self.settings.operating_limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The portal as an ASGI app: a route to it is taken by every HTTP verb."""
        try:
            response = await self.handle(Request(scope, receive))
        except asyncio.CancelledError:
            # uvicorn cancels what still runs when the graceful shutdown times out (a body
            # that never ends): the request is answered, not logged as a crash.
            response = error_response(errors.overloaded("the portal is shutting down"), True)
        await response(scope, receive, send)

    async def handle(self, request: Request) -> JSONResponse:
        """Answer one request with JSON, whatever happens: 503 when `max_concurrency` requests
        are already in flight, a PortalError's envelope, 408 and a closed connection when the
        body is late, 500 (logged without the request) for a bug of the emulator."""
        start = time.time()
        if self.in_flight >= self.settings.http.max_concurrency:
            return error_response(errors.overloaded("too many concurrent requests"))
        self.in_flight += 1
        try:
            return await self._call(request, start)
        except errors.PortalError as error:
            return error_response(error)
        except ClientDisconnect:  # nobody is left to answer; not an error of the portal
            return error_response(errors.invalid_request("The client disconnected"))
        except TimeoutError:
            body_timeout = self.settings.http.body_timeout
            # The rest of the body may still come: the connection cannot be reused.
            return error_response(errors.request_timeout("request body", body_timeout), close=True)
        except Exception:
            # A bug of the emulator, never the client's fault; logged without the request,
            # which may carry credentials.
            logger.exception("unexpected error")
            return error_response(errors.internal_error())
        finally:
            self.in_flight -= 1

    async def _call(self, request: Request, start: float) -> JSONResponse:
        if request.method not in ("GET", "POST"):
            raise errors.http_method_not_allowed(request.method)
        segments = [s for s in request.path_params["path"].split("/") if s]
        if not segments or segments[0] != "rest" or len(segments) not in (2, 4):
            raise errors.method_not_found()
        if self.bucket is not None and not self.bucket.admit():
            raise errors.query_limit_exceeded()

        params = query_params(request.scope["query_string"])
        encoding = QUERY
        if request.method == "POST":
            async with asyncio.timeout(self.settings.http.body_timeout):
                body = await read_body(request.stream())
            params.update(await body_params(request.headers, body))
            if body.strip():
                encoding = media_type(request.headers)
        auth = params.pop("auth", None)
        if self.strict is not None:
            self.strict.request(segments[-1], params, encoding)
        if len(segments) == 4:
            caller = self.auth.webhook(segments[1], segments[2])
        else:
            caller = self.auth.oauth(auth)
        name = method_key(segments[-1])
        if name == BATCH:
            return self._batch(caller, params, start)
        done = self.execute(name, caller, params, start)
        return JSONResponse({**done.answer, "time": done.time})

    def execute(self, name: str, caller: Caller, params: Params, start: float) -> Done:
        """Run one method for a caller: the checks from the lookup on, then the method.

        Direct calls and batch commands both come through here, so that a command meets the
        same scope, operating-time and rights checks as the method called directly.
        """
        method = _lookup(name)
        if method.scope not in caller.scopes:
            raise errors.insufficient_scope()
        account = f"{caller.key}/{method.name}"
        if self.operating.blocked(account):
            raise errors.operation_time_limit()
        if method.admin_only and caller.user_id in self.settings.non_admins:
            raise errors.access_denied()
        began = time.perf_counter()
        answer = method.run(self.store, params)
        processing = time.perf_counter() - began
        operating = self.operating.charge(account, processing + self.settings.operating_cost)
        return Done(answer, time_block(start, time.time(), processing, operating))

    def _batch(self, caller: Caller, params: Params, start: float) -> JSONResponse:
        began = time.perf_counter()

        def command(key: str, name: str, params: Params) -> Done:
            if self.strict is not None:
                self.strict.command(key, name, params)
            return self.execute(name, caller, params, time.time())

        answer = run_batch(command, params, self.settings.store.max_answer_bytes)
        # The outer batch call is not charged operating time, only its commands are (docs
        # settings/performance/limits.md), so its own `time` has no operating fields.
        processing = time.perf_counter() - began
        return JSONResponse({"result": answer, "time": time_block(start, time.time(), processing)})


def error_response(error: errors.PortalError, close: bool = False) -> JSONResponse:
    """The envelope of `error` under its status; `close` when the connection cannot be reused
    (the rest of a body may still be on its way)."""
    headers = {"connection": "close"} if close else None
    return JSONResponse(error.body(), status_code=error.status, headers=headers)


def method_key(name: str) -> str:
    """The method a path segment or a batch command names: case-insensitive, `.json` optional."""
    return name.lower().removesuffix(".json")


def _lookup(name: str) -> Method:
    name = method_key(name)
    if name not in METHODS:
        raise errors.method_not_found()
    return METHODS[name]


def time_block(
    start: float, finish: float, processing: float, operating: Operating | None = None
) -> dict[str, Any]:
    """The `time` object of every success (docs api-reference/data-types.md#time)."""
    block: dict[str, Any] = {
        "start": start,
        "finish": finish,
        "duration": finish - start,
        "processing": processing,
        "date_start": _iso(start),
        "date_finish": _iso(finish),
    }
    if operating is not None:
        block["operating_reset_at"] = operating.reset_at
        block["operating"] = operating.seconds
    return block


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp).astimezone().isoformat(timespec="seconds")


class RequestTarget:
    """Every request target reaches the portal as a path: RFC 9112 section 3.2 forms included.

    h11 hands over the target as sent: an absolute-form `http://host/rest/...` (which servers
    must accept), `*` (asterisk-form) or `host:443` (authority-form) would miss Starlette's
    routes and get its text/plain 404. The absolute form is read as its path; any other
    target that is no path becomes one, so that the portal answers with its envelope.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith("/"):
            scope = dict(scope, path=_as_path(scope["path"]))
        await self.app(scope, receive, send)


def _as_path(target: str) -> str:
    parts = urlsplit(target)
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return parts.path or "/"
    return "/" + target


VIOLATIONS_PATH = "/b24-emulator/violations"  # strict mode's list of request violations


def create_app(settings: Settings | None = None) -> Starlette:
    """The ASGI app of one portal. Its state lives as long as the app."""
    portal = Portal(settings or Settings())

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        portal.store.close()

    routes = []
    if portal.settings.strict:
        from b24_emulator.strict import StrictChecker  # the only way in for the spec

        checker = portal.strict = StrictChecker()
        routes.append(Route(VIOLATIONS_PATH, lambda _: JSONResponse(checker.report())))
    # An ASGI app as the endpoint: Starlette lets every verb through to it (a function
    # endpoint would get GET only), and the portal answers 405 with the envelope.
    routes.append(Route("/{path:path}", portal))
    app = Starlette(
        routes=routes,
        middleware=[Middleware(RequestTarget)],
        lifespan=lifespan,
    )
    app.state.portal = portal
    return app
