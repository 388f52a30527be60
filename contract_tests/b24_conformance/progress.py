"""The command's progress on the console, instead of pytest's dots.

A run against a paced portal takes minutes; a CI log should show where it is. Each part of the
suite (answers, arguments, auth, client, stateful ...) starts with its count of tests and ends
with the requests it sent, its time and how much of it was spent waiting for the pace; the
generated parts also show each operation as it ends. The percentage counts tests that ended
(passed, failed, or did not run), so it reaches 100% whenever the run is not interrupted. The
cleanup reports its own count (run.py).
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import pytest

from b24_conformance.run import Say
from b24_conformance.target import Target

SUBTEST = "_schemathesis_subtest"  # set by schemathesis on the report of one operation


def is_operation(report: pytest.TestReport) -> bool:
    """Whether `report` is that of one operation of a generated test (a sub-test: pytest 9's
    own, or schemathesis's under pytest 8)."""
    return type(report).__name__ == "SubtestReport" or bool(getattr(report, SUBTEST, False))


def part_of(nodeid: str) -> str:
    """`test_answers.py::test_valid_requests` -> `answers`."""
    return nodeid.split("::", 1)[0].rsplit("/", 1)[-1].removesuffix(".py").removeprefix("test_")


class Progress:
    """A pytest plugin of the command that says how far the run is."""

    def __init__(self, target: Target, say: Say) -> None:
        self._target = target
        self._say = say
        self._total = 0
        self._done = 0
        self._sizes: Counter[str] = Counter()
        self._part: str | None = None
        self._started = 0.0
        self._sent = 0
        self._paced = 0.0

    def _percent(self) -> str:
        share = 100 if self._total == 0 else self._done * 100 // self._total
        return f"[{share:3d}%]"

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self._total = len(session.items)
        self._sizes = Counter(part_of(item.nodeid) for item in session.items)
        parts = ", ".join(f"{part} {n}" for part, n in self._sizes.items())
        self._say(f"{self._percent()} {self._total} test(s) selected: {parts}")

    def pytest_runtest_logstart(self, nodeid: str, location: Any) -> None:
        part = part_of(nodeid)
        if part == self._part:
            return
        self._end_part()
        self._part = part
        self._started = time.monotonic()
        self._sent = sum(self._target.budget.per_part.values())
        self._paced = self._target.transport.paced
        self._say(f"{self._percent()} {part}: {self._sizes[part]} test(s)")

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" and is_operation(report):
            test, _, operation = report.nodeid.rpartition("::")[2].partition("[")
            kind = test.removeprefix("test_").removesuffix("_requests")
            sent = sum(self._target.budget.per_part.values()) - self._sent
            self._say(
                f"       {self._part}: {kind} {operation.rstrip(']')} {report.outcome} "
                f"({sent} request(s) so far)"
            )

    def pytest_runtest_logfinish(self, nodeid: str, location: Any) -> None:
        self._done += 1

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self._end_part()

    def _end_part(self) -> None:
        if self._part is None:
            return
        sent = sum(self._target.budget.per_part.values()) - self._sent
        paced = self._target.transport.paced - self._paced
        seconds = time.monotonic() - self._started
        self._say(
            f"{self._percent()} {self._part}: done, {sent} request(s) in {seconds:.1f} s "
            f"({paced:.1f} s waiting for the pace)"
        )
        self._part = None
