"""The README's scripts work from any working directory, and leave the caller's paths alone.

A script finds the clone from its own path, syncs the clone's locked environment (`uv sync
--project`) and runs the command in the caller's directory, so that a relative `--report-dir`
or `--db` means what the caller meant. Before that was so, every script failed when called from
another directory once `.venv` existed.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow  # each call syncs the environment (about a second)


def run_script(script: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [script, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={k: v for k, v in os.environ.items() if not k.startswith(("B24_", "VIRTUAL_ENV"))},
    )


@pytest.mark.parametrize("script", ["conformance", "emulator"])
def test_a_script_works_from_outside_the_clone(script: str, tmp_path: Path) -> None:
    done = run_script(str(REPO / "scripts" / script), "--help", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "usage:" in done.stdout
    assert list(tmp_path.iterdir()) == [], "nothing is written where the script was called"


def test_a_script_works_by_a_relative_path_from_a_subdirectory() -> None:
    done = run_script("../scripts/conformance", "--help", cwd=REPO / "spec")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "usage:" in done.stdout


def test_a_relative_report_dir_is_the_callers(tmp_path: Path) -> None:
    """A usage error with --report-dir still writes its summary.md: where the caller said."""
    done = run_script(
        str(REPO / "scripts" / "conformance"),
        "--base-url",
        "",
        "--report-dir",
        "reports",
        cwd=tmp_path,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert (tmp_path / "reports" / "summary.md").is_file()
