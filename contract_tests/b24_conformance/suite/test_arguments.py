"""Missing or invalid arguments are refused: a 4xx with the error envelope, never 2xx or 5xx;
and the limits a portal must handle: long codes and long texts, answered without a server error.

Read-only runs send get without a code, with a code of the wrong type and with long codes; with
writes allowed, add without fields, add with a badge type outside the five (D-BADGE-TYPE), and
adds with a long code and long texts. Codes are under the run's prefix, so an add a portal
wrongly accepts is cleaned up. Delete without a code goes only to the bundled emulator: a
broken portal that read a missing code as "all" would lose every badge.
"""

from __future__ import annotations

from typing import Any

import pytest

from b24_conformance.checks import json_or_none
from b24_conformance.model import PortalModel
from b24_conformance.target import Target
from b24_conformance.violations import ContractViolated, violation
from b24_spec.methods import ADD, DELETE, GET

ARGUMENTS = "arguments"


def expect_rejection(target: Target, method: str, params: Any, why: str) -> None:
    response = target.post(method, params)
    target.ledger.ran_on(response, ARGUMENTS)
    body = json_or_none(response.content)
    if not (400 <= response.status_code < 500 and isinstance(body, dict) and "error" in body):
        message = (
            f"{why}, yet the portal answered HTTP {response.status_code}: a bad call must be "
            "refused with a 4xx status and the error envelope"
        )
        raise ContractViolated([violation(method, ARGUMENTS, message, response)])


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


@pytest.mark.b24_bundled  # a portal that read a missing code as "all" would lose every badge
def test_delete_without_code(target: Target) -> None:
    expect_rejection(target, DELETE, {}, "code is required")


# Lengths a portal must survive: past the 255 of a typical VARCHAR column, and a long text.
LONG_CODE, LONGER_CODE, LONG_TEXT = 300, 4000, 5000
BOUNDARY = "boundary"


def expect_an_answer(
    target: Target, model: PortalModel, method: str, params: dict[str, Any], why: str
) -> None:
    """A call at a limit: any answer of the contract but a server error, and, once answered,
    consistent with the rest of the run (the model)."""
    response = target.post(method, params)
    target.ledger.ran_on(response, BOUNDARY)
    body = json_or_none(response.content)
    enveloped = isinstance(body, dict) and ("result" in body or "error" in body)
    if response.status_code >= 500 or not enveloped:
        message = (
            f"{why}: the portal answered HTTP {response.status_code}; a portal must answer a "
            "call at its limits with a result or a 4xx error envelope, never a server error"
        )
        raise ContractViolated([violation(method, BOUNDARY, message, response)])
    try:
        model.observe(method, params, response.status_code, body)
    except AssertionError as error:
        raise ContractViolated([violation(method, BOUNDARY, str(error), response)]) from None


@pytest.mark.parametrize("length", [LONG_CODE, LONGER_CODE])
def test_get_with_a_long_code(target: Target, model: PortalModel, length: int) -> None:
    code = (target.prefix + "long-" + "x" * length)[:length]
    expect_an_answer(target, model, GET, {"code": code}, f"get of a {length}-character code")


@pytest.mark.b24_writes
def test_add_with_a_long_code_and_long_texts(target: Target, model: PortalModel) -> None:
    code = (target.prefix + "long-" + "c" * LONG_CODE)[:LONG_CODE]
    badge = {"code": code, "title": "T" * LONG_TEXT, "value": "V" * LONG_TEXT, "type": "primary"}
    expect_an_answer(target, model, ADD, badge, "add with a long code and long texts")
    expect_an_answer(target, model, GET, {"code": code}, "get of the long badge")
