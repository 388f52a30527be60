"""Running b24-conformance as its users do: a separate process, against a portal on loopback."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from b24_emulator import RunningEmulator, Settings, Webhook

CODE = "s3cr3t-conformance-hook"  # the webhook code every artefact is searched for
HOOK = Webhook(1, CODE)
SETTINGS = Settings(webhooks=(HOOK,), rate_limit=None)


@dataclass
class Run:
    status: int
    stdout: str
    stderr: str
    report_dir: Path
    workdir: Path

    @property
    def summary(self) -> str:
        path = self.report_dir / "summary.md"
        return path.read_text(encoding="utf-8") if path.exists() else ""

    def artefacts(self) -> dict[str, str]:
        """Everything the run printed or wrote, by name."""
        found = {"stdout": self.stdout, "stderr": self.stderr}
        for root in (self.report_dir, self.workdir):
            for path in root.rglob("*"):
                if path.is_file():
                    found[str(path)] = path.read_text(encoding="utf-8", errors="replace")
        return found


Conformance = Callable[..., Run]


@pytest.fixture
def conformance(tmp_path: Path) -> Conformance:
    """Run b24-conformance with these arguments (plus --report-dir) in a fresh directory."""

    def run(*args: str, timeout: float = 300) -> Run:
        workdir, report_dir = tmp_path / "cwd", tmp_path / "report"
        workdir.mkdir(exist_ok=True)
        env = {k: v for k, v in os.environ.items() if k != "B24_WEBHOOK_URL"}
        done = subprocess.run(
            [
                str(Path(sys.executable).with_name("b24-conformance")),
                "--report-dir",
                str(report_dir),
                *args,
            ],
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        return Run(done.returncode, done.stdout, done.stderr, report_dir, workdir)

    return run


def url_of(portal: RunningEmulator) -> str:
    return portal.webhook_url(HOOK)
