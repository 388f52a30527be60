"""Sending one schemathesis case to the target and judging the answer.

Shared by the fuzzing and the stateful parts: confine writes to the run's prefix, send the case
through the run's transport, then run schemathesis's checks (those of the suite's config) and
the Bitrix checks one by one, so that each finding is named by its check, and note in the run's
ledger what each check judged.
"""

from __future__ import annotations

from typing import Any, cast

import httpx
from hypothesis import reject
from schemathesis import Case, GenerationMode
from schemathesis.checks import CHECKS, CheckFunction, load_all_checks
from schemathesis.core.failures import FailureGroup

from b24_conformance.checks import BITRIX_CHECKS
from b24_conformance.model import PortalModel
from b24_conformance.operations import operation_id, parameters
from b24_conformance.safety import WRITE_METHODS, confine
from b24_conformance.schemas import ANSWER_CHECKS
from b24_conformance.target import Target
from b24_conformance.violations import ContractViolated, Violation, from_failures
from b24_spec.methods import GET_FORM, method_of

Check = CheckFunction
load_all_checks()  # registers schemathesis's OpenAPI checks, so they can be found by name
SCHEMATHESIS_CHECKS = cast(list[Check], CHECKS.get_by_names(list(ANSWER_CHECKS)))


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
    """Send `case` through the run's transport (paced, counted, watched); the answer masked.
    The case must have been through `make_safe` first: nothing here confines a write."""
    return target.send(case.as_transport_kwargs(base_url=target.base_url))


def checks_for(case: Case[Any], model: PortalModel) -> list[tuple[str, Check]]:
    """The checks that judge an answer to `case`, by name; `negative_data_rejection` judges
    invalid data only, `valid_request_accepted` valid data only."""
    negative = case.meta is not None and case.meta.generation.mode == GenerationMode.NEGATIVE
    named: list[tuple[str, Check]] = [
        (check.__name__, check)
        for check in SCHEMATHESIS_CHECKS
        if negative or check.__name__ != "negative_data_rejection"
    ]
    named += [(check.__name__, check) for check in BITRIX_CHECKS]
    if not negative:
        named.append(("valid_request_accepted", model.valid_request_accepted))
    named.append(("consistency", model.consistency))
    return named


def judge(case: Case[Any], response: httpx.Response, model: PortalModel, target: Target) -> None:
    """Run every check on the answer, one by one; raise ContractViolated with whatever broke,
    each finding named by its check."""
    found: list[Violation] = []
    for name, check in checks_for(case, model):
        target.ledger.ran_on(response, name)
        try:
            case.validate_response(response, checks=[check])
        except FailureGroup as group:
            found += from_failures(group, name, case, response, target.base_url)
    if found:
        raise ContractViolated(found)
