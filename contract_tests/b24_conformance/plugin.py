"""The pytest plugin that connects the suite to a run: settings in as fixtures, findings out.

Two ways in, one plugin:

* `b24-conformance` opens the run itself and hands it over (`ConformancePlugin(options, run)`);
* a pytest user runs the suite inside their own pytest with this module as a plugin:

      pytest --pyargs b24_conformance.suite -p b24_conformance.plugin \\
          --b24-base-url https://portal.bitrix24.com/rest/1/CODE/ [--b24-allow-writes]

  and the run is opened by the session fixture `conformance_run` on first use (the bundled
  emulator when there is no URL), cleaned up when the session ends, and summed up after the
  test summary.

The suite's tests get everything through fixtures (`settings`, `target`, `model`,
`positive_schema`, `negative_schema`); tests that write or send invalid data carry the markers
`b24_writes` / `b24_negative` and are deselected at collection time when the run does not do
that. Each test's outcome goes into the report: violations from `ContractViolated` (also inside
the exception groups hypothesis raises); a check that did not run (a spent request budget, writes
the portal refused, the run's deadline, a portal no longer available) as a skip that the report
lists; an error for anything else. The tracebacks pytest would print are replaced by the
violations themselves, built from masked material only and redacted once more.

Under plain pytest the run's verdict follows pytest's exit status: violations fail their tests,
a cleanup that left badges behind is an error at the teardown of the last test, and a run
whose checks did not all run fails the session (pytest has no status of its own for that).
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from contextlib import ExitStack
from typing import Any

import httpx
import pytest
from schemathesis.specs.openapi.schemas import OpenApiSchema

from b24_badge_client import DeadlineExceeded as CallDeadline
from b24_conformance import schemas
from b24_conformance.model import PortalModel
from b24_conformance.oauth import TOKEN_SERVER, OAuthGrant
from b24_conformance.report import INCOMPLETE, NOT_CHECKED
from b24_conformance.run import Run, UsageError, open_run, parse_rate_limit
from b24_conformance.settings import PROFILES, Options, RunSettings
from b24_conformance.target import (
    BudgetExhausted,
    DeadlineExceeded,
    PortalUnavailable,
    Target,
    WritesRefused,
)
from b24_conformance.violations import ContractViolated, Violation, curl, operation_label

SUITE = "b24_conformance.suite"
MARKERS = {
    "b24_writes": "the test adds or deletes badges: left out of read-only runs",
    "b24_negative": "the test sends invalid data: only with --b24-negative or the bundled emulator",
    "b24_bundled": "the test could harm a broken portal's data: only against the bundled emulator",
    "b24_webhook": "the test needs a webhook URL: left out of OAuth runs",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("b24-conformance", "Bitrix24 badge conformance suite")
    group.addoption(
        "--b24-base-url",
        default=os.environ.get("B24_WEBHOOK_URL"),
        help="webhook URL of the portal to check (default $B24_WEBHOOK_URL; without either, "
        "the bundled emulator)",
    )
    group.addoption(
        "--b24-allow-writes", action="store_true", help="add and delete badges (run's own codes)"
    )
    group.addoption("--b24-profile", choices=sorted(PROFILES), default="standard")
    group.addoption("--b24-negative", action="store_true", help="also send invalid data (JSON)")
    group.addoption("--b24-seed", type=int, help="random seed, to repeat a run")
    group.addoption(
        "--b24-rate-limit", metavar="BURST/PER_SECOND|none", help="pace (default: the cloud's)"
    )
    group.addoption("--b24-max-requests", type=int, help="hard budget of requests")
    group.addoption(
        "--b24-oauth",
        metavar="PORTAL",
        help="check https://PORTAL/rest/ as an OAuth application, the access token from "
        "$B24_ACCESS_TOKEN (refresh: $B24_REFRESH_TOKEN, $B24_CLIENT_ID, $B24_CLIENT_SECRET)",
    )


def options_from(config: pytest.Config) -> Options:
    """The run the pytest command line asks for."""
    rate_limit = config.getoption("b24_rate_limit")
    if rate_limit is not None:
        try:
            parse_rate_limit(rate_limit)
        except ValueError as error:
            raise pytest.UsageError(f"--b24-rate-limit: {error}") from None
    portal = config.getoption("b24_oauth")
    try:
        oauth = None if portal is None else OAuthGrant.from_environment(portal, TOKEN_SERVER)
    except ValueError as error:
        raise pytest.UsageError(f"--b24-oauth: {error}") from None
    return Options(
        base_url=None if oauth else config.getoption("b24_base_url"),
        oauth=oauth,
        allow_writes=config.getoption("b24_allow_writes"),
        profile=config.getoption("b24_profile"),
        negative=config.getoption("b24_negative"),
        seed=config.getoption("b24_seed"),
        rate_limit=rate_limit,
        max_requests=config.getoption("b24_max_requests"),
    )


def pytest_configure(config: pytest.Config) -> None:
    for name, text in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")
    plugins = config.pluginmanager.get_plugins()
    if not any(isinstance(plugin, ConformancePlugin) for plugin in plugins):  # else: the command's
        config.pluginmanager.register(ConformancePlugin(options_from(config)))


def _leaves(error: BaseException) -> Iterator[BaseException]:
    if isinstance(error, BaseExceptionGroup):
        for inner in error.exceptions:
            yield from _leaves(inner)
    else:
        yield error
        if error.__cause__ is not None:
            yield from _leaves(error.__cause__)


DEADLINE = "the run's deadline passed"


def _violations(error: BaseException) -> list[Violation]:
    """The violations an exception stands for: those of ContractViolated, and the portal
    deviations that surface as transport errors (an answer whose Content-Encoding lies)."""
    if isinstance(error, ContractViolated):
        return error.violations
    if isinstance(error, httpx.DecodingError):
        message = (
            f"the answer cannot be decoded as its Content-Encoding says ({error}): a portal "
            "must send the body in the encoding it names"
        )
        request = error.request  # httpx sets it on every error raised while sending
        label = operation_label(request)
        return [Violation(label, "content encoding", message, curl(request), "(undecodable)")]
    return []


# Why a selected check did not run, by what stopped it; the first two make a run INCOMPLETE,
# the others (the portal, the time) make it one that could not be checked. The client's own
# DeadlineExceeded: a call of the generated client that its waits kept past its deadline.
NOT_RUN = (BudgetExhausted, WritesRefused, DeadlineExceeded, PortalUnavailable, CallDeadline)


def _stopped(leaves: list[BaseException]) -> BaseException | None:
    return next((leaf for leaf in leaves if isinstance(leaf, NOT_RUN)), None)


def _in_suite(item: pytest.Item) -> bool:
    module = getattr(item, "module", None)
    return module is not None and module.__name__.startswith(SUITE + ".")


class ConformancePlugin:
    """One run's fixtures, test selection and reporting."""

    def __init__(self, options: Options, run: Run | None = None) -> None:
        self.options = options
        self.run = run
        self._owns_run = run is None  # opened (and cleaned up) by this plugin, under pytest
        self._opened = ExitStack()

    # -- fixtures ---------------------------------------------------------------------------

    @pytest.fixture(scope="session")
    def conformance_run(self) -> Iterator[Run]:
        if self.run is not None:
            yield self.run
            return
        try:
            self.run = self._opened.enter_context(open_run(self.options))
        except UsageError as error:
            self._opened.close()
            pytest.exit(f"b24-conformance: {error}", returncode=2)
        try:
            yield self.run
        finally:
            self._opened.close()  # the cleanup
        cleanup = self.run.report.cleanup
        if cleanup is not None and not cleanup.clean:  # an error at the last test's teardown
            pytest.fail(self.run.target.redact(f"b24-conformance: cleanup: {cleanup}"))

    @pytest.fixture(scope="session")
    def settings(self, conformance_run: Run) -> RunSettings:
        return conformance_run.settings

    @pytest.fixture(scope="session")
    def target(self, conformance_run: Run) -> Target:
        return conformance_run.target

    @pytest.fixture(scope="session")
    def model(self, conformance_run: Run) -> PortalModel:
        return conformance_run.model

    @pytest.fixture(scope="session")
    def positive_schema(self, settings: RunSettings) -> OpenApiSchema:
        return schemas.positive(settings)

    @pytest.fixture(scope="session")
    def negative_schema(self, settings: RunSettings) -> OpenApiSchema:
        return schemas.negative(settings)

    # -- selection --------------------------------------------------------------------------

    def pytest_collection_modifyitems(
        self, session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        """Leave out what this run does not do, before anything runs."""
        left_out = {
            "b24_writes": not self.options.writes,
            "b24_negative": not self.options.sends_invalid_data,
            "b24_bundled": not self.options.bundled,
            "b24_webhook": self.options.oauth is not None,
        }
        kept: list[pytest.Item] = []
        deselected: list[pytest.Item] = []
        for item in items:
            skip = any(left_out[m.name] for m in item.iter_markers() if m.name in left_out)
            (deselected if skip else kept).append(item)
        if deselected:
            config.hook.pytest_deselected(items=deselected)
            items[:] = kept

    # -- accounting and findings ------------------------------------------------------------

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, None, None]:
        """Count the requests of each suite module as one part of the run."""
        if self.run is None or not _in_suite(item):
            return (yield)
        part = item.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")  # type: ignore[attr-defined]
        ledger = self.run.target.ledger
        ledger.test = lambda: item.nodeid  # schemathesis renames the item for each operation
        try:
            with self.run.target.part(part):
                return (yield)
        finally:
            ledger.test = lambda: "run"

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[Any]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        if self.run is None or not _in_suite(item):
            return report
        run, target = self.run.report, self.run.target
        if call.excinfo is None:
            if report.when == "call":
                run.outcomes[report.outcome] += 1
                if report.passed:
                    target.ledger.passed.append(item.nodeid)
            report.sections = []
            return report
        if call.excinfo.errisinstance(KeyboardInterrupt):
            return report  # the run is interrupted: the report says so once, not per test
        leaves = list(_leaves(call.excinfo.value))
        found = [v for leaf in leaves for v in _violations(leaf)]
        stopped = _stopped(leaves)
        if found:
            run.add_violations(item.nodeid, found)
            report.longrepr = target.redact("\n\n".join(v.render() for v in found))
        elif stopped is not None:
            why = self._why_not_run(stopped)
            run.did_not_run(item.nodeid, why)
            report.outcome = "skipped"
            report.longrepr = (str(item.path), 0, f"did not run: {why}")
        elif call.excinfo.errisinstance((pytest.skip.Exception, pytest.xfail.Exception)):
            pass
        else:
            message = target.redact(f"{type(leaves[0]).__name__}: {leaves[0]}")
            run.errors.append((item.nodeid, message))
            report.longrepr = message
        report.sections = []  # captured output may quote what the longrepr now omits
        if report.when == "call" or report.outcome != "passed":
            run.outcomes["violated" if found else report.outcome] += 1
        return report

    def _why_not_run(self, stopped: BaseException) -> str:
        """The reason a check did not run; the portal and the time are also errors of the run
        (exit 2), noted once."""
        assert self.run is not None
        target = self.run.target
        if isinstance(stopped, BudgetExhausted):
            return f"the request budget of {target.budget.limit} is used up"
        if isinstance(stopped, WritesRefused):
            return target.redact(str(stopped))
        if isinstance(stopped, DeadlineExceeded):
            why = f"{DEADLINE} ({self.options.deadline:g} s)"
        elif isinstance(stopped, CallDeadline):
            why = str(target.unavailable(f"the portal is unavailable: {stopped}"))
        else:
            why = target.redact(str(stopped))
        if not any(test == "run" and text.startswith(why) for test, text in self.run.report.errors):
            self.run.report.errors.append(("run", f"{why}: checks were left out"))
        return why

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Under plain pytest, a run whose selected checks did not all run (or could not check
        the portal) does not pass: exit 0 means every check ran."""
        if self.run is None or not self._owns_run or session.exitstatus != pytest.ExitCode.OK:
            return
        if self.run.report.verdict().status in (NOT_CHECKED, INCOMPLETE):
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        """Under plain pytest, the run's verdict, cleanup included (session fixtures are torn
        down by now); the command prints its own."""
        if self.run is not None and self._owns_run:
            terminalreporter.write_line(self.run.target.redact(self.run.report.console()))
