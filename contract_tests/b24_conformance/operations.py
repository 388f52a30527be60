"""Which Bitrix method a schemathesis case calls, and where its parameters are."""

from __future__ import annotations

from typing import Any

from schemathesis import Case

from b24_spec.media import JSON
from b24_spec.methods import GET_FORM


def operation_id(case: Case[Any]) -> str:
    """The spec's operationId of the case: the method name, with `@GET` for its query form."""
    return str(case.operation.definition.raw.get("operationId", ""))


def parameters(case: Case[Any]) -> Any:
    """Where a case carries the method's parameters: the query of a GET form, else the body."""
    return case.query if operation_id(case).endswith(GET_FORM) else case.body


def typed(case: Case[Any]) -> bool:
    """Whether the parameters travel with their JSON types (a JSON body), not as form strings."""
    return not operation_id(case).endswith(GET_FORM) and case.media_type == JSON
