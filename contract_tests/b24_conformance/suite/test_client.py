"""The generated client (b24_badge_client) against the spec, in both directions.

* Its requests: every call it makes on the portal is checked against the spec's request
  definition (method, path, content type, body schema), so a client that drifted from the spec
  is caught even by a lenient portal.
* Its answers: every raw answer it receives is judged like any other (schemathesis and the
  Bitrix checks, the stateful model included).
* Its models: answers generated from the spec's response schemas are read by the client's
  models and written back unchanged (no requests).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import httpx
import hypothesis
import pytest
import schemathesis
from schemathesis.specs.openapi.schemas import OpenApiSchema

from b24_badge_client import BadgeClient, BitrixError, NotFound
from b24_conformance import cases
from b24_conformance.model import PortalModel
from b24_conformance.settings import RunSettings
from b24_conformance.target import Target, answer_model
from b24_conformance.violations import (
    ContractViolated,
    Violation,
    curl,
    describe,
    operation_label,
    violation,
)
from b24_spec import Contract
from b24_spec.contract import escape
from b24_spec.media import media_type
from b24_spec.methods import ADD, DELETE, GET, method_name

CONTRACT = Contract.load()
# The spec's answer schemas (every JSON answer of every operation) and the client's model of
# each: generated from the same schema, under the same name.
ANSWER_SCHEMAS = CONTRACT.answer_schema_names()


def request_problems(request: httpx.Request, base_path: str) -> list[str]:
    """How a request the client sent differs from the spec's request definition."""
    path = request.url.path.removeprefix(base_path)
    method = request.method.lower()
    operation = next(
        (op for op in CONTRACT.operations() if (op.path, op.method) == (path, method)), None
    )
    if operation is None:
        return [f"{request.method} {path!r} is not an operation of the spec"]
    content = operation.definition.get("requestBody", {}).get("content", {})
    kind = media_type(request.headers)
    if kind not in content:
        return [f"content type {kind!r} is not one the spec accepts for {path}"]
    body = json.loads(request.content or b"{}")
    pointer = f"{operation.pointer}/requestBody/content/{escape(kind)}/schema"
    return [f"body {problem}" for problem in CONTRACT.violations(body, CONTRACT.schema_at(pointer))]


class Exchanges:
    """Judges every exchange of the client as it happens (the client's on_response hook)."""

    def __init__(self, target: Target, model: PortalModel, schema: OpenApiSchema) -> None:
        self.target = target
        self.model = model
        self.schema = schema
        self.base_path = httpx.URL(target.base_url).path

    def __call__(self, response: httpx.Response) -> None:
        request = response.request
        method = method_name(request.url.path)
        self.target.ledger.ran_on(response, "client request")
        if problems := request_problems(request, self.base_path):
            found = Violation(
                operation_label(request),
                "client request",
                "; ".join(problems),
                curl(request),
                describe(response),
            )
            raise ContractViolated([found])
        operation = self.schema.find_operation_by_id(method)
        case = operation.Case(
            body=json.loads(request.content or b"{}"), media_type="application/json"
        )
        cases.judge(case, response, self.model, self.target)


@pytest.fixture
def client(
    target: Target, model: PortalModel, positive_schema: OpenApiSchema
) -> Iterator[BadgeClient]:
    with target.client(on_response=Exchanges(target, model, positive_schema)) as client:
        yield client


CLIENT_CALL = "[POST json]"  # how the client calls every method (D-ENCODINGS: its one encoding)


def expect_error(
    target: Target, method: str, call: Callable[[], object], error: type[BitrixError], why: str
) -> None:
    target.ledger.ran(f"{method} {CLIENT_CALL}", "client")
    try:
        call()
    except error:
        return
    except BitrixError as other:
        message = f"{why}: expected {error.__name__}, the portal answered {other.code!r}"
        raise ContractViolated([violation(method, "client", message, other.response)]) from None
    raise ContractViolated(
        [
            Violation(
                f"{method} {CLIENT_CALL}",
                "client",
                f"{why}, yet the call succeeded",
                "(through the client)",
                "HTTP 200",
            )
        ]
    )


def test_reads_through_the_client(client: BadgeClient, target: Target) -> None:
    badges = client.list()
    if badges:  # the model judges the answer: get must return the badge list showed
        client.get(badges[0].code)
    absent = f"{target.prefix}client-absent"
    expect_error(target, GET, lambda: client.get(absent), NotFound, f"{absent!r} does not exist")


@pytest.mark.b24_writes
def test_a_badge_lifecycle_through_the_client(client: BadgeClient, target: Target) -> None:
    plain, localized = f"{target.prefix}client-plain", f"{target.prefix}client-localized"
    client.add(plain, "Call status", "Missed", "failure")
    client.add(localized, {"ru": "Внимание", "en": "Alarm"}, {"en": "!"}, "primary")
    client.get(plain)  # the model checks each answer against what was added
    client.get(localized)
    client.list()
    expect_error(
        target,
        ADD,
        lambda: client.add(plain, "Again", "A", "success"),
        BitrixError,
        f"{plain!r} is taken",
    )
    client.delete(plain)
    client.delete(localized)
    expect_error(target, GET, lambda: client.get(plain), NotFound, f"{plain!r} was deleted")
    expect_error(
        target,
        DELETE,
        lambda: client.delete(plain),
        NotFound,
        f"{plain!r} was deleted",
    )


def _answers_as_request_bodies() -> OpenApiSchema:
    """The spec's answer schemas as request bodies of a synthetic document, so that
    schemathesis's public generator produces answers (instances of those schemas)."""
    paths = {
        f"/{name}": {
            "post": {
                "operationId": name,
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}
                    },
                },
                "responses": {"200": {"description": "-"}},
            }
        }
        for name in ANSWER_SCHEMAS
    }
    document = {
        "openapi": "3.1.0",
        "info": {"title": "answers", "version": CONTRACT.version},
        "paths": paths,
        "components": {"schemas": CONTRACT.document["components"]["schemas"]},
    }
    return schemathesis.openapi.from_dict(document)


def _readable_dates(answer: Any) -> bool:
    """The client reads date-times with datetime.fromisoformat, which has no year 0 and no leap
    second; the spec's format allows both, no portal sends them, and they are left out."""
    time = answer.get("time") if isinstance(answer, dict) else None
    if not isinstance(time, dict):
        return True
    try:
        for key in ("date_start", "date_finish"):
            if isinstance(time.get(key), str):
                datetime.fromisoformat(time[key])
    except ValueError:
        return False
    return True


def _moments(answer: Any) -> Any:
    """The answer with `time`'s dates as datetimes: the client writes them back in isoformat,
    so "Z" comes back as "+00:00", the same moment."""
    if not (isinstance(answer, dict) and isinstance(answer.get("time"), dict)):
        return answer
    time = dict(answer["time"])
    for key in ("date_start", "date_finish"):
        if isinstance(time.get(key), str):
            time[key] = datetime.fromisoformat(time[key])
    return {**answer, "time": time}


def _same(original: Any, written: Any) -> bool:
    """Equal values of equal JSON types (so 0 and 0.0, or True and 1, differ)."""
    if isinstance(original, dict) and isinstance(written, dict):
        return original.keys() == written.keys() and all(
            _same(v, written[k]) for k, v in original.items()
        )
    if isinstance(original, list) and isinstance(written, list):
        return len(original) == len(written) and all(map(_same, original, written))
    return bool(original == written) and type(original) is type(written)


@pytest.mark.parametrize("name", ANSWER_SCHEMAS)
def test_spec_answers_round_trip_through_the_models(name: str, settings: RunSettings) -> None:
    operation = _answers_as_request_bodies().find_operation_by_id(name)
    model = answer_model(name)

    @hypothesis.settings(
        max_examples=max(25, settings.profile.examples * 5),
        database=None,
        deadline=None,
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    @hypothesis.given(operation.as_strategy())
    def round_trip(case: schemathesis.Case[Any]) -> None:
        answer = case.body
        hypothesis.assume(_readable_dates(answer))
        try:
            written = model.from_dict(answer).to_dict()
        except Exception as error:  # the client cannot read a valid answer
            written = f"{type(error).__name__}: {error}"
        if not isinstance(written, dict) or not _same(_moments(answer), _moments(written)):
            message = (
                f"{model.__name__}.from_dict(answer).to_dict() changed it:\n"
                f"  answer:  {answer!r}\n  written: {written!r}"
            )
            raise ContractViolated(
                [
                    Violation(
                        name, "client models", message, "(no request)", "(generated from the spec)"
                    )
                ]
            )

    settings.target.ledger.ran(name, "client models")
    round_trip()
