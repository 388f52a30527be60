"""batch in the contract: the request, every documented shape of the answer, and the
machine-readable statement of what a badge command's entries are (`x-b24-command-results`)."""

from __future__ import annotations

from typing import Any

import pytest

from b24_spec import Contract

BADGE_RESULT = {"badge": {"code": "c", "title": "T", "value": "V", "type": "primary"}}
ERROR = {
    "error": "",
    "error_description": "Not found",
}  # a real sub-error: an empty code (facts §8)
TIME = {
    "start": 1.5,
    "finish": 2,
    "duration": 0.5,
    "processing": 0.1,
    "date_start": "2024-08-29T10:34:19+03:00",
    "date_finish": "2024-08-29T10:34:19+03:00",
}


def answer(**parts: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "result": [],
        "result_error": [],
        "result_total": [],
        "result_next": [],
        "result_time": [],
    }
    return {"result": {**base, **parts}, "time": TIME}


def test_the_docs_error_example_is_an_answer(contract: Contract) -> None:
    docs = contract.document["components"]["examples"]["BatchErrorsDocs"]["value"]
    assert contract.violations(docs, contract.schema("BatchResponse")) == []


@pytest.mark.parametrize(
    "parts",
    [
        {},  # every part PHP's empty array
        {"result": {"a": BADGE_RESULT}, "result_time": {"a": TIME}},  # named commands
        {"result": [BADGE_RESULT, BADGE_RESULT], "result_time": [TIME, TIME]},  # a list of them
        {"result": {"0": BADGE_RESULT}, "result_error": {"1": ERROR}},  # a list with a gap
        {"result_total": {"l": 3}, "result_next": {"l": 50}},
    ],
)
def test_every_documented_shape_is_accepted(contract: Contract, parts: dict[str, Any]) -> None:
    assert contract.violations(answer(**parts), contract.schema("BatchResponse")) == []


@pytest.mark.parametrize("missing", ["result", "result_error", "result_time"])
def test_a_part_missing_is_refused(contract: Contract, missing: str) -> None:
    broken = answer()
    del broken["result"][missing]
    assert contract.violations(broken, contract.schema("BatchResponse"))


def test_a_request_has_one_to_fifty_commands(contract: Contract) -> None:
    request = contract.schema("BatchRequest")
    get = "crm.activity.badge.get?code=x"
    assert contract.violations({"cmd": {"a": get}, "halt": 1}, request) == []
    assert contract.violations({"cmd": [get] * 50, "halt": True}, request) == []
    assert contract.violations({"cmd": [get] * 51}, request), "51 commands"
    assert contract.violations({"cmd": {}}, request), "no command"
    assert contract.violations({"cmd": [get], "halt": 2}, request), "halt is 0/1 or a boolean"
    assert contract.violations({"cmd": ["?code=x"]}, request), "a command names its method"


@pytest.mark.parametrize(
    ("method", "part", "entry", "fits"),
    [
        ("crm.activity.badge.get", "result", BADGE_RESULT, True),
        ("crm.activity.badge.get", "result", BADGE_RESULT["badge"], False),  # unwrapped
        ("crm.activity.badge.add", "result", BADGE_RESULT, True),
        ("crm.activity.badge.list", "result", {"badges": [BADGE_RESULT["badge"]]}, True),
        ("crm.activity.badge.list", "result", [BADGE_RESULT["badge"]], False),  # a bare list
        ("crm.activity.badge.delete", "result", True, True),
        ("crm.activity.badge.delete", "result", None, False),
        ("crm.activity.badge.get", "error", ERROR, True),
        ("crm.activity.badge.get", "error", {"error": "NOT_FOUND"}, False),
        ("crm.activity.badge.get", "time", TIME, True),
        ("crm.activity.badge.list", "total", 3, True),
        ("crm.activity.badge.list", "total", -1, False),
        ("crm.activity.badge.list", "next", 50, True),
    ],
)
def test_a_command_entry_has_its_methods_direct_schema(
    contract: Contract, method: str, part: str, entry: Any, fits: bool
) -> None:
    schema = contract.command_schema(method, part)
    assert schema is not None
    assert (contract.violations(entry, schema) == []) is fits


def test_the_statement_names_the_direct_answers_schemas(contract: Contract) -> None:
    pointers = {
        method: contract.command_schema(method, "result") for method in contract.command_methods()
    }
    assert pointers == {
        "crm.activity.badge.get": contract.schema("BadgeResult"),
        "crm.activity.badge.add": contract.schema("BadgeResult"),
        "crm.activity.badge.list": contract.schema("BadgeListResult"),
        "crm.activity.badge.delete": {
            "$ref": "urn:b24-badge-spec#/components/schemas/BadgeDeleteResponse/properties/result"
        },
    }


def test_what_the_contract_does_not_describe_has_no_schema(contract: Contract) -> None:
    assert contract.command_schema("user.current", "result") is None
    assert contract.command_schema("batch", "result") is None
    assert contract.command_schema("crm.activity.badge.get", "total") is None


def test_the_badges_example_fits_the_command_schemas(contract: Contract) -> None:
    example = contract.document["components"]["examples"]["BatchOfBadges"]["value"]["result"]
    methods = {"known": "crm.activity.badge.get", "listed": "crm.activity.badge.list"}
    methods["unknown"] = "crm.activity.badge.get"
    for part, key in (("result", "result"), ("error", "result_error"), ("time", "result_time")):
        for name, entry in example[key].items():
            schema = contract.command_schema(methods[name], part)
            assert schema is not None
            assert contract.violations(entry, schema) == [], (name, part)
