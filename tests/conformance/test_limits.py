"""A run ends in bounded time and within its budget, whatever the portal does (issue 8,
principle 5, and the request count of a read-only run). On a fake clock: the waits of the
retries, the pace and the deadlines are counted, not waited."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from dataclasses import replace
from pathlib import Path

import pytest

from b24_badge_client import Webhook
from b24_conformance.journal import Journal
from b24_emulator import RateLimit, run_emulator
from b24_spec.methods import ADD, DELETE
from tests.client.conftest import FakeTime
from tests.conformance.conftest import QUICK, SETTINGS, Conformance, command, run_pytest, url_of
from tests.portals import Counting, fails_after, keeps_its_first_badge, slow_deletes

ABOUT_TWO_MINUTES = 130.0


@pytest.mark.parametrize(
    ("calls", "status", "error"),
    [
        (0, 503, "QUERY_LIMIT_EXCEEDED"),
        (0, 503, "OVERLOAD_LIMIT"),
        (12, 503, "QUERY_LIMIT_EXCEEDED"),
        (12, 503, "OVERLOAD_LIMIT"),
        (12, 429, "OPERATION_TIME_LIMIT"),
    ],
    ids=["never-drains", "overloaded", "drains-no-more-mid-run", "overloaded-mid-run", "429"],
)
def test_a_portal_that_stays_unavailable_ends_the_run_within_two_minutes(
    conformance: Conformance, calls: int, status: int, error: str
) -> None:
    """With the default deadline (900 s): the client's bounded retries, then a stop for the
    whole run, not another minute of retries for every request left."""
    fake = FakeTime()
    started = fake.now
    with run_emulator(SETTINGS, wrap=fails_after(calls, status, error)) as portal:
        run = conformance("--base-url", url_of(portal), *QUICK, clock=fake.as_clock())
    assert run.status == 2, run.stdout + run.stderr
    said = run.stdout + run.stderr
    if status == 503:
        assert f"the portal is unavailable (HTTP 503 {error}: Too many requests)" in said
    else:  # 429 waits that would pass the call's deadline: the client says so, not the portal
        assert "the portal is unavailable: crm.activity.badge." in said
        assert "(waiting for its rate limit)" in said
    assert fake.now - started <= ABOUT_TWO_MINUTES, fake.sleeps
    if error == "QUERY_LIMIT_EXCEEDED":
        assert len(fake.sleeps) >= 5, "the client retried the rate limit before giving up"


def test_a_read_only_run_sends_at_most_about_100_requests(conformance: Conformance) -> None:
    """The default profile at the cloud's pace (50, then 2/s), the portal's leaky bucket and the
    run's pacer on one fake clock: no request refused, the count within the budget of a real
    portal's rate limit."""
    fake = FakeTime()
    counts: dict[str, int] = {}
    cloud = replace(SETTINGS, rate_limit=RateLimit(burst=50, per_second=2.0), clock=fake.clock)
    with run_emulator(cloud, wrap=lambda app: Counting(app, counts)) as portal:
        run = conformance("--base-url", url_of(portal), "--seed", "1", clock=fake.as_clock())
    assert run.status == 0, run.stdout + run.stderr
    assert "pace: a burst of 50, then 2/s" in run.stdout
    assert sum(counts.values()) <= 100, counts
    assert not {ADD, DELETE} & set(counts)
    assert sum(fake.sleeps) > 0, "the pace was kept"
    assert "cleanup: nothing to delete: the run sent no add" in run.stdout


def test_inside_pytest_badges_left_behind_fail_the_session(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("B24_CONFORMANCE_JOURNAL", str(tmp_path / "journal.jsonl"))
    args = ["--b24-allow-writes", "--b24-profile", "quick", "--b24-rate-limit", "none"]
    with run_emulator(SETTINGS, wrap=keeps_its_first_badge) as portal:
        status, console = run_pytest(*args, "--b24-seed", "7", "--b24-base-url", url_of(portal))
        left = [b.code for b in portal.portal.store.list() if b.code.startswith("b24ct-")]
    assert len(left) == 1, console
    assert status == pytest.ExitCode.TESTS_FAILED, console
    assert "error" in console.splitlines()[-1]  # "... passed, 1 error in ..."
    assert f"LEFT BEHIND: '{left[0]}'" in console
    assert "COULD NOT CHECK: the cleanup did not finish" in console


def test_the_command_says_what_the_cleanup_left(conformance: Conformance, tmp_path: Path) -> None:
    with run_emulator(SETTINGS, wrap=keeps_its_first_badge) as portal:
        run = conformance("--base-url", url_of(portal), "--allow-writes", *QUICK)
        left = [b.code for b in portal.portal.store.list() if b.code.startswith("b24ct-")]
        journal = Journal(tmp_path / "journal.jsonl", Webhook(url_of(portal)).base_url.rstrip("/"))
        assert journal.pending() == left, "what is left stays journaled, for --cleanup"
    assert run.status == 2, run.stdout + run.stderr
    assert "cleanup: 1 left behind (still journaled)" in run.stdout
    assert f"LEFT BEHIND: '{left[0]}'" in run.stdout


@pytest.mark.slow  # a signal to a process of its own, and deletes that take seconds
def test_sigterm_ends_a_run_in_bounded_time_and_says_what_was_and_was_not_cleaned(
    tmp_path: Path,
) -> None:
    """SIGTERM in the middle of a write run on a portal whose deletes take 3 s: the cleanup gets
    10 s, then the run reports what it deleted and what it left (still journaled) and ends."""
    journal_path = tmp_path / "journal.jsonl"
    with run_emulator(SETTINGS, wrap=slow_deletes(3.0)) as portal:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("B24_")},
            "B24_WEBHOOK_URL": url_of(portal),
            "B24_CONFORMANCE_JOURNAL": str(journal_path),
        }
        process = subprocess.Popen(
            [command(), "--allow-writes", *QUICK],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 120
        while sum(b.code.startswith("b24ct-") for b in portal.portal.store.list()) < 6:
            assert time.monotonic() < deadline, "the run never wrote six badges"
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        out, err = process.communicate(timeout=120)
        took = time.monotonic() - signalled
        left = sorted(b.code for b in portal.portal.store.list() if b.code.startswith("b24ct-"))
        journal = Journal(journal_path, Webhook(url_of(portal)).base_url.rstrip("/"))
        pending = sorted(journal.pending())
    assert process.returncode == 2, out + err
    assert took < 60, f"{took:.0f} s after SIGTERM"  # 10 s of cleanup, a delete in flight
    assert "COULD NOT CHECK: interrupted" in out
    deleted = re.search(r"cleanup: (\d+) left behind \(still journaled\): (\d+) deleted", out)
    assert deleted, out
    assert int(deleted.group(1)) == len(left) > 0
    assert int(deleted.group(2)) > 0
    assert all(repr(code) in out for code in left), "the console names every badge left"
    assert set(left) <= set(pending), "what is left stays journaled, for --cleanup"
