"""What the hand-written client repeats from the spec, held to the spec.

The client is a standalone package (httpx and attrs only) and cannot read the spec at run time,
so the few things it must know by heart are checked here against `spec/openapi.yaml`: the error
codes its exception classes stand for, the badge type names its signatures accept, and how a
batch answer's entries are read (x-b24-command-results).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, get_args

import httpx
import pytest

from b24_badge_client import BadgeClient, BadgeType, BadgeTypeName, BitrixError, Call
from b24_spec import Contract


def _error_code_tables(node: Any) -> Iterator[dict[str, str]]:
    if isinstance(node, dict):
        if isinstance(node.get("x-error-codes"), dict):
            yield node["x-error-codes"]
        for value in node.values():
            yield from _error_code_tables(value)
    elif isinstance(node, list):
        for value in node:
            yield from _error_code_tables(value)


def spec_codes(contract: Contract) -> set[str]:
    """Every error code the spec lists, upper-cased as the client matches them."""
    return {code.upper() for table in _error_code_tables(contract.document) for code in table}


def error_classes(cls: type[BitrixError] = BitrixError) -> list[type[BitrixError]]:
    """BitrixError and every subclass: the classes the client picks by code."""
    return [cls, *(member for sub in cls.__subclasses__() for member in error_classes(sub))]


def client_codes() -> dict[str, type[BitrixError]]:
    return {code: cls for cls in error_classes() for code in cls.CODES}


def test_every_code_the_client_knows_is_in_the_spec(contract: Contract) -> None:
    known = spec_codes(contract)
    invented = {code: cls.__name__ for code, cls in client_codes().items() if code not in known}
    assert not invented, (
        f"the client raises these codes as its own classes, but no x-error-codes of "
        f"spec/openapi.yaml lists them: {invented}. Add each to the x-error-codes of the status "
        "it comes with, with its source, and run ./scripts/regenerate; or drop it from the class "
        "in generated_client/b24_badge_client/_errors.py"
    )


def test_every_code_in_the_spec_has_a_client_class(contract: Contract) -> None:
    unclassified = sorted(spec_codes(contract) - client_codes().keys())
    assert not unclassified, (
        f"spec/openapi.yaml lists error codes {unclassified} that no class in "
        "generated_client/b24_badge_client/_errors.py names in its CODES: add each to the class "
        "a caller would catch it by (BitrixError.CODES when none fits)"
    )


def test_no_code_has_two_classes() -> None:
    seen: dict[str, str] = {}
    for cls in error_classes():
        for code in cls.CODES:
            assert code not in seen, f"{code} is in both {seen[code]}.CODES and {cls.__name__}"
            seen[code] = cls.__name__
        assert all(code == code.upper() for code in cls.CODES), f"{cls.__name__}: upper case"


def test_the_badge_type_names_are_the_specs(contract: Contract) -> None:
    spec = contract.document["components"]["schemas"]["BadgeType"]["enum"]
    assert sorted(get_args(BadgeTypeName)) == sorted(spec), (
        "BadgeTypeName in generated_client/b24_badge_client/_client.py must list exactly the "
        f"spec's BadgeType enum {spec}"
    )
    assert sorted(member.value for member in BadgeType) == sorted(spec)


# --- batch: what the client reads a command's entries as --------------------------------------

DIRECT_RESULT = (
    "#/paths/~1{method}/post/responses/200/content/application~1json/schema/properties/result"
)


def test_batch_entries_are_read_as_the_spec_states_them(contract: Contract) -> None:
    """_batch.py reads a command's entry in `result.result` with its direct answer's models, and
    its entry in `result_error` as the error envelope: what x-b24-command-results says."""
    stated = contract.operation("batch").definition["x-b24-command-results"]
    assert stated["result"] == DIRECT_RESULT
    assert stated["error"] == "#/components/schemas/Error"


CALLS: dict[str, Callable[[BadgeClient], object]] = {
    "crm.activity.badge.get": lambda client: client.get("missedCall"),
    "crm.activity.badge.add": lambda client: client.add("missedCall", "T", "V", "failure"),
    "crm.activity.badge.list": lambda client: client.list(),
    "crm.activity.badge.delete": lambda client: client.delete("missedCall"),
}
BATCHED: dict[str, Call[Any]] = {
    "crm.activity.badge.get": Call.get("missedCall"),
    "crm.activity.badge.add": Call.add("missedCall", "T", "V", "failure"),
    "crm.activity.badge.list": Call.list(),
    "crm.activity.badge.delete": Call.delete("missedCall"),
}


def test_the_client_batches_every_badge_method_of_the_spec(contract: Contract) -> None:
    assert sorted(BATCHED) == sorted(contract.command_methods())
    assert all(call.method == method for method, call in BATCHED.items())


def _examples(contract: Contract, method: str) -> list[dict[str, Any]]:
    pointer, response = contract.resolve(f"/paths/~1{method}/post/responses/200")
    examples = response["content"]["application/json"]["examples"]
    return [
        contract.resolve(f"{pointer}/content/application~1json/examples/{name}")[1]["value"]
        for name in examples
    ]


def _answering(direct: dict[str, Any]) -> httpx.MockTransport:
    """A portal answering a direct call with `direct`, and a batch with its `result` as the
    one command's entry (and its `time` as the command's time)."""

    def handle(request: httpx.Request) -> httpx.Response:
        if not request.url.path.endswith("/batch"):
            return httpx.Response(200, json=direct)
        parts: dict[str, list[Any]] = {"result_error": [], "result_total": [], "result_next": []}
        result = {"result": [direct["result"]], "result_time": [direct["time"]], **parts}
        return httpx.Response(200, json={"result": result, "time": direct["time"]})

    return httpx.MockTransport(handle)


@pytest.mark.parametrize("method", sorted(CALLS))
def test_a_batch_entry_gives_what_the_direct_answer_gives(contract: Contract, method: str) -> None:
    """For every example answer the spec gives of each method: the same value either way."""
    examples = _examples(contract, method)
    assert examples, f"the spec has no example answer of {method}"
    for example in examples:
        url = "https://portal.example/rest/1/code/"
        with BadgeClient.from_webhook(url, transport=_answering(example)) as client:
            direct = CALLS[method](client)
            (batched,) = client.batch([BATCHED[method]], raise_errors=True)
        assert batched == direct
