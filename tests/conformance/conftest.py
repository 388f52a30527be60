"""Running b24-conformance against portals on loopback: in process (`conformance`, the default:
`b24_conformance.cli.main` called directly, output captured) or as its users do, a separate
process (`conformance_process`, for what needs one: signals, the console script, exit codes of a
real process)."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from b24_badge_client import Clock
from b24_conformance import cli, suite
from b24_emulator import MISSED_CALL, Badge, RunningEmulator, Settings, Webhook, run_emulator

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


def _dirs(tmp_path: Path) -> tuple[Path, Path]:
    workdir, report_dir = tmp_path / "cwd", tmp_path / "report"
    workdir.mkdir(exist_ok=True)
    return workdir, report_dir


@pytest.fixture
def conformance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Conformance:
    """Run b24-conformance in this process with these arguments (plus --report-dir), in a
    fresh working directory, with `env` in the environment (and no B24_* variable of the
    project's own), and capture what it prints; `clock` is the run's clock (a fake one)."""

    def run(*args: str, env: dict[str, str] | None = None, clock: Clock | None = None) -> Run:
        workdir, report_dir = _dirs(tmp_path)
        monkeypatch.chdir(workdir)
        for name in [name for name in os.environ if name.startswith("B24_")]:
            monkeypatch.delenv(name)
        monkeypatch.setenv("B24_CONFORMANCE_JOURNAL", str(tmp_path / "journal.jsonl"))
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = cli.main(["--report-dir", str(report_dir), *args], clock=clock)
            except SystemExit as exit:  # argparse refusing an option
                status = int(exit.code or 0)
        return Run(status, out.getvalue(), err.getvalue(), report_dir, workdir)

    return run


@pytest.fixture
def conformance_process(tmp_path: Path) -> Conformance:
    """Run the b24-conformance console script as a separate process, as its users do."""

    def run(*args: str, timeout: float = 300, env: dict[str, str] | None = None) -> Run:
        workdir, report_dir = _dirs(tmp_path)
        environment = {k: v for k, v in os.environ.items() if k != "B24_WEBHOOK_URL"}
        environment["B24_CONFORMANCE_JOURNAL"] = str(tmp_path / "journal.jsonl")
        done = subprocess.run(
            [command(), "--report-dir", str(report_dir), *args],
            cwd=workdir,
            env={**environment, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        return Run(done.returncode, done.stdout, done.stderr, report_dir, workdir)

    return run


SUITE = str(Path(suite.__file__).parent)


def run_pytest(*options: str) -> tuple[int, str]:
    """The suite inside a user's own pytest, in this process: its exit status and everything
    it printed (stdout and stderr)."""
    out = io.StringIO()
    args = [SUITE, "-p", "b24_conformance.plugin", "-p", "no:cacheprovider", "-q"]
    args += ["--rootdir", SUITE, "-c", os.devnull, *options]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        status = pytest.main(args)
    return int(status), out.getvalue()


# What makes a test run the whole suite (5-30 s each): these tests are `slow`, out of the fast
# lane (`./scripts/test --fast`), which keeps the suite's in-process unit tests.
WHOLE_RUN_FIXTURES = {"conformance", "conformance_process", "against"}
WHOLE_RUN_CALLS = {"run_pytest"}


def runs_the_whole_suite(item: pytest.Item) -> bool:
    fixtures = set(getattr(item, "fixturenames", ()))
    function = getattr(item, "function", None)
    calls = set(function.__code__.co_names) if function is not None else set()
    return bool(fixtures & WHOLE_RUN_FIXTURES or calls & WHOLE_RUN_CALLS)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if runs_the_whole_suite(item):
            item.add_marker(pytest.mark.slow)


def command() -> str:
    return str(Path(sys.executable).with_name("b24-conformance"))


def url_of(portal: RunningEmulator) -> str:
    return portal.webhook_url(HOOK)


# Badges a customer's portal already has, including codes a fuzzer is likely to produce.
CUSTOMER = (
    MISSED_CALL,
    Badge("0", "Zero", "0", "secondary"),
    Badge("a", {"en": "A", "ru": "А"}, "A", "primary"),
    Badge("b24ct", "Not ours: no run id", "X", "warning"),
    Badge("b24ct-", "Not ours either", "X", "warning"),
)
QUICK = ("--profile", "quick", "--seed", "7", "--rate-limit", "none")


@pytest.fixture
def against(conformance: Conformance) -> Callable[..., Run]:
    """Run the suite (quick, writes allowed unless `read_only`) against the emulator with a
    customer's badges, wrapped in `wrap`; afterwards the customer's badges must be untouched,
    whatever the portal did."""

    def run(
        wrap: Callable[[Any], Any] | None,
        *args: str,
        read_only: bool = False,
        settings: Settings = SETTINGS,
    ) -> Run:
        seeded = replace(settings, seed=CUSTOMER) if settings.seed == SETTINGS.seed else settings
        with run_emulator(seeded, wrap=wrap) as portal:
            before = {b.code: b.as_json() for b in seeded.seed}
            writes = () if read_only else ("--allow-writes",)
            done = conformance("--base-url", url_of(portal), *writes, *QUICK, *args)
            after = {b.code: b.as_json() for b in portal.portal.store.list()}
        for code, badge in before.items():
            assert after.get(code) == badge, f"the run changed or deleted the badge {code!r}"
        return done

    return run
