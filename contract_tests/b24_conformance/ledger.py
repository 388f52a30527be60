"""Which checks judged which operation: the test cases a CI shows for a run.

A CI lists a conformance run as test cases, one per operation and check
(`batch [POST json] response_schema_conformance`). Every check of the suite
notes here what it judged (`ran`), test by test; the plugin notes the tests that passed. The
JUnit report (junit.py) turns them into test cases, next to the violations, errors and checks
that did not run, which the report (report.py) holds.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from b24_conformance.violations import operation_label

Key = tuple[str, str]  # (operation, check)


class Ledger:
    """What each test of a run judged, in the order it judged it."""

    def __init__(self) -> None:
        self.test: Callable[[], str] = lambda: "run"  # the test now running; the plugin sets it
        self.judged: dict[str, dict[Key, None]] = {}  # test -> its (operation, check), ordered
        self.passed: list[str] = []  # tests that ended without a finding, in order

    def ran(self, operation: str, check: str) -> None:
        """`check` judged `operation` (`batch [POST json]`) in this test."""
        self.judged.setdefault(self.test(), {})[(operation, check)] = None

    def ran_on(self, response: httpx.Response, check: str) -> None:
        """`check` judged the answer `response`, named by how its request called the method."""
        self.ran(operation_label(response.request), check)

    def pairs(self) -> list[Key]:
        """Every (operation, check) judged in the run, once, in the order first judged."""
        seen: dict[Key, None] = {}
        for keys in self.judged.values():
            seen.update(keys)
        return list(seen)

    def silent_passes(self) -> list[str]:
        """Tests that passed without naming what they judged, listed under their own name (a
        test whose operations were its sub-tests, `test[POST /crm...]`, named them there)."""
        judging = [test for test, keys in self.judged.items() if keys]
        return [
            test
            for test in dict.fromkeys(self.passed)
            if not any(t == test or t.startswith(test + "[") for t in judging)
        ]
