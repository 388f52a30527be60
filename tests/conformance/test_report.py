"""The report and the exit status, in process: what a run says, and what it returns."""

from __future__ import annotations

from b24_conformance.cli import OK, USAGE, VIOLATIONS, exit_status
from b24_conformance.report import Report
from b24_conformance.safety import CleanupResult
from b24_conformance.violations import Violation
from b24_spec.methods import GET

FOUND = Violation(
    "crm.activity.badge.get", "envelope", "HTTP 200 without time", "curl ...", "HTTP 200"
)


def report(**changes: object) -> Report:
    made = Report("https://portal/rest/1/***", "quick", True, False, "none")
    made.cleanup = CleanupResult(deleted=["b24ct-0badc0de-a"])
    for name, value in changes.items():
        setattr(made, name, value)
    return made


def test_a_clean_run_conforms() -> None:
    made = report()
    assert made.verdict() == "CONFORMS"
    assert exit_status(made) == OK
    assert "cleanup: 1 badge(s) of this run deleted" in made.markdown()


def test_violations_are_exit_1_and_listed_once() -> None:
    made = report()
    made.add_violations("test_a", [FOUND, FOUND])
    made.add_violations("test_b", [FOUND])
    assert exit_status(made) == VIOLATIONS
    assert made.verdict() == "DOES NOT CONFORM: 1 violation(s)"
    assert made.markdown().count("HTTP 200 without time") == 1
    assert f"1. {GET}: envelope" in made.console()


def test_an_error_is_exit_2() -> None:
    made = report(errors=[("run", "interrupted")])
    assert made.verdict().startswith("INCOMPLETE")
    assert exit_status(made) == USAGE
    assert "error in run: interrupted" in made.console()


def test_badges_left_behind_are_exit_2_and_named() -> None:
    made = report(cleanup=CleanupResult(left=["b24ct-0badc0de-x"]))
    assert exit_status(made) == USAGE
    assert "LEFT BEHIND: 'b24ct-0badc0de-x'" in made.console()


def test_a_spent_budget_still_conforms_but_says_so() -> None:
    made = report(budget_exhausted=True)
    assert exit_status(made) == OK
    assert "request budget exhausted" in made.verdict()


def test_an_interrupted_run_is_exit_2_even_with_violations() -> None:
    """It did not check everything: errors outrank violations."""
    made = report(interrupted=True, errors=[("run", "interrupted")])
    made.add_violations("test_a", [FOUND])
    assert exit_status(made) == USAGE
    assert made.verdict() == "INCOMPLETE: interrupted, 1 violation(s) so far"
