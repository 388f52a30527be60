"""The schemathesis view of the contract for one run.

Valid data goes out in every encoding the spec describes; invalid data (when the run asks for
it) as JSON only, from the contract's JSON view: form and query encodings carry no types, so a
"wrong type" there arrives as a valid string. Only the checks that judge an answer are enabled;
schemathesis's checks that send requests of their own would bypass the run's pacing, budget
and secret handling.
"""

from __future__ import annotations

import re
from typing import Any

import schemathesis
from schemathesis.specs.openapi.schemas import OpenApiSchema

from b24_conformance.settings import RunSettings
from b24_spec import SPEC_PATH, Contract
from b24_spec.client_view import client_view
from b24_spec.methods import GET_FORM

ANSWER_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
)


def config(mode: str, examples: int, seed: int | None, left_out: list[str]) -> schemathesis.Config:
    """The run's schemathesis configuration; `left_out` are operationId regexes not to test.

    Operations are left out through the configuration, not `schema.exclude`: the fixture-based
    loader (`schemathesis.pytest.from_fixture`) keeps the configuration's filters and replaces
    any other.
    """
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
        "operations": [
            {"include-operation-id-regex": regex, "enabled": False} for regex in left_out
        ],
    }
    if seed is not None:
        data["seed"] = seed
    return schemathesis.Config.from_dict(data)


def writing_operations(contract: Contract) -> str:
    """A regex of the operations that write (`x-b24-writes`), in every form: what a read-only
    run leaves out."""
    methods = "|".join(re.escape(method) for method in sorted(contract.writing_methods()))
    return f"^({methods})({re.escape(GET_FORM)})?$"


def not_fuzzed(contract: Contract) -> str:
    """A regex of the operations the spec marks `x-b24-fuzz: false` (batch: a generated command
    could call any method of a customer's portal); the suite builds those requests itself."""
    operations = [
        op.operation_id for op in contract.operations() if op.definition.get("x-b24-fuzz") is False
    ]
    return f"^({'|'.join(re.escape(o) for o in operations)})$"


def _without_parameters(contract: Contract) -> str:
    """A regex of the operations that take no parameters (list): no input to them is invalid,
    since a portal ignores what a method does not read, a body it cannot parse included."""
    methods = [m for m in contract.methods() if not contract.request_parameters(m)]
    return f"^({'|'.join(re.escape(m) for m in methods)})({re.escape(GET_FORM)})?$"


def positive(settings: RunSettings) -> OpenApiSchema:
    """Valid data in every encoding, for the run's profile and seed."""
    contract = Contract.load()
    left_out = [not_fuzzed(contract)]
    if not settings.target.writes:
        left_out.append(writing_operations(contract))
    cfg = config("positive", settings.profile.examples, settings.seed, left_out)
    return schemathesis.openapi.from_path(SPEC_PATH, config=cfg)


def negative(settings: RunSettings) -> OpenApiSchema:
    """Invalid data, as JSON, for the operations that take parameters."""
    contract = Contract.load()
    left_out = [not_fuzzed(contract), _without_parameters(contract)]
    if not settings.target.writes:
        left_out.append(writing_operations(contract))
    cfg = config("negative", settings.profile.examples, settings.seed, left_out)
    return schemathesis.openapi.from_dict(client_view(contract), config=cfg)
