"""Spec knowledge has one source: the method names, the writing methods, the add parameters,
the answer schemas, the media-type reading. Each derived list is tied to the spec here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from b24_conformance import safety
from b24_conformance.target import answer_model
from b24_spec import Contract, methods
from b24_spec.media import is_json, media_type
from tests.conftest import REPO

LITERAL = re.compile(r"crm\.activity\.badge\.(add|get|list|delete)\b")  # as code spells them
# Hand-written code that may spell a method name: the one constants place. The emulator is
# written from the docs, deliberately not from the spec (README), so it keeps its own names;
# benchmarks name the one call they measure.
ALLOWED = {Path("spec/b24_spec/methods.py")}
NOT_FROM_THE_SPEC = ("emulator/", "benchmarks/")
CODE_ROOTS = ("spec/b24_spec", "contract_tests", "generated_client/b24_badge_client", "scripts")


def test_the_method_constants_are_the_spec_operations(contract: Contract) -> None:
    assert {*methods.METHODS, methods.BATCH} == set(contract.methods())
    for operation in contract.operations():
        assert methods.method_of(operation.operation_id) in {*methods.METHODS, methods.BATCH}


def test_no_method_name_literal_outside_the_constants(contract: Contract) -> None:
    found = []
    for root in CODE_ROOTS:
        for path in sorted((REPO / root).rglob("*.py")):
            relative = path.relative_to(REPO)
            if relative in ALLOWED or "_generated" in relative.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if LITERAL.search(line):
                    found.append(f"{relative}:{number}: {line.strip()}")
    assert found == [], "use b24_spec.methods instead:\n" + "\n".join(found)
    assert all(not root.startswith(NOT_FROM_THE_SPEC) for root in CODE_ROOTS)


def test_the_writing_methods_come_from_the_spec(contract: Contract) -> None:
    assert {methods.ADD, methods.DELETE} == safety.WRITE_METHODS
    marked = {op.operation_id for op in contract.operations() if op.definition.get("x-b24-writes")}
    assert marked == {
        f"{method}{form}" for method in (methods.ADD, methods.DELETE) for form in ("", "@GET")
    }


def test_the_add_parameters_come_from_the_spec(contract: Contract) -> None:
    add_request = contract.document["components"]["schemas"]["BadgeAddRequest"]
    assert set(add_request["properties"]) == safety.BADGE_PARAMETERS
    assert {"code", "title", "value", "type"} == safety.BADGE_PARAMETERS
    assert contract.request_parameters(methods.LIST) == frozenset()


@pytest.mark.parametrize("name", Contract.load().answer_schema_names())
def test_every_answer_schema_has_a_client_model(name: str) -> None:
    assert answer_model(name).__name__ == name


def test_the_answer_schemas_are_every_json_answer(contract: Contract) -> None:
    assert set(contract.answer_schema_names()) == {
        "BadgeResponse",
        "BadgeListResponse",
        "BadgeDeleteResponse",
        "BatchResponse",
        "Error",
    }


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        ("application/json", "application/json"),
        ("Application/JSON; charset=utf-8", "application/json"),
        (" multipart/form-data ; boundary=x", "multipart/form-data"),
        ("", ""),
    ],
)
def test_one_reading_of_the_media_type(header: str, kind: str) -> None:
    assert media_type({"Content-Type": header}) == kind
    assert media_type({"content-type": header}) == kind


def test_json_media_types() -> None:
    assert is_json({"content-type": "application/problem+json"})
    assert not is_json({"content-type": "text/html"})
    assert media_type({}) == ""
