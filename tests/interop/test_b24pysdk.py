"""b24pysdk (the official Python SDK), unchanged, against the emulator over HTTPS."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.interop.harness import Run, run_sdk
from tests.interop.scenario import (
    BADGE,
    MISSING,
    assert_badge_result,
    assert_batch_results,
    assert_listed,
)

pytestmark = pytest.mark.slow  # a process per run, the SDK imported in each
SCRIPT = Path(__file__).with_name("run_b24pysdk.py")
TRUST = "REQUESTS_CA_BUNDLE"  # requests, b24pysdk's HTTP library, reads it


@pytest.fixture(scope="module")
def run() -> Run:
    return run_sdk([sys.executable, str(SCRIPT)], trust=TRUST)


def test_add_get_list_delete_have_the_shapes_of_b24pysdks_own_badge_test(run: Run) -> None:
    results = run.results
    assert_badge_result(results["add"])
    assert_badge_result(results["get"])
    assert_listed(results["list"])
    assert BADGE in results["as_list"], "list().as_list() gives the badges themselves"
    assert results["delete"] is True
    assert BADGE["code"] not in run.codes_left, "the delete deleted"


def test_an_unknown_code_raises_not_found_keeping_the_real_status(run: Run) -> None:
    """b24pysdk picks the class by code: BitrixAPINotFound, whose class is the 404 one, while
    `status_code` is the status the portal sent (400, as the badge docs give it)."""
    assert run.results["error"] == {
        "type": "BitrixAPINotFound",
        "status_code": 400,
        "error": "NOT_FOUND",
        "error_description": "Not found.",
    }
    assert f'"code": "{MISSING}"' in run.wire[4].request.decode(), "the error step asked for it"


def test_call_batch_gives_each_command_as_the_method_answers(run: Run) -> None:
    batch = run.results["batch"]
    assert_batch_results(batch["result"])
    assert batch["result_error"] in ([], {}), "no command failed"
    assert batch["result_total"] == {"list": 2}, "list reports its total: the seed and BADGE"


def test_strict_mode_finds_no_request_violation(run: Run) -> None:
    """b24pysdk calls every method as `{method}.json`, a POST with a JSON body; the contract
    says a `.json` suffix is the same method (info.description), so strict mode reports
    nothing (tests/emulator/test_strict.py shows it reading names as a portal does)."""
    assert run.methods() == [
        "crm.activity.badge.add.json",
        "crm.activity.badge.get.json",
        "crm.activity.badge.list.json",
        "crm.activity.badge.list.json",
        "crm.activity.badge.get.json",
        "batch.json",
        "crm.activity.badge.delete.json",
    ]
    assert {exchange.scope["method"] for exchange in run.wire} == {"POST"}
    assert run.violations == {"count": 0, "violations": []}


def test_without_the_trust_variable_the_certificate_is_refused() -> None:
    """The HTTPS is real: the same run without REQUESTS_CA_BUNDLE fails at the first call."""
    failed = run_sdk([sys.executable, str(SCRIPT)], trust=None)
    assert failed.returncode != 0
    assert "CERTIFICATE_VERIFY_FAILED" in failed.errors
    assert failed.wire == [], "no request reached the portal"
