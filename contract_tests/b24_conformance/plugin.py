"""The pytest plugin that connects the suite to a run: fixtures in, findings out.

It gives the suite's tests the run's `target` and `model`, counts each module's requests as one
part of the suite, and turns each test's outcome into the report: violations from
`ContractViolated` (also inside the exception groups hypothesis raises), a skip for a spent
request budget, an error for anything else. The tracebacks pytest would print are replaced by
the violations themselves, which are built from masked material only.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Any

import pytest

from b24_conformance.model import PortalModel
from b24_conformance.report import Report
from b24_conformance.settings import RunSettings, install
from b24_conformance.target import BudgetExhausted, Target
from b24_conformance.violations import ContractViolated


def _leaves(error: BaseException) -> Iterator[BaseException]:
    if isinstance(error, BaseExceptionGroup):
        for inner in error.exceptions:
            yield from _leaves(inner)
    else:
        yield error
        if error.__cause__ is not None:
            yield from _leaves(error.__cause__)


class ConformancePlugin:
    def __init__(self, settings: RunSettings, report: Report) -> None:
        self._settings = settings
        self.report = report
        self._model = PortalModel()

    def pytest_configure(self, config: pytest.Config) -> None:
        install(self._settings)

    @pytest.fixture(scope="session")
    def target(self) -> Target:
        return self._settings.target

    @pytest.fixture(scope="session")
    def model(self) -> PortalModel:
        return self._model

    @pytest.fixture(scope="session")
    def settings(self) -> RunSettings:
        return self._settings

    @pytest.fixture(autouse=True)
    def _part(self, request: pytest.FixtureRequest, target: Target) -> Iterator[None]:
        part = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
        with target.part(part):
            yield

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[Any]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        if call.excinfo is None:
            if report.when == "call":
                self.report.outcomes[report.outcome] += 1
            return report
        redact = self._settings.target.redact
        leaves = list(_leaves(call.excinfo.value))
        found = [
            v for leaf in leaves if isinstance(leaf, ContractViolated) for v in leaf.violations
        ]
        if found:
            self.report.add_violations(item.nodeid, found)
            report.longrepr = "\n\n".join(v.render() for v in found)
        elif any(isinstance(leaf, BudgetExhausted) for leaf in leaves):
            self.report.budget_exhausted = True
            report.outcome = "skipped"
            report.longrepr = (str(item.path), 0, "skipped: the request budget is used up")
        elif call.excinfo.errisinstance((pytest.skip.Exception, pytest.xfail.Exception)):
            pass
        else:
            message = redact(f"{type(leaves[0]).__name__}: {leaves[0]}")
            self.report.errors.append((item.nodeid, message))
            report.longrepr = message
        report.sections = []  # captured output may quote what the longrepr now omits
        if report.when == "call" or report.outcome != "passed":
            self.report.outcomes["violated" if found else report.outcome] += 1
        return report
