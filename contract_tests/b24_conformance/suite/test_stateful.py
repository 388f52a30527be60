"""The stateful contract through the spec's OpenAPI links (runs only when the run may write).

add -> get, add -> delete, add -> add again, delete -> get, delete -> delete: schemathesis
chains them, and the run's model (b24_conformance.model) says what each answer must be. Each
scenario writes under a fresh sub-prefix, so that hypothesis replaying a scenario meets a
portal in the same state as the first time.
"""

from __future__ import annotations

import itertools
from typing import Any

import hypothesis
import pytest
import schemathesis
from schemathesis.specs.openapi.schemas import OpenApiSchema

from b24_conformance import cases
from b24_conformance.model import PortalModel
from b24_conformance.settings import RunSettings
from b24_conformance.target import Target
from b24_conformance.violations import ContractViolated, Violation


@pytest.mark.b24_writes  # the links all write
def test_links(
    target: Target, model: PortalModel, settings: RunSettings, positive_schema: OpenApiSchema
) -> None:
    scenarios = itertools.count()

    class Scenario(positive_schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            self.prefix = f"{target.prefix}s{next(scenarios)}-"

        def call(self, case: schemathesis.Case[Any], **kwargs: Any) -> schemathesis.Response:
            cases.make_safe(case, target, self.prefix)
            self.answer = cases.send(case, target)
            return schemathesis.Response.from_any(self.answer)

        def validate_response(
            self, response: schemathesis.Response, case: schemathesis.Case[Any], **kwargs: Any
        ) -> None:
            cases.judge(case, self.answer, model, target)

    try:
        run_scenarios(Scenario, settings)
    except hypothesis.errors.FlakyStrategyDefinition as error:
        # Each replay runs under a fresh sub-prefix, on a portal in the same state as the first
        # time, and the suite sends the same requests; only answers that differ make the
        # scenario take another path.
        message = (
            "the portal answered the same scenario differently when it was replayed (the "
            f"links it offered changed): {str(error).splitlines()[0]}"
        )
        found = Violation("stateful", "stateful replay", message, "(a scenario)", "(varies)")
        raise ContractViolated([found]) from None


def run_scenarios(scenario: Any, settings: RunSettings) -> None:
    scenario.run(
        settings=hypothesis.settings(
            max_examples=settings.profile.scenarios,
            stateful_step_count=settings.profile.steps,
            deadline=None,
            database=None,
            phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
            suppress_health_check=list(hypothesis.HealthCheck),
        )
    )
