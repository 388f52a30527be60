"""A CI never goes green by mistake: each verdict has its exit status, and the reports say
what a CI and a person need (issue 11). In process, against portal doubles on loopback."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from b24_emulator import run_emulator
from b24_spec.methods import ADD
from tests.conformance.conftest import QUICK, SETTINGS, Conformance, url_of
from tests.portals import Counting, denying, fails_after, successes


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (("--base-url", ""), {}),
        (("--base-url", "  "), {}),
        ((), {"B24_WEBHOOK_URL": ""}),
        (("--oauth", "--portal", "https://portal.example"), {"B24_ACCESS_TOKEN": ""}),
    ],
    ids=["empty-option", "blank-option", "empty-variable", "empty-token"],
)
def test_an_empty_url_or_token_is_a_usage_error_never_the_emulator(
    conformance: Conformance, args: tuple[str, ...], env: dict[str, str]
) -> None:
    """A missing CI secret looks like an empty value: exit 2, and no check of anything."""
    run = conformance(*args, *QUICK, env=env)
    assert run.status == 2, run.stdout + run.stderr
    assert "empty" in run.stderr
    assert "bundled emulator at" not in run.stdout
    assert "CONFORMS" not in run.stdout
    assert "**COULD NOT CHECK: " in run.summary


def test_an_empty_url_file_is_a_usage_error(conformance: Conformance, tmp_path: Path) -> None:
    empty = tmp_path / "webhook.txt"
    empty.write_text("\n", encoding="utf-8")
    run = conformance("--base-url-file", str(empty), *QUICK)
    assert run.status == 2
    assert "the webhook URL is empty" in run.stderr
    assert "bundled emulator" not in run.stdout


def test_a_refused_write_is_incomplete_and_names_what_did_not_run(
    conformance: Conformance,
) -> None:
    """A webhook whose user may read but not add: not CONFORMS, not exit 0."""
    refuse = denying(ADD, 403, "ACCESS_DENIED", "Access denied")
    with run_emulator(SETTINGS, wrap=refuse) as portal:
        run = conformance("--base-url", url_of(portal), "--allow-writes", *QUICK)
    assert run.status == 3, run.stdout + run.stderr
    verdict = "INCOMPLETE: "
    assert f"b24-conformance: {verdict}" in run.stdout
    assert "the portal refused the run's writes (HTTP 403 ACCESS_DENIED: Access denied)" in (
        run.stdout
    )
    assert "- `test_stateful.py::test_links`" in run.summary
    assert "- `test_client.py::test_a_badge_lifecycle_through_the_client`" in run.summary
    assert "CONFORMS" not in run.stdout


@pytest.mark.parametrize(
    ("status", "error", "advice"),
    [
        (401, "insufficient_scope", "give the webhook the crm scope"),
        (403, "INVALID_CREDENTIALS", "check the webhook URL (its user id and code)"),
    ],
)
def test_a_refusal_names_the_portals_error_code(
    conformance: Conformance, status: int, error: str, advice: str
) -> None:
    refuse = denying(None, status, error, "The request requires higher privileges")
    with run_emulator(SETTINGS, wrap=refuse) as portal:
        run = conformance("--base-url", url_of(portal), *QUICK)
    assert run.status == 2
    said = f"(HTTP {status} {error}: The request requires higher privileges)"
    assert f"the portal refused the webhook code {said}: {advice}" in run.stderr
    assert "check the URL" not in run.stderr


def without_time(answer: dict[str, Any]) -> None:
    del answer["time"]


def numbered_violations(console: str) -> list[str]:
    return re.findall(r"^\d+\. (.+)$", console, re.MULTILINE)


def test_the_junit_report_has_a_case_per_operation_and_check_and_a_failure_per_violation(
    conformance: Conformance,
) -> None:
    with run_emulator(SETTINGS, wrap=successes(without_time)) as portal:
        run = conformance("--base-url", url_of(portal), "--allow-writes", *QUICK)
    assert run.status == 1, run.stdout + run.stderr
    counted = re.search(r"DOES NOT CONFORM: (\d+) violation", run.stdout)
    assert counted
    violations = int(counted.group(1))
    root = ET.parse(run.report_dir / "junit.xml").getroot()
    (suite,) = root.iter("testsuite")
    assert suite.attrib["name"] == "b24-conformance"
    cases = list(suite.iter("testcase"))
    failed = [case for case in cases if case.find("failure") is not None]
    assert len(failed) == violations > 1, "one failing test case per violation"
    assert all(len(case.findall("failure")) == 1 for case in failed)
    named = re.compile(
        r"^(crm\.activity\.badge\.\w+|batch) \[(POST|GET) (json|form|multipart|query)\] "
        r"(bitrix_envelope|response_schema_conformance|batch answer)( #\d+)?$"
    )
    for case in failed:
        assert named.match(case.attrib["name"]), case.attrib["name"]
        message = case.find("failure").attrib["message"]  # type: ignore[union-attr]
        assert "time" in message, message
    passed = {c.attrib["name"] for c in cases if len(c) == 0}
    assert "crm.activity.badge.get [POST json] response_schema_conformance" in passed
    assert not any(c.attrib["name"].startswith("test_") for c in cases), "cases are named by check"
    assert suite.attrib["failures"] == root.attrib["failures"] == str(violations)
    assert suite.attrib["tests"] == str(len(cases))
    assert suite.attrib["errors"] == str(sum(c.find("error") is not None for c in cases))
    # The console prints each violation once, and nothing of pytest's failure report.
    listed = numbered_violations(run.stdout)
    assert len(listed) == violations
    for case in failed:
        operation, check = case.attrib["name"].split(" #")[0].split("] ", 1)
        operation += "]"
        assert f"{operation}: {check}" in listed
    assert "FAILURES" not in run.stdout
    assert "Traceback" not in run.stdout + run.stderr


def test_progress_shows_each_part_the_pace_and_the_cleanup_and_reaches_100(
    conformance: Conformance,
) -> None:
    counts: dict[str, int] = {}
    with run_emulator(SETTINGS, wrap=lambda app: Counting(app, counts)) as portal:
        run = conformance(
            "--base-url",
            url_of(portal),
            "--allow-writes",
            "--profile",
            "quick",
            "--seed",
            "7",
            "--rate-limit",
            "1000/1000",
        )
    assert run.status == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert "b24-conformance: pace: a burst of 1000, then 1000/s" in run.stdout
    parts = re.findall(r"\[\s*\d+%\] (\w+): (\d+) test\(s\)$", run.stdout, re.MULTILINE)
    assert [part for part, _ in parts] == [
        "answers",
        "arguments",
        "auth",
        "batch",
        "client",
        "stateful",
    ]
    done = re.findall(r"\[\s*(\d+)%\] (\w+): done, (\d+) request\(s\)", run.stdout)
    assert [part for _, part, _ in done] == [part for part, _ in parts]
    assert [int(share) for share, _, _ in done] == sorted(int(s) for s, _, _ in done)
    assert done[-1][0] == "100"
    cleanup = re.search(r"cleanup: deleting (\d+) badge\(s\) written by this run", run.stdout)
    deleted = re.search(r"cleanup: done: (\d+) deleted \((\d+) request\(s\)\)", run.stdout)
    assert cleanup
    assert deleted
    assert int(deleted.group(1)) > 0
    last = max(i for i, line in enumerate(lines) if "[100%]" in line)
    assert any(cleanup.group(0) in line for line in lines[last:]), "the cleanup comes last"
    sent = sum(int(n) for _, _, n in done) + int(deleted.group(2)) + 1  # + the first call
    assert sent == sum(counts.values())


def test_credentials_that_stop_working_mid_run_end_it_with_exit_2(
    conformance: Conformance,
) -> None:
    """A webhook deleted during a run: every later answer is 401, which the checks of the
    answers would accept as documented; the run must not conform."""
    with run_emulator(SETTINGS, wrap=fails_after(12, 401, "INVALID_CREDENTIALS")) as portal:
        run = conformance("--base-url", url_of(portal), *QUICK)
    assert run.status == 2, run.stdout + run.stderr
    assert "the portal stopped accepting the run's webhook code (HTTP 401 INVALID_CREDENTIALS" in (
        run.stdout
    )
    assert "CONFORMS" not in run.stdout
