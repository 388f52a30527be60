"""Sending one schemathesis case to the target and judging the answer.

Shared by the fuzzing and the stateful parts: confine writes to the run's prefix, send the case
through the run's transport, then run schemathesis's checks (enabled in the suite's config) and
the Bitrix checks, and turn schemathesis's failures into violations.
"""

from __future__ import annotations

from typing import Any

import httpx
from hypothesis import reject
from schemathesis import Case, GenerationMode
from schemathesis.core.failures import FailureGroup

from b24_conformance.checks import BITRIX_CHECKS
from b24_conformance.model import PortalModel
from b24_conformance.operations import operation_id, parameters
from b24_conformance.safety import WRITE_METHODS, confine
from b24_conformance.target import Target
from b24_conformance.violations import from_failures
from b24_spec.methods import GET_FORM, method_of


def make_safe(case: Case[Any], target: Target, prefix: str) -> None:
    """Confine a write case to `prefix`, or drop it (hypothesis.reject) if that is impossible.

    Negative cases against the run's own emulator go out as generated: rewriting them could
    turn invalid data valid, and that portal holds nothing but the run's data.
    """
    if method_of(operation_id(case)) not in WRITE_METHODS:
        return
    negative = case.meta is not None and case.meta.generation.mode == GenerationMode.NEGATIVE
    if negative and target.bundled:
        return
    confined = confine(parameters(case), prefix)
    if confined is None:
        reject()
    elif operation_id(case).endswith(GET_FORM):
        case.query = confined  # a new dict: the old one may be the spec's shared example
    else:
        case.body = confined


def send(case: Case[Any], target: Target) -> httpx.Response:
    return target.send(case.as_transport_kwargs(base_url=target.base_url))


def judge(case: Case[Any], response: httpx.Response, model: PortalModel, target: Target) -> None:
    """Run every check on the answer; raise ContractViolated with whatever broke."""
    try:
        case.validate_response(
            response,
            additional_checks=[
                *BITRIX_CHECKS,
                model.valid_request_accepted,
                model.consistency,
            ],
        )
    except FailureGroup as group:
        raise from_failures(group, case, response, target.base_url) from None
