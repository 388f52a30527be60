"""The schemathesis view of the contract for one run.

Valid data goes out in every encoding the spec describes; invalid data (when the run asks for
it) as JSON only, from the contract's JSON view: form and query encodings carry no types, so a
"wrong type" there arrives as a valid string. Only the checks that judge an answer are enabled;
schemathesis's checks that send requests of their own would bypass the run's pacing, budget
and secret handling.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import schemathesis
from schemathesis.specs.openapi.schemas import OpenApiSchema

from b24_conformance.safety import WRITE_METHODS
from b24_conformance.settings import RunSettings
from b24_spec import SPEC_PATH, Contract
from b24_spec.client_view import client_view
from b24_spec.contract import escape

ANSWER_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
)
# add and delete, in their POST and GET forms: what a read-only run leaves out.
WRITES = "^(" + "|".join(re.escape(method) for method in sorted(WRITE_METHODS)) + ")(@GET)?$"


def config(mode: str, examples: int, seed: int | None) -> schemathesis.Config:
    checks: dict[str, Any] = {"enabled": False}
    checks.update({name: {"enabled": True} for name in ANSWER_CHECKS})
    data: dict[str, Any] = {
        # No shrinking: against a real portal every shrinking step is a request, and the
        # violation found first is reported as it was found.
        "generation": {
            "mode": mode,
            "max-examples": examples,
            "database": "none",
            "no-shrink": True,
        },
        # The coverage phase enumerates boundary cases per parameter and media type: dozens of
        # requests per operation that a rate-limited portal cannot afford. Fuzzing covers them.
        "phases": {"coverage": {"enabled": False}},
        "checks": checks,
    }
    if seed is not None:
        data["seed"] = seed
    return schemathesis.Config.from_dict(data)


def _not_fuzzed(contract: Contract) -> list[str]:
    """Operations the spec marks `x-b24-fuzz: false` (batch: a generated command could call
    any method of a customer's portal)."""
    return [
        op.operation_id for op in contract.operations() if op.definition.get("x-b24-fuzz") is False
    ]


def _scoped(schema: OpenApiSchema, writes: bool) -> OpenApiSchema:
    fuzzed = schema.exclude(operation_id=_not_fuzzed(Contract.load()))
    scoped = fuzzed if writes else fuzzed.exclude(operation_id_regex=WRITES)
    assert isinstance(scoped, OpenApiSchema)
    return scoped


@cache
def positive(settings: RunSettings) -> OpenApiSchema:
    cfg = config("positive", settings.profile.examples, settings.seed)
    return _scoped(schemathesis.openapi.from_path(SPEC_PATH, config=cfg), settings.target.writes)


def _without_parameters(contract: Contract) -> list[str]:
    """Operations that take no parameters (list): no input to them is invalid, since a portal
    ignores what a method does not read, a body it cannot parse included."""
    found = []
    for operation in contract.operations():
        body = operation.definition.get("requestBody", {})
        schemas = [
            contract.resolve(f"{operation.pointer}/requestBody/content/{escape(media)}/schema")[1]
            for media in body.get("content", {})
        ]
        if (
            not operation.definition.get("parameters")
            and not body.get("required", False)
            and not any(schema.get("properties") or schema.get("required") for schema in schemas)
        ):
            found.append(operation.operation_id)
    return found


@cache
def negative(settings: RunSettings) -> OpenApiSchema:
    cfg = config("negative", settings.profile.examples, settings.seed)
    contract = Contract.load()
    schema = schemathesis.openapi.from_dict(client_view(contract), config=cfg)
    fuzzable = schema.exclude(operation_id=_without_parameters(contract))
    assert isinstance(fuzzable, OpenApiSchema)
    return _scoped(fuzzable, settings.target.writes)
