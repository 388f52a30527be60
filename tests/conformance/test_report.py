"""The report, its verdict and exit status, and the JUnit report, in process."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from b24_conformance.cli import OK, USAGE, VIOLATIONS, exit_status
from b24_conformance.junit import junit_xml
from b24_conformance.report import CLEANUP, INCOMPLETE, Report
from b24_conformance.safety import CleanupResult
from b24_conformance.violations import Violation

GET_JSON = "crm.activity.badge.get [POST json]"
FOUND = Violation(GET_JSON, "bitrix_envelope", "HTTP 200 without time", "curl ...", "HTTP 200")
OTHER = Violation(GET_JSON, "bitrix_envelope", "HTTP 200 without result", "curl ...", "HTTP 200")


def report(**changes: object) -> Report:
    made = Report("https://portal/rest/1/***", "quick", True, False, "none")
    made.cleanup = CleanupResult(deleted=["b24ct-0badc0de-a"])
    for name, value in changes.items():
        setattr(made, name, value)
    return made


def test_a_clean_run_conforms() -> None:
    made = report()
    assert made.verdict().text == "CONFORMS"
    assert exit_status(made) == OK
    assert "cleanup: 1 badge(s) of this run deleted" in made.markdown()


def test_violations_are_exit_1_and_listed_once() -> None:
    made = report()
    made.add_violations("test_a", [FOUND, FOUND])
    made.add_violations("test_b", [FOUND])
    assert exit_status(made) == VIOLATIONS
    assert made.verdict().text == "DOES NOT CONFORM: 1 violation(s)"
    assert made.markdown().count("HTTP 200 without time") == 1
    assert made.console().count("HTTP 200 without time") == 1
    assert f"1. {GET_JSON}: bitrix_envelope" in made.console()


def test_an_error_is_exit_2() -> None:
    made = report(errors=[("run", "the run's deadline passed (1 s): checks were left out")])
    assert made.verdict().text.startswith("COULD NOT CHECK: the run's deadline passed")
    assert exit_status(made) == USAGE
    assert "error in run: the run's deadline passed" in made.console()


def test_badges_left_behind_are_exit_2_and_named() -> None:
    made = report(cleanup=CleanupResult(left=["b24ct-0badc0de-x"]))
    assert exit_status(made) == USAGE
    assert "LEFT BEHIND: 'b24ct-0badc0de-x'" in made.console()
    assert "--cleanup" in made.verdict().text


def test_violations_stay_exit_1_when_the_cleanup_left_badges_and_say_so() -> None:
    made = report(cleanup=CleanupResult(left=["b24ct-0badc0de-x"]))
    made.add_violations("test_a", [FOUND])
    assert exit_status(made) == VIOLATIONS
    assert "the cleanup did not finish" in made.verdict().text


def test_a_spent_budget_is_incomplete_and_names_what_did_not_run() -> None:
    made = report()
    made.did_not_run("test_client.py::test_reads", "the request budget of 25 is used up")
    made.did_not_run("test_auth.py::test_x", "the request budget of 25 is used up")
    assert exit_status(made) == INCOMPLETE == 3
    assert made.verdict().text == (
        "INCOMPLETE: 2 check(s) did not run (the request budget of 25 is used up)"
    )
    assert "  - test_client.py::test_reads" in made.console()
    assert "- `test_auth.py::test_x`: the request budget of 25 is used up" in made.markdown()


def test_violations_outrank_a_spent_budget() -> None:
    made = report()
    made.did_not_run("test_auth.py::test_x", "the request budget of 25 is used up")
    made.add_violations("test_a", [FOUND])
    assert exit_status(made) == VIOLATIONS
    assert made.verdict().text == "DOES NOT CONFORM: 1 violation(s); 1 check(s) did not run"


def test_an_interrupted_run_is_exit_2_even_with_violations() -> None:
    """It did not check everything: errors outrank violations."""
    made = report(interrupted=True, errors=[("run", "interrupted")])
    made.add_violations("test_a", [FOUND])
    assert exit_status(made) == USAGE
    assert made.verdict().text == "COULD NOT CHECK: interrupted (1 violation(s) so far)"


def test_a_cleanup_run_is_cleaned_or_failed_never_conforms() -> None:
    cleaned = report(mode=CLEANUP, cleanup=CleanupResult(deleted=["b24ct-0badc0de-a"]))
    empty = report(mode=CLEANUP, cleanup=CleanupResult())
    failed = report(mode=CLEANUP, cleanup=CleanupResult(left=["b24ct-0badc0de-b"], error="x"))
    assert cleaned.verdict() == (
        OK,
        "CLEANED: 1 badge(s) left by earlier runs deleted ('b24ct-0badc0de-a')",
    )
    assert empty.verdict() == (OK, "CLEANED: earlier runs left nothing to delete")
    assert failed.verdict().status == USAGE
    assert failed.verdict().text.startswith("FAILED:")
    for made in (cleaned, empty, failed):
        assert "CONFORMS" not in made.console() + made.markdown()
    assert "  - b24ct-0badc0de-a" in cleaned.console()
    assert "# Bitrix24 badge conformance cleanup" in cleaned.markdown()
    assert "- b24ct-0badc0de-b" in failed.markdown()


def cases(document: str) -> dict[str, ET.Element]:
    return {case.attrib["name"]: case for case in ET.fromstring(document).iter("testcase")}


def test_junit_has_a_case_per_operation_and_check_and_a_failure_per_violation() -> None:
    made = report()
    made.ledger.ran(GET_JSON, "bitrix_envelope")
    made.ledger.ran(GET_JSON, "response_schema_conformance")
    made.ledger.ran("crm.activity.badge.list [GET query]", "bitrix_envelope")
    made.add_violations("test_answers.py::test_valid_requests[POST /x]", [FOUND, OTHER])
    made.errors.append(("test_client.py::test_reads", "RuntimeError: boom"))
    made.did_not_run("test_auth.py::test_x", "the request budget of 25 is used up")
    document = junit_xml(made)
    root = ET.fromstring(document)
    (suite,) = root.iter("testsuite")
    assert suite.attrib["name"] == root.attrib["name"] == "b24-conformance"
    found = cases(document)
    assert set(found) == {
        f"{GET_JSON} response_schema_conformance",
        "crm.activity.badge.list [GET query] bitrix_envelope",
        f"{GET_JSON} bitrix_envelope #1",
        f"{GET_JSON} bitrix_envelope #2",
        "test_client.py::test_reads",
        "test_auth.py::test_x",
    }
    failures = [c for c in found.values() if c.find("failure") is not None]
    assert [c.find("failure").attrib["message"] for c in failures] == [  # type: ignore[union-attr]
        "HTTP 200 without time",
        "HTTP 200 without result",
    ]
    assert found["test_client.py::test_reads"].find("error") is not None
    assert found["test_client.py::test_reads"].find("failure") is None
    assert found["test_auth.py::test_x"].find("skipped") is not None
    counts = {k: suite.attrib[k] for k in ("tests", "failures", "errors", "skipped")}
    assert counts == {"tests": "6", "failures": "2", "errors": "1", "skipped": "1"}
    assert counts == {k: root.attrib[k] for k in counts}


def test_junit_is_valid_xml_whatever_the_portal_answered() -> None:
    made = report()
    made.add_violations("t", [Violation(GET_JSON, "c", "a \x00\x1b byte", "curl", "HTTP 200 \x01")])
    root = ET.fromstring(junit_xml(made))
    (case,) = root.iter("testcase")
    assert case.find("failure") is not None


def test_a_test_that_names_no_check_is_a_case_of_its_own() -> None:
    made = report()
    made.ledger.test = lambda: "test_answers.py::test_valid_requests[POST /x]"
    made.ledger.ran(GET_JSON, "bitrix_envelope")
    made.ledger.passed += ["test_answers.py::test_valid_requests", "test_batch.py::test_batch"]
    assert set(cases(junit_xml(made))) == {
        f"{GET_JSON} bitrix_envelope",
        "test_batch.py::test_batch",
    }
