"""Which Bitrix method a schemathesis case calls, and where its parameters are."""

from __future__ import annotations

from typing import Any

from schemathesis import Case


def operation_id(case: Case[Any]) -> str:
    return str(case.operation.definition.raw.get("operationId", ""))


def method_of(operation: str) -> str:
    """`crm.activity.badge.add@GET` -> `crm.activity.badge.add`."""
    return operation.split("@", 1)[0]


def parameters(case: Case[Any]) -> Any:
    """Where a case carries the method's parameters: the query of a GET form, else the body."""
    return case.query if operation_id(case).endswith("@GET") else case.body


def typed(case: Case[Any]) -> bool:
    """Whether the parameters travel with their JSON types (a JSON body), not as form strings."""
    return not operation_id(case).endswith("@GET") and case.media_type == "application/json"
