"""The CI recipes do what their comments promise.

The shell of the steps is run here, in bash as the runners run it, with a stand-in
`b24-conformance` that records its arguments and exits as told: so each exit status is shown to
map to its verdict, the cleanup to follow exactly the broken write runs, and the webhook URL to
stay off the command line. One run uses the real suite against the emulator, so that the
arguments the recipes pass exist. The structure the runners read (triggers, timeouts, where the
secret goes, the reports) is checked on the parsed YAML; jactionlint and zizmor check the rest
(tests/ci/test_lint.py).
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from b24_emulator import Settings, Webhook, run_emulator

REPO = Path(__file__).resolve().parents[2]
CI = REPO / ".github/workflows/ci.yml"
NIGHTLY = REPO / ".github/workflows/nightly-conformance.yml"
GITLAB = REPO / "ci-recipes/gitlab-ci.yml"

URL = "https://portal.example/rest/1/s3cretc0de/"
STUB = """#!/usr/bin/env bash
printf '%s\\n' "$*" >> "$STUB_CALLS"
exit "${STUB_STATUS:-0}"
"""
# The suite's exit statuses (b24_conformance/report.py), and 137 for a run killed by SIGKILL.
VERDICTS = [
    (0, "conforms"),
    (1, "violations"),
    (2, "could-not-check"),
    (3, "incomplete"),
    (137, "could-not-check"),
]


def load(path: Path) -> dict[Any, Any]:
    document: dict[Any, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return document


def nightly_steps() -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = load(NIGHTLY)["jobs"]["conformance"]["steps"]
    return steps


def step(name: str) -> dict[str, Any]:
    (found,) = [s for s in nightly_steps() if s.get("name") == name or s.get("id") == name]
    return found


@pytest.fixture
def stub(tmp_path: Path) -> dict[str, str]:
    """An environment whose `b24-conformance` records each call's arguments in STUB_CALLS."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    command = bin_dir / "b24-conformance"
    command.write_text(STUB, encoding="utf-8")
    command.chmod(0o755)
    return {
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "STUB_CALLS": str(tmp_path / "calls"),
    }


def calls(env: dict[str, str]) -> list[str]:
    path = Path(env["STUB_CALLS"])
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def bash(
    script: str, env: dict[str, str], cwd: Path, *, errexit: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run a step's script the way the runners do: bash, -e and pipefail (both GitHub's `shell:
    bash` and GitLab's bash shell)."""
    flags = ["-eo", "pipefail"] if errexit else []
    return subprocess.run(
        ["bash", "--noprofile", "--norc", *flags, "-c", script],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def outputs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines())


# The project's CI ------------------------------------------------------------------------------


def test_ci_runs_the_readme_test_command_on_each_python() -> None:
    job = load(CI)["jobs"]["test"]
    assert job["strategy"]["matrix"]["python"] == ["3.11", "3.12", "3.13"]
    assert [s["run"] for s in job["steps"] if "run" in s] == [".ci/run"]
    assert re.search(r"^exec \./scripts/test \"\$@\"$", (REPO / ".ci/run").read_text(), re.M)


def test_ci_uses_the_bootstraps_uv_with_its_cache() -> None:
    pinned = re.search(r'^UV_VERSION="(.+)"$', (REPO / "scripts/_bootstrap.sh").read_text(), re.M)
    assert pinned
    (setup_uv,) = [
        s for s in load(CI)["jobs"]["test"]["steps"] if s.get("uses", "").startswith("astral-sh/")
    ]
    assert setup_uv["with"]["version"] == pinned.group(1)
    assert setup_uv["with"]["enable-cache"] is True


def test_ci_checks_out_the_docs_the_contract_cites() -> None:
    header = (REPO / "spec/openapi.yaml").read_text(encoding="utf-8")
    cited = dict(re.findall(r"^#\s+docs:\w\w\s+(\S+)\s+@\s+([0-9a-f]{40})$", header, re.M))
    checked_out = {
        s["with"]["repository"]: s["with"]["ref"]
        for s in load(CI)["jobs"]["test"]["steps"]
        if "repository" in s.get("with", {})
    }
    assert checked_out == cited
    assert len(cited) == 2


# The nightly workflow: structure ---------------------------------------------------------------


def test_the_nightly_is_scheduled_and_read_only_unless_dispatched_with_writes() -> None:
    workflow = load(NIGHTLY)
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert triggers["schedule"]
    allow_writes = triggers["workflow_dispatch"]["inputs"]["allow-writes"]
    assert (allow_writes["type"], allow_writes["default"]) == ("boolean", False)
    assert step("check")["env"]["ALLOW_WRITES"] == "${{ inputs.allow-writes }}"


def test_the_nightly_has_timeouts_that_leave_room_for_cleanup() -> None:
    job = load(NIGHTLY)["jobs"]["conformance"]
    cleanup = step("Clean up after a broken write run")
    assert step("check")["timeout-minutes"] + cleanup["timeout-minutes"] < job["timeout-minutes"]


def test_the_webhook_url_reaches_only_the_steps_that_call_the_portal() -> None:
    workflow = load(NIGHTLY)
    secret = "${{ secrets.B24_WEBHOOK_URL }}"
    assert secret not in yaml.safe_dump(workflow.get("env", {}))
    assert "env" not in workflow["jobs"]["conformance"]
    users = [s["name"] for s in nightly_steps() if secret in s.get("env", {}).values()]
    assert users == [
        "Require the B24_WEBHOOK_URL secret",
        "Check the portal",
        "Clean up after a broken write run",
    ]
    assert all("secrets." not in s.get("run", "") for s in nightly_steps())


def test_the_toolkit_is_installed_in_one_marked_step() -> None:
    mentions = [s["name"] for s in nightly_steps() if "TOOLKIT_" in s.get("run", "")]
    assert mentions == ["Install the toolkit"]
    text = NIGHTLY.read_text(encoding="utf-8")
    assert "# ---- Install the toolkit: the one step to change" in text


def test_the_nightly_publishes_its_reports() -> None:
    assert step("Show the summary on the run's page")["run"] == (
        'cat reports/summary.md >> "$GITHUB_STEP_SUMMARY"'
    )
    upload = step("Upload the reports")["with"]["path"].split()
    assert upload == ["reports/summary.md", "reports/junit.xml", "reports/cleanup/"]
    publish = step("Publish junit.xml")
    assert publish["uses"].startswith("mikepenz/action-junit-report@")
    assert publish["with"]["report_paths"] == "reports/junit.xml"


def test_the_failure_steps_tell_violations_incomplete_and_could_not_check_apart() -> None:
    violations = step("The portal violates the contract")
    incomplete = step("Some checks did not run")
    could_not = step("The portal could not be checked")
    assert violations["if"] == "${{ !cancelled() && steps.check.outputs.verdict == 'violations' }}"
    assert incomplete["if"] == "${{ !cancelled() && steps.check.outputs.verdict == 'incomplete' }}"
    assert "always()" in could_not["if"]
    for verdict in ("conforms", "violations", "incomplete"):
        assert f"steps.check.outputs.verdict != '{verdict}'" in could_not["if"]
    cleanup = step("Clean up after a broken write run")
    assert "always()" in cleanup["if"]
    assert "inputs.allow-writes" in cleanup["if"]
    # Every write run that did not conform: also after violations or an incomplete run, whose
    # cleanup may have met a broken portal (--cleanup deletes only what the journal lists).
    assert "steps.check.outputs.verdict != 'conforms'" in cleanup["if"]
    assert "'violations'" not in cleanup["if"]
    assert "b24-conformance --cleanup" in cleanup["run"]
    names = [s["name"] for s in nightly_steps()]
    assert names.index(cleanup["name"]) == names.index("Check the portal") + 1


# The nightly workflow: its shell, run -----------------------------------------------------------


def test_a_missing_secret_fails_before_anything_is_installed(
    stub: dict[str, str], tmp_path: Path
) -> None:
    script = step("Require the B24_WEBHOOK_URL secret")["run"]
    done = bash(script, {**stub, "B24_WEBHOOK_URL": ""}, tmp_path)
    assert done.returncode == 2
    assert "::error title=No portal to check::" in done.stdout
    assert bash(script, {**stub, "B24_WEBHOOK_URL": URL}, tmp_path).returncode == 0
    assert nightly_steps()[0]["name"] == "Require the B24_WEBHOOK_URL secret"


@pytest.mark.parametrize(("status", "verdict"), VERDICTS)
def test_the_check_step_records_each_verdict(
    stub: dict[str, str], tmp_path: Path, status: int, verdict: str
) -> None:
    output = tmp_path / "github_output"
    env = {
        **stub,
        "B24_WEBHOOK_URL": URL,
        "ALLOW_WRITES": "",  # a scheduled run: no inputs
        "PROFILE": "standard",
        "STUB_STATUS": str(status),
        "GITHUB_OUTPUT": str(output),
    }
    done = bash(step("check")["run"], env, tmp_path)
    assert done.returncode == 0, "the verdict steps fail the job, not the check itself"
    assert outputs(output) == {"verdict": verdict, "exit-status": str(status)}
    assert calls(stub) == ["--report-dir reports --profile standard"]


def test_the_check_step_allows_writes_only_when_asked(stub: dict[str, str], tmp_path: Path) -> None:
    env = {
        **stub,
        "B24_WEBHOOK_URL": URL,
        "PROFILE": "quick",
        "GITHUB_OUTPUT": str(tmp_path / "out"),
    }
    for allow in ("false", "true"):
        bash(step("check")["run"], {**env, "ALLOW_WRITES": allow}, tmp_path)
    assert calls(stub) == [
        "--report-dir reports --profile quick",
        "--report-dir reports --profile quick --allow-writes",
    ]


def test_the_failure_steps_exit_1_3_and_2(stub: dict[str, str], tmp_path: Path) -> None:
    violations = bash(step("The portal violates the contract")["run"], stub, tmp_path)
    incomplete = bash(step("Some checks did not run")["run"], stub, tmp_path)
    could_not = bash(
        step("The portal could not be checked")["run"], {**stub, "EXIT_STATUS": "137"}, tmp_path
    )
    assert (violations.returncode, incomplete.returncode, could_not.returncode) == (1, 3, 2)
    assert "::error title=Contract violations::" in violations.stdout
    assert "::error title=Incomplete::some checks did not run" in incomplete.stdout
    assert "::error title=Could not check::b24-conformance exit status 137" in could_not.stdout


@pytest.mark.slow
def test_the_check_step_runs_the_real_suite_against_the_emulator(tmp_path: Path) -> None:
    """The arguments the recipe passes exist, and a conforming portal is `conforms`."""
    output = tmp_path / "github_output"
    settings = Settings(webhooks=(Webhook(1, "nightlyc0de"),), rate_limit=None)
    with run_emulator(settings) as portal:
        env = {
            "PATH": f"{REPO / '.venv/bin'}:{os.environ['PATH']}",
            "HOME": str(tmp_path),
            "B24_WEBHOOK_URL": portal.webhook_url(),
            "ALLOW_WRITES": "",
            "PROFILE": "quick",
            "GITHUB_OUTPUT": str(output),
        }
        done = bash(step("check")["run"], env, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert outputs(output) == {"verdict": "conforms", "exit-status": "0"}
    reports = tmp_path / "reports"
    assert sorted(p.name for p in reports.iterdir()) == ["junit.xml", "summary.md"]
    for report in reports.iterdir():
        assert "nightlyc0de" not in report.read_text(encoding="utf-8")


# The GitLab job ---------------------------------------------------------------------------------


def gitlab_job() -> dict[str, Any]:
    job: dict[str, Any] = load(GITLAB)["b24-conformance"]
    return job


def gitlab_env(stub: dict[str, str], project: Path, **variables: str) -> dict[str, str]:
    job_variables = {k: str(v) for k, v in gitlab_job()["variables"].items()}
    return {**stub, **job_variables, "CI_PROJECT_DIR": str(project), **variables}


def test_the_gitlab_job_is_scheduled_timed_and_reports() -> None:
    job = gitlab_job()
    assert [rule["if"] for rule in job["rules"]] == [
        '$CI_PIPELINE_SOURCE == "schedule"',
        '$CI_PIPELINE_SOURCE == "web"',
    ]
    assert job["timeout"] == "45 minutes"
    assert job["variables"]["B24_ALLOW_WRITES"] == "false"
    assert "B24_WEBHOOK_URL" not in job["variables"]
    assert job["artifacts"]["when"] == "always"
    assert job["artifacts"]["reports"] == {
        "junit": "reports/junit.xml",
        "dotenv": "reports/verdict.env",
    }
    assert "TOOLKIT_" in job["before_script"][0]
    assert all("TOOLKIT_" not in script for script in job["script"] + job["after_script"])


@pytest.mark.parametrize(("status", "verdict"), VERDICTS)
def test_the_gitlab_job_exits_with_the_suites_status(
    stub: dict[str, str], tmp_path: Path, status: int, verdict: str
) -> None:
    env = gitlab_env(stub, tmp_path, B24_WEBHOOK_URL=URL, STUB_STATUS=str(status))
    done = bash(gitlab_job()["script"][0], env, tmp_path)
    assert done.returncode == status
    assert outputs(tmp_path / "reports/verdict.env") == {
        "B24_VERDICT": verdict,
        "B24_EXIT_STATUS": str(status),
    }
    assert calls(stub) == ["--report-dir reports --profile standard"]
    assert URL not in done.stdout + done.stderr


def test_the_gitlab_job_without_the_variable_exits_2_without_checking(
    stub: dict[str, str], tmp_path: Path
) -> None:
    done = bash(gitlab_job()["script"][0], gitlab_env(stub, tmp_path), tmp_path)
    assert done.returncode == 2
    assert "B24_WEBHOOK_URL is not set" in done.stderr
    assert calls(stub) == []


@pytest.mark.parametrize(
    ("allow_writes", "started", "verdict", "cleans"),
    [
        ("true", True, None, True),  # killed: a timeout or a cancellation
        ("true", True, "could-not-check", True),
        ("true", True, "violations", True),  # its cleanup may have met a broken portal
        ("true", True, "incomplete", True),
        ("true", True, "conforms", False),  # finished clean: the suite cleaned up itself
        ("true", False, None, False),  # never started: nothing written
        ("false", True, None, False),  # read-only
    ],
)
def test_the_gitlab_job_cleans_up_after_a_broken_write_run_only(
    stub: dict[str, str],
    tmp_path: Path,
    allow_writes: str,
    started: bool,
    verdict: str | None,
    cleans: bool,
) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    if started:
        (reports / ".started").touch()
    if verdict:
        (reports / "verdict.env").write_text(f"B24_VERDICT={verdict}\n", encoding="utf-8")
    env = gitlab_env(stub, tmp_path, B24_WEBHOOK_URL=URL, B24_ALLOW_WRITES=allow_writes)
    done = bash(gitlab_job()["after_script"][0], env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert calls(stub) == (["--cleanup --report-dir reports/cleanup"] if cleans else [])
