"""Missing or invalid arguments are refused: a 4xx with the error envelope, never 2xx or 5xx.

Read-only runs send get without a code and with a code of the wrong type; with writes allowed,
add without fields, add with a badge type outside the five (D-BADGE-TYPE) and delete without
a code. Codes are under the run's prefix, so an add a portal wrongly accepts is cleaned up.
"""

from __future__ import annotations

from typing import Any

import pytest

from b24_conformance.checks import json_or_none
from b24_conformance.target import Target
from b24_conformance.violations import ContractViolated, violation
from b24_spec.methods import ADD, DELETE, GET


def expect_rejection(target: Target, method: str, params: Any, why: str) -> None:
    response = target.post(method, params)
    body = json_or_none(response.content)
    if not (400 <= response.status_code < 500 and isinstance(body, dict) and "error" in body):
        message = (
            f"{why}, yet the portal answered HTTP {response.status_code}: a bad call must be "
            "refused with a 4xx status and the error envelope"
        )
        raise ContractViolated([violation(method, "arguments", message, response)])


def test_get_without_code(target: Target) -> None:
    expect_rejection(target, GET, {}, "code is required")


def test_get_with_an_object_as_code(target: Target) -> None:
    expect_rejection(target, GET, {"code": {"x": "y"}}, "code must be a string")


@pytest.mark.b24_writes
def test_add_without_title_value_and_type(target: Target) -> None:
    params = {"code": f"{target.prefix}args-incomplete"}
    expect_rejection(target, ADD, params, "title, value and type are required")


@pytest.mark.b24_writes
def test_add_with_an_undocumented_type(target: Target) -> None:
    params = {"code": f"{target.prefix}args-type", "title": "T", "value": "V", "type": "info"}
    expect_rejection(target, ADD, params, "type 'info' is not one of the five")


@pytest.mark.b24_writes
def test_delete_without_code(target: Target) -> None:
    expect_rejection(target, DELETE, {}, "code is required")
