"""Generated requests to every operation; every answer judged by the spec and the Bitrix checks.

Valid data in every encoding (JSON, url-encoded and multipart forms, GET query); with invalid
data enabled, wrongly typed and missing parameters as JSON, which must be refused. Writes go to
add and delete only when the run may write, always under the run's code prefix.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis

from b24_conformance import cases
from b24_conformance.model import PortalModel
from b24_conformance.target import Target

positive = schemathesis.pytest.from_fixture("positive_schema")
negative = schemathesis.pytest.from_fixture("negative_schema")


def exercise(case: schemathesis.Case[Any], target: Target, model: PortalModel) -> None:
    cases.make_safe(case, target, target.case_prefix())
    cases.judge(case, cases.send(case, target), model, target)


@positive.parametrize()
def test_valid_requests(case: schemathesis.Case[Any], target: Target, model: PortalModel) -> None:
    exercise(case, target, model)


@pytest.mark.b24_negative
@negative.parametrize()
def test_invalid_requests(case: schemathesis.Case[Any], target: Target, model: PortalModel) -> None:
    exercise(case, target, model)
