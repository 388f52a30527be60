"""The emulated portal as a Starlette app: routes, the envelope, and the order of checks.

Routes are a portal's: `/rest/{user_id}/{webhook_code}/{method}` for webhooks and
`/rest/{method}` with an `auth` parameter for OAuth, the method name case-insensitive, with an
optional `.json` suffix and trailing slash. A request passes, in order: the HTTP method, the rate
limit, parameter decoding, authentication, the method lookup, its scope, the operating-time
limit, the user's rights, and the method itself. Every answer is JSON: `result` plus a measured
`time` block, or the error envelope; nothing a client sends can produce a 5xx.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from b24_emulator import errors
from b24_emulator.auth import Authenticator, Caller
from b24_emulator.config import Settings
from b24_emulator.limits import LeakyBucket, Operating, OperatingTime
from b24_emulator.methods import METHODS, Method
from b24_emulator.params import body_params, query_params, read_body
from b24_emulator.store import BadgeStore

logger = logging.getLogger("b24_emulator")

ALL_HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class Portal:
    """One emulated portal: its settings, its badges and its limit counters."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = BadgeStore(settings.db)
        self.auth = Authenticator(settings)
        self.reset(badges=False)

    def reset(self, badges: bool = True) -> None:
        """Back to the state of a fresh start: the seed badges only, and unused limits."""
        if badges:
            self.store.clear()
        self.store.seed(self.settings.seed)
        limit = self.settings.rate_limit
        self.bucket = None if limit is None else LeakyBucket(limit, self.settings.clock)
        self.operating = OperatingTime(self.settings.operating_limit)

    async def handle(self, request: Request) -> JSONResponse:
        start = time.time()
        try:
            return await self._call(request, start)
        except errors.PortalError as error:
            return error_response(error)
        except ClientDisconnect:  # nobody is left to answer; not an error of the portal
            return error_response(errors.invalid_request("The client disconnected"))
        except Exception:
            # A bug of the emulator, never the client's fault; logged without the request,
            # which may carry credentials.
            logger.exception("unexpected error")
            return error_response(errors.internal_error())

    async def _call(self, request: Request, start: float) -> JSONResponse:
        if request.method not in ("GET", "POST"):
            raise errors.http_method_not_allowed(request.method)
        segments = [s for s in request.path_params["path"].split("/") if s]
        if not segments or segments[0] != "rest" or len(segments) not in (2, 4):
            raise errors.method_not_found()
        if self.bucket is not None and not self.bucket.admit():
            raise errors.query_limit_exceeded()

        params = query_params(request.scope["query_string"])
        if request.method == "POST":
            params.update(await body_params(request.headers, await read_body(request.stream())))
        auth = params.pop("auth", None)
        if len(segments) == 4:
            caller = self.auth.webhook(segments[1], segments[2])
        else:
            caller = self.auth.oauth(auth)
        method = _lookup(segments[-1])
        return self._run(method, caller, params, start)

    def _run(self, method: Method, caller: Caller, params: Any, start: float) -> JSONResponse:
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
        answer["time"] = time_block(start, time.time(), processing, operating)
        return JSONResponse(answer)


def error_response(error: errors.PortalError) -> JSONResponse:
    return JSONResponse(error.body(), status_code=error.status)


def _lookup(name: str) -> Method:
    name = name.lower().removesuffix(".json")
    if name not in METHODS:
        raise errors.method_not_found()
    return METHODS[name]


def time_block(
    start: float, finish: float, processing: float, operating: Operating
) -> dict[str, Any]:
    """The `time` object of every success (docs api-reference/data-types.md#time)."""
    return {
        "start": start,
        "finish": finish,
        "duration": finish - start,
        "processing": processing,
        "date_start": _iso(start),
        "date_finish": _iso(finish),
        "operating_reset_at": operating.reset_at,
        "operating": operating.seconds,
    }


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp).astimezone().isoformat(timespec="seconds")


def create_app(settings: Settings | None = None) -> Starlette:
    """The ASGI app of one portal. Its state lives as long as the app."""
    portal = Portal(settings or Settings())

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        portal.store.close()

    app = Starlette(
        routes=[Route("/{path:path}", portal.handle, methods=ALL_HTTP_METHODS)],
        lifespan=lifespan,
    )
    app.state.portal = portal
    return app
