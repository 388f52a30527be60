"""The baseline: a bare Starlette route returning the same JSON the emulator answers."""

from __future__ import annotations

import json
import os

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

ANSWER = json.loads(os.environ.get("BARE_ANSWER", "{}"))


async def badge_get(request: Request) -> JSONResponse:
    return JSONResponse(ANSWER)


app = Starlette(routes=[Route("/rest/1/bench/crm.activity.badge.get", badge_get, methods=["POST"])])
