"""Wrong or missing credentials are refused: 401 or 403 with the error envelope.

A portal that ignores credentials would serve anyone who guesses a portal's name; these calls
go out with the webhook code (or the OAuth token) changed, with the webhook code under another
user, and with no credentials at all on the OAuth route. With writes allowed, a refused add
must also have stored nothing.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from b24_conformance.checks import json_or_none
from b24_conformance.target import Target
from b24_conformance.violations import ContractViolated, violation
from b24_spec.methods import ADD, GET, LIST

READS = [(LIST, {}), (GET, {"code": "missedCall"})]
CHECK = "credentials"


def expect_refusal(target: Target, method: str, response: httpx.Response, why: str) -> None:
    target.ledger.ran_on(response, CHECK)
    body = json_or_none(response.content)
    refused = response.status_code in (401, 403)
    enveloped = isinstance(body, dict) and isinstance(body.get("error"), str)
    if not (refused and enveloped):
        message = (
            f"{why}, yet the portal answered HTTP {response.status_code}: "
            "credentials must be refused with 401 or 403 and the error envelope"
        )
        raise ContractViolated([violation(method, CHECK, message, response)])


@pytest.mark.parametrize(("method", "params"), READS)
def test_a_wrong_secret_is_refused(target: Target, method: str, params: dict[str, Any]) -> None:
    with target.with_wrong_secret() as http:
        response = target.post(method, params, http)
    expect_refusal(target, method, response, f"the {target.secret_name} was wrong")


@pytest.mark.b24_webhook  # an OAuth token carries its user
@pytest.mark.parametrize(("method", "params"), READS)
def test_a_webhook_code_works_only_for_its_user(
    target: Target, method: str, params: dict[str, Any]
) -> None:
    other = str(int(target.user_id) + 1) if target.user_id.isdigit() else "1"
    with target.with_user_id(other) as http:
        response = target.post(method, params, http)
    expect_refusal(target, method, response, f"the webhook code was sent as user {other}'s")


@pytest.mark.parametrize(("method", "params"), READS)
def test_no_credentials_are_refused(target: Target, method: str, params: dict[str, Any]) -> None:
    with target.without_credentials() as http:
        response = target.post(method, params, http)
    expect_refusal(target, method, response, "the call carried no webhook code and no token")


@pytest.mark.b24_writes
def test_a_refused_add_stores_nothing(target: Target) -> None:
    code = f"{target.prefix}auth-refused"
    badge = {"code": code, "title": "Refused", "value": "R", "type": "warning"}
    with target.with_wrong_secret() as http:
        response = target.post(ADD, badge, http)
    expect_refusal(target, ADD, response, f"the {target.secret_name} was wrong")
    check = target.post(GET, {"code": code})
    if check.status_code == 200:
        message = f"an add with a wrong webhook code was refused, yet badge {code!r} exists"
        raise ContractViolated([violation(ADD, CHECK, message, check)])
