"""What the hand-written client repeats from the spec, held to the spec.

The client is a standalone package (httpx and attrs only) and cannot read the spec at run time,
so the few things it must know by heart are checked here against `spec/openapi.yaml`: the error
codes its exception classes stand for, and the badge type names its signatures accept.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, get_args

from b24_badge_client import BadgeType, BadgeTypeName, BitrixError
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
