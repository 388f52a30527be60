"""However a run ends, it leaves no secret and no scratch file (issue 9, Conformance): the
console is masked, the reports are whole and masked (or absent), and the scratch directory is
gone, after a success, a failure, and Ctrl-C or SIGTERM at any stage. SIGKILL aside: nothing
runs after it; its scratch directory stays (inside --report-dir when given).

Each case is the console script in a process of its own (signals are the point), against a
portal that quotes the webhook code in its errors, as sent and JSON-escaped, and answers them
with 500: each is a violation whose answer the reports show.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from b24_emulator import run_emulator
from tests.client.leaks import revealed
from tests.conformance.conftest import CODE, SETTINGS, command, url_of
from tests.conformance.test_secrets import crashing_echo
from tests.conftest import as_from_a_terminal
from tests.portals import Slow

pytestmark = pytest.mark.slow  # whole processes, and signals to them

RUN = ("--allow-writes", "--profile", "quick", "--seed", "5", "--rate-limit", "none")


def slow_crashing_echo(app: Any) -> Any:
    return Slow(crashing_echo(app), 0.01)


class Process:
    """The console script, its lines as they come, and a signal sent when one appears."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path) -> None:
        self.popen = subprocess.Popen(
            [command(), *args],
            env=env,
            cwd=cwd,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            preexec_fn=as_from_a_terminal,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            self.lines.put(line)
        self.lines.put("")

    def signal_at(self, marker: str, signum: int, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.lines.get(timeout=deadline - time.monotonic())
            self.seen.append(line)
            if line == "":
                pytest.fail(f"the run ended before {marker!r}:\n{''.join(self.seen)}")
            if marker in line:
                self.popen.send_signal(signum)
                return
        pytest.fail(f"no {marker!r} within {timeout} s")

    def finish(self, timeout: float = 180) -> tuple[int, str, str]:
        status = self.popen.wait(timeout=timeout)
        assert self.popen.stderr is not None
        while (line := self.lines.get(timeout=10)) != "":
            self.seen.append(line)
        return status, "".join(self.seen), self.popen.stderr.read()


ENDINGS = [
    pytest.param(None, None, 1, id="failure"),
    pytest.param("] answers: ", signal.SIGINT, 2, id="ctrl-c-during-the-checks"),
    pytest.param("] answers: ", signal.SIGTERM, 2, id="sigterm-during-the-checks"),
    pytest.param("] auth: ", signal.SIGTERM, 2, id="sigterm-later-in-the-checks"),
    pytest.param("cleanup: deleting", signal.SIGINT, 1, id="ctrl-c-during-the-cleanup"),
    pytest.param("cleanup: deleting", signal.SIGTERM, 1, id="sigterm-during-the-cleanup"),
    pytest.param("DOES NOT CONFORM", signal.SIGINT, 1, id="ctrl-c-while-reporting"),
]


@pytest.mark.parametrize("reports", [True, False], ids=["report-dir", "no-report-dir"])
@pytest.mark.parametrize(("marker", "signum", "expected"), ENDINGS)
def test_every_ending_leaves_no_secret_and_no_scratch(
    tmp_path: Path, marker: str | None, signum: int | None, expected: int, reports: bool
) -> None:
    temp, workdir, report_dir = tmp_path / "tmp", tmp_path / "cwd", tmp_path / "reports"
    temp.mkdir()
    workdir.mkdir()
    with run_emulator(SETTINGS, wrap=slow_crashing_echo) as portal:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("B24_")},
            "B24_WEBHOOK_URL": url_of(portal),
            "B24_CONFORMANCE_JOURNAL": str(tmp_path / "journal.jsonl"),
            "TMPDIR": str(temp),
        }
        args = [*RUN, *(["--report-dir", str(report_dir)] if reports else [])]
        process = Process(args, env, workdir)
        if marker is not None and signum is not None:
            process.signal_at(marker, signum)
        status, out, err = process.finish()
    assert status == expected, out + err
    assert not revealed(out + err, [CODE]), "the webhook code reached the console"
    assert "Traceback" not in out + err
    assert list(temp.iterdir()) == [], "scratch files outside --report-dir"
    assert list(workdir.iterdir()) == [], "files in the working directory"
    if not reports:
        return
    written = sorted(p.name for p in report_dir.iterdir())
    assert written == ["junit.xml", "summary.md"], "whole reports, no scratch, no partial file"
    for report in report_dir.iterdir():
        text = report.read_text(encoding="utf-8")
        assert not revealed(text, [CODE]), f"the webhook code reached {report.name}"
    root = ET.parse(report_dir / "junit.xml").getroot()
    assert root.attrib["name"] == "b24-conformance"
    if expected == 2:
        assert "COULD NOT CHECK: interrupted" in (report_dir / "summary.md").read_text()
