"""The webhook code stays out of everything a run prints or writes, in every form a portal
may echo it (issue 9, Conformance): the command's console and reports, pytest's own output when
the suite runs inside a user's pytest, and no scratch file left behind. In process; the endings
by a signal are in test_endings.py."""

from __future__ import annotations

import contextlib
import io
import tempfile
from pathlib import Path
from typing import Any

import pytest

from b24_conformance import cli
from b24_emulator import run_emulator
from tests.client.leaks import revealed
from tests.conformance.conftest import CODE, QUICK, SETTINGS, Conformance, run_pytest, url_of
from tests.portals import echoing_requests, errors, json_answer


def crashing_echo(app: Any) -> Any:
    """Every error becomes a 500 that quotes the request, the webhook code in its path as sent
    and JSON-escaped: each is a violation whose answer the reports show."""
    return echoing_requests(errors(lambda status, body: json_answer(500, body))(app))


def test_an_echoed_secret_reaches_no_console_and_no_report(conformance: Conformance) -> None:
    with run_emulator(SETTINGS, wrap=crashing_echo) as portal:
        run = conformance("--base-url", url_of(portal), "--allow-writes", *QUICK)
    assert run.status == 1, run.stdout + run.stderr
    assert "\\u002f\\u0072\\u0065\\u0073\\u0074" in run.summary, "the portal echoed, escaped"
    for name, text in run.artefacts().items():
        assert not revealed(text, [CODE]), f"the webhook code leaked into {name}"


def test_an_echoed_secret_reaches_no_output_of_a_users_pytest(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """pytest's own report (FAILURES, the short summary, --junitxml) shows the violations,
    masked, and never a traceback or captured output."""
    monkeypatch.chdir(tmp_path)
    junit = tmp_path / "users-junit.xml"
    with run_emulator(SETTINGS, wrap=crashing_echo) as portal:
        args = ["-rA", f"--junitxml={junit}", "-o", "log_level=DEBUG"]
        args += ["--b24-base-url", url_of(portal), "--b24-allow-writes", "--b24-profile", "quick"]
        args += ["--b24-rate-limit", "none", "--b24-seed", "7"]
        status, console = run_pytest(*args)
    assert status == 1, console
    assert "= FAILURES =" in console
    assert "Server error" in console
    assert not revealed(console, [CODE]), "the webhook code leaked into pytest's output"
    assert not revealed(junit.read_text(encoding="utf-8"), [CODE])


class ScratchSeen:
    """Notes the scratch directories a run makes (tempfile.mkdtemp), to look for them after."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.made: list[Path] = []
        real = tempfile.mkdtemp

        def mkdtemp(*args: Any, **kwargs: Any) -> str:
            path = str(real(*args, **kwargs))
            self.made.append(Path(path))
            return path

        monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)


def test_a_run_leaves_no_scratch_directory(
    conformance: Conformance, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """With --report-dir the scratch directory is made inside it; without, in the system's
    temp folder; either way it is gone when the run ends."""
    seen = ScratchSeen(monkeypatch)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with run_emulator(SETTINGS) as portal:
        run = conformance("--base-url", url_of(portal), *QUICK)
        with contextlib.redirect_stdout(io.StringIO()):
            without_reports = cli.main(["--base-url", url_of(portal), *QUICK])
    assert (run.status, without_reports) == (0, 0), run.stdout + run.stderr
    inside, outside = [p for p in seen.made if p.name.startswith("b24-conformance-")]
    assert inside.parent == run.report_dir
    assert outside.parent == tmp_path
    assert not inside.exists()
    assert not outside.exists()
    assert sorted(p.name for p in run.report_dir.iterdir()) == ["junit.xml", "summary.md"]


def test_the_webhook_url_may_come_from_a_file(conformance: Conformance, tmp_path: Path) -> None:
    with run_emulator(SETTINGS) as portal:
        secret_file = tmp_path / "webhook.txt"
        secret_file.write_text(url_of(portal) + "\n", encoding="utf-8")
        run = conformance("--base-url-file", str(secret_file), *QUICK)
    assert run.status == 0, run.stdout + run.stderr
    assert "/rest/1/***" in run.stdout
    assert "visible to every local user" not in run.stdout  # the note is for --base-url only
    assert CODE not in run.stdout + run.stderr + run.summary


def test_a_url_on_the_command_line_gets_a_note(conformance: Conformance) -> None:
    with run_emulator(SETTINGS) as portal:
        run = conformance("--base-url", url_of(portal), *QUICK)
    assert "a webhook URL on the command line is visible to every local user (ps)" in run.stdout


def test_help_recommends_the_environment_or_a_file(
    conformance: Conformance, capsys: pytest.CaptureFixture[str]
) -> None:
    run = conformance("--help")
    assert run.status == 0
    text = " ".join(run.stdout.split())
    assert (
        "Give the webhook URL through $B24_WEBHOOK_URL or --base-url-file, not --base-url" in text
    )
    assert "prefer the environment or --base-url-file" in text
    assert "3 INCOMPLETE" in text
