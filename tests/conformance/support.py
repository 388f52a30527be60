"""In-process building blocks for the suite's unit tests: answers and cases without a portal
(schemathesis's own tests of its checks are the model: build a response, run the check, assert
the message)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, cast

import httpx
import schemathesis
from schemathesis import CheckContext

from b24_spec import SPEC_PATH

TIME = {
    "start": 1.0,
    "finish": 2.0,
    "duration": 1.0,
    "processing": 0.5,
    "date_start": "1970-01-01T00:00:01+00:00",
    "date_finish": "1970-01-01T00:00:02+00:00",
}
BASE = "https://portal.example/rest/1/***"
SCHEMA = schemathesis.openapi.from_path(SPEC_PATH)
NO_CONTEXT = cast(CheckContext, None)  # the Bitrix checks do not read the context


def answer(
    status: int, body: Any, method: str = "crm.activity.badge.get", **headers: str
) -> httpx.Response:
    """An answer to a JSON call of `method`, as the portal would send it."""
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = httpx.Request("POST", f"{BASE}/{method}", json={})
    kinds = {"content-type": "application/json", **headers}
    made = httpx.Response(status, headers=kinds, content=content, request=request)
    made.elapsed = timedelta(0)
    return made


def response(status: int, body: Any, **headers: str) -> schemathesis.Response:
    return schemathesis.Response.from_any(answer(status, body, **headers))


def case(operation_id: str, body: Any = None, query: Any = None) -> schemathesis.Case[Any]:
    """A case of the spec's operation, as schemathesis would generate it."""
    operation = SCHEMA.find_operation_by_id(operation_id)
    if query is not None:
        return operation.Case(query=query)
    return operation.Case(body=body, media_type="application/json")


def badge(code: str, **fields: Any) -> dict[str, Any]:
    return {"code": code, "title": "T", "value": "V", "type": "success", **fields}


def ok(result: Any, **extra: Any) -> dict[str, Any]:
    return {"result": result, "time": TIME, **extra}
