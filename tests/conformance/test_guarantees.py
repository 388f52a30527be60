"""What a run promises whatever it finds: data safety, secrecy, its budget, its exit status."""

from __future__ import annotations

import signal
import subprocess
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from b24_badge_client import Webhook
from b24_conformance.journal import Journal
from b24_conformance.target import code_of
from b24_emulator import Badge, RunningEmulator, run_emulator
from b24_spec.methods import ADD, DELETE
from tests.conformance.conftest import CODE, CUSTOMER, SETTINGS, Conformance, command, url_of
from tests.conftest import REPO, as_from_a_terminal
from tests.portals import Counting, Slow, errors, json_answer, paged_list

FAST = ("--profile", "quick", "--rate-limit", "none", "--seed", "11")


def stored(portal: RunningEmulator) -> list[dict[str, object]]:
    return [badge.as_json() for badge in portal.portal.store.list()]


def test_existing_badges_are_untouched_and_nothing_is_left(conformance: Conformance) -> None:
    with run_emulator(replace(SETTINGS, seed=CUSTOMER)) as portal:
        before = stored(portal)
        run = conformance("--base-url", url_of(portal), "--allow-writes", *FAST)
        after = stored(portal)
    assert run.status == 0, run.stdout + run.stderr
    assert after == before, "the run changed or deleted a badge it did not create"
    deleted = int(run.summary.split("cleanup: ")[1].split(" ")[0])
    assert deleted > 0, "the run wrote badges (and removed them again)"


def test_a_read_only_run_writes_nothing(conformance: Conformance) -> None:
    counts: dict[str, int] = {}
    with run_emulator(
        replace(SETTINGS, seed=CUSTOMER), wrap=lambda app: Counting(app, counts)
    ) as portal:
        run = conformance("--base-url", url_of(portal), *FAST)
        after = stored(portal)
    assert run.status == 0, run.stdout + run.stderr
    assert after == [badge.as_json() for badge in CUSTOMER]
    assert not {ADD, DELETE} & set(counts)


def test_cleanup_removes_only_what_earlier_runs_journaled(
    conformance: Conformance, tmp_path: Path
) -> None:
    """A killed run leaves its journal; `--cleanup` deletes those codes, lists them, and leaves
    a customer's badge that merely looks like a run's code."""
    journaled = (
        Badge("b24ct-0badc0de-s3-x", "T", "V", "success"),
        Badge("b24ct-1234abcd-y", "T", "V", "failure"),
    )
    lookalike = Badge("b24ct-feedbeef-customer", "Not ours", "X", "warning")
    with run_emulator(replace(SETTINGS, seed=(*CUSTOMER, *journaled, lookalike))) as portal:
        journal = Journal(tmp_path / "journal.jsonl", Webhook(url_of(portal)).base_url.rstrip("/"))
        for badge in journaled:
            journal.record(badge.code)
        run = conformance("--base-url", url_of(portal), "--cleanup", "--rate-limit", "none")
        after, summary = stored(portal), run.summary
        again = conformance("--base-url", url_of(portal), "--cleanup", "--rate-limit", "none")
    assert run.status == 0, run.stdout + run.stderr
    assert after == [badge.as_json() for badge in (*CUSTOMER, lookalike)]
    assert "b24-conformance: CLEANED: 2 badge(s) left by earlier runs deleted" in run.stdout
    assert all(f"  - {badge.code}" in run.stdout for badge in journaled)
    assert "**CLEANED: 2 badge(s)" in summary
    assert "CONFORMS" not in run.stdout + summary
    assert again.status == 0
    assert "CLEANED: earlier runs left nothing to delete" in again.stdout, "the journal forgets"


@pytest.mark.slow  # a signal to a separate process
def test_an_interrupted_run_cleans_up(tmp_path: Path) -> None:
    with run_emulator(SETTINGS, wrap=lambda app: Slow(app, 0.02)) as portal:
        process = subprocess.Popen(
            [
                command(),
                "--base-url",
                url_of(portal),
                "--allow-writes",
                "--profile",
                "deep",
                "--rate-limit",
                "none",
            ],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=as_from_a_terminal,
        )
        deadline = time.monotonic() + 60
        while not any(b.code.startswith("b24ct-") for b in portal.portal.store.list()):
            assert time.monotonic() < deadline, "the run never wrote a badge"
            time.sleep(0.1)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=120)
        left = [b.code for b in portal.portal.store.list() if b.code.startswith("b24ct-")]
    assert process.returncode == 2, out + err
    assert left == [], "an interrupted run left its badges behind"
    assert "COULD NOT CHECK: interrupted" in out
    assert "error in run: interrupted" in out


def echo_secret_in_errors(
    status: int, body: dict[str, object]
) -> tuple[int, dict[str, str], bytes]:
    """A portal that quotes the webhook in its error texts (as some proxies do)."""
    body["error_description"] = f"{body['error_description']} (webhook /rest/1/{CODE}/)"
    return json_answer(status, body)


def test_the_secret_is_in_no_artefact(conformance: Conformance) -> None:
    """A failing run against a portal that echoes the secret: every output and file searched."""
    with run_emulator(SETTINGS, wrap=errors(echo_secret_in_errors)) as portal:
        run = conformance("--base-url", url_of(portal), "--allow-writes", *FAST)
    assert run.status == 0, run.stdout + run.stderr  # echoing is allowed; leaking is not
    artefacts = run.artefacts()
    assert {"stdout", "stderr"} < set(artefacts)
    assert any(name.endswith("junit.xml") for name in artefacts)
    assert "/rest/1/***" in run.stdout
    for name, text in artefacts.items():
        assert CODE not in text, f"the webhook code leaked into {name}"
    written = {p.relative_to(run.workdir) for p in run.workdir.rglob("*")}
    assert written == set(), f"the run left files in its working directory: {written}"


def test_violation_reports_carry_no_secret(conformance: Conformance) -> None:
    def crash(status: int, body: dict[str, object]) -> tuple[int, dict[str, str], bytes]:
        return echo_secret_in_errors(500, body)

    with run_emulator(SETTINGS, wrap=errors(crash)) as portal:
        run = conformance("--base-url", url_of(portal), "--allow-writes", *FAST)
    assert run.status == 1
    assert "Server error" in run.summary
    assert "curl -X POST" in run.summary
    for name, text in run.artefacts().items():
        assert CODE not in text, f"the webhook code leaked into {name}"


def test_the_request_budget_is_a_hard_cap(conformance: Conformance) -> None:
    counts: dict[str, int] = {}
    with run_emulator(SETTINGS, wrap=lambda app: Counting(app, counts)) as portal:
        run = conformance(
            "--base-url", url_of(portal), "--allow-writes", "--max-requests", "25", *FAST
        )
        cleanup_calls = counts.get(DELETE, 0)
    assert run.status == 3, run.stdout + run.stderr
    assert "**INCOMPLETE: " in run.summary
    assert "check(s) did not run (the request budget of 25 is used up)" in run.stdout
    assert "## Checks that did not run" in run.summary
    assert "- `test_client.py::test_a_badge_lifecycle_through_the_client`" in run.summary
    # 25 for the checks; the cleanup may go beyond it (a list, the deletes, a list).
    assert sum(counts.values()) <= 25 + 2 + cleanup_calls


@pytest.mark.parametrize(
    ("base_url", "message"),
    [
        ("http://127.0.0.1:9/rest/1/abc/", "cannot be reached"),
        ("http://portal.example/rest/1/abc/", "use https"),
        ("https://portal.example/not-a-webhook", "not a webhook URL"),
    ],
)
def test_usage_errors_exit_2(conformance: Conformance, base_url: str, message: str) -> None:
    run = conformance("--base-url", base_url)
    assert run.status == 2
    assert message in run.stderr


def test_refused_credentials_exit_2(conformance: Conformance) -> None:
    with run_emulator(SETTINGS) as portal:
        run = conformance(
            "--base-url", portal.webhook_url(replace(SETTINGS.webhooks[0], code="nope"))
        )
    assert run.status == 2
    assert "the portal refused the webhook code (HTTP 401 INVALID_CREDENTIALS" in run.stderr
    assert "check the URL" not in run.stderr + run.stdout


@pytest.mark.slow  # the console script, as a separate process
def test_the_webhook_url_may_come_from_the_environment(conformance_process: Conformance) -> None:
    with run_emulator(SETTINGS) as portal:
        run = conformance_process(*FAST, env={"B24_WEBHOOK_URL": url_of(portal)})
    assert run.status == 0, run.stdout + run.stderr
    assert "checking http://127.0.0.1:" in run.stdout
    assert "/rest/1/***" in run.stdout


@pytest.mark.slow  # the script from a clone, as a separate process
def test_the_bundled_emulator_conforms_from_a_clone() -> None:
    """`./scripts/conformance` with no URL: the bundled emulator, writes and invalid data."""
    done = subprocess.run(
        [REPO / "scripts/conformance"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "b24-conformance: CONFORMS" in done.stdout
    assert "target:   bundled emulator at http://127.0.0.1:" in done.stdout


def test_a_budget_below_one_is_a_usage_error(conformance: Conformance) -> None:
    run = conformance("--max-requests", "0")
    assert run.status == 2
    assert "must be at least 1" in run.stderr


def test_two_runs_in_one_process_keep_their_own_settings(conformance: Conformance) -> None:
    """A writing run, then a read-only one, then a writing one again, in this process: each
    keeps its settings (nothing in the suite reads them at import, and no module is purged)."""
    counts: dict[str, int] = {}
    with run_emulator(SETTINGS, wrap=lambda app: Counting(app, counts)) as portal:
        first = conformance("--base-url", url_of(portal), "--allow-writes", *FAST)
        added_by_first = counts.get(ADD, 0)
        second = conformance("--base-url", url_of(portal), *FAST)
        added_by_second = counts.get(ADD, 0) - added_by_first
        third = conformance("--base-url", url_of(portal), "--allow-writes", *FAST)
        added_by_third = counts.get(ADD, 0) - added_by_first - added_by_second
        left = [b.code for b in portal.portal.store.list() if b.code.startswith("b24ct-")]
    assert (first.status, second.status, third.status) == (0, 0, 0), second.stdout
    assert added_by_first > 0
    assert added_by_second == 0, "the read-only run wrote"
    assert added_by_third > 0, "the writing run after a read-only one did not write"
    assert "invalid data: yes" not in second.summary
    assert left == []


def test_cleanup_follows_every_page_of_list(conformance: Conformance) -> None:
    """A portal that pages its list (the contract allows `next`): nothing is left behind, and
    a badge on a later page is not reported missing."""
    with run_emulator(replace(SETTINGS, seed=CUSTOMER), wrap=paged_list(3)) as portal:
        run = conformance("--base-url", url_of(portal), "--allow-writes", *FAST)
        after = stored(portal)
    assert run.status == 0, run.stdout + run.stderr
    assert after == [badge.as_json() for badge in CUSTOMER]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"json": {"code": "b24ct-1-÷"}},
        {"data": {"code": "b24ct-1-÷"}},
        {"files": {"code": (None, "b24ct-1-÷"), "title": (None, "T")}},
        {"params": {"code": "b24ct-1-÷"}},
    ],
    ids=["json", "form", "multipart", "query"],
)
def test_the_code_of_every_add_is_noted_whatever_its_encoding(kwargs: dict[str, Any]) -> None:
    request = httpx.Request(
        "POST", "https://portal.example/rest/1/***/crm.activity.badge.add", **kwargs
    )
    assert code_of(request) == "b24ct-1-÷"
