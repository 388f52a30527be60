"""`b24-conformance`: check a Bitrix24 portal, and the generated client, against the contract.

    b24-conformance                                    # the bundled emulator, writes included
    b24-conformance --base-url https://portal.bitrix24.com/rest/1/CODE/   # read-only
    B24_WEBHOOK_URL=https://... b24-conformance --allow-writes --report-dir reports/

Exit status: 0 the portal conforms, 1 violations were found, 2 a usage error, a portal that
cannot be reached, or a run that could not finish. Everything the run writes is under a code
prefix unique to the run and deleted at the end, also after failures or Ctrl-C; `--cleanup`
removes what an earlier, broken run left. The webhook code never appears in what the run prints
or writes.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

import pytest

from b24_conformance import suite
from b24_conformance.plugin import ConformancePlugin
from b24_conformance.report import Report
from b24_conformance.run import Run, UsageError, open_run, parse_rate_limit
from b24_conformance.settings import CLOUD_PACE, PROFILES, Options
from b24_conformance.target import Target

OK, VIOLATIONS, USAGE = 0, 1, 2


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1 (one request checks the portal)")
    return value


def _seconds(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be more than 0 seconds")
    return value


def _checked_rate_limit(text: str) -> str:
    try:
        parse_rate_limit(text)  # refuse a malformed value at parse time
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="b24-conformance", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--base-url",
        default=os.environ.get("B24_WEBHOOK_URL"),
        help="webhook base URL, https://portal/rest/USER_ID/CODE/ (default: $B24_WEBHOOK_URL;\n"
        "without either, the bundled emulator); plain http only on loopback",
    )
    parser.add_argument(
        "--allow-writes", action="store_true", help="add and delete badges (under the run's prefix)"
    )
    parser.add_argument("--report-dir", type=Path, help="write junit.xml and summary.md here")
    parser.add_argument(
        "--rate-limit",
        type=_checked_rate_limit,
        default=None,
        metavar="BURST/PER_SECOND|none",
        help=f"pace requests (default: the cloud's {CLOUD_PACE}; for the bundled emulator: none)",
    )
    parser.add_argument(
        "--max-requests", type=_positive, help="hard budget of requests (cleanup excepted)"
    )
    parser.add_argument(
        "--profile", choices=sorted(PROFILES), default="standard", help="how hard to look"
    )
    parser.add_argument(
        "--negative", action="store_true", help="also send invalid data (JSON); on for the emulator"
    )
    parser.add_argument("--seed", type=int, help="random seed, to repeat a run")
    parser.add_argument(
        "--deadline",
        type=_seconds,
        default=Options.deadline,
        metavar="SECONDS",
        help=f"stop checking after this long (default {Options.deadline:g}); exit 2",
    )
    parser.add_argument(
        "--journal",
        type=Path,
        help="where to journal every code before it is added (default:\n"
        "$B24_CONFORMANCE_JOURNAL or ~/.local/state/b24-conformance/journal.jsonl)",
    )
    parser.add_argument(
        "--cleanup",
        action="store_true",
        help="only delete the badges earlier runs on this portal journaled, and list them",
    )
    return parser


def _options(args: argparse.Namespace) -> Options:
    return Options(
        base_url=args.base_url,
        allow_writes=args.allow_writes,
        profile=args.profile,
        negative=args.negative,
        seed=args.seed,
        rate_limit=args.rate_limit,
        max_requests=args.max_requests,
        deadline=args.deadline,
        journal=args.journal,
    )


def _pytest_args(report_dir: Path | None) -> list[str]:
    here = str(Path(suite.__file__).parent)
    args = [here, "-q", "--no-header", "-rN", "-p", "no:cacheprovider", "--rootdir", here]
    args += ["-c", os.devnull, "-p", "no:warnings", "-p", "no:hypothesispytest"]
    args += ["-p", "b24_conformance.plugin"]  # its options and markers; the run is ours
    args += os.environ.get("B24_DEBUG_PYTEST_ARGS", "").split()
    if report_dir is not None:
        args += [f"--junitxml={report_dir / 'junit.xml'}", "-o", "junit_family=xunit2"]
    return args


@contextmanager
def _scratch_hypothesis_home() -> Iterator[None]:
    """Hypothesis caches what it harvests in `.hypothesis/` of the working directory; a run
    must leave nothing behind (and write nothing a secret could end up in), so it gets a
    temporary home that disappears with the run."""
    from hypothesis.configuration import set_hypothesis_home_dir

    with tempfile.TemporaryDirectory(prefix="b24-conformance-") as scratch:
        set_hypothesis_home_dir(scratch)
        yield


def _check(run: Run, report_dir: Path | None) -> None:
    """Run the suite on the open run; what it finds lands in `run.report`."""
    target, report = run.target, run.report
    print(
        f"b24-conformance: checking {report.target} ({report.profile}, prefix {target.prefix})",
        flush=True,
    )
    plugin = ConformancePlugin(run.options, run)
    with _scratch_hypothesis_home():
        status = pytest.main(_pytest_args(report_dir), plugins=[plugin])
    if status == pytest.ExitCode.INTERRUPTED:
        report.interrupted = True
        report.errors.append(("run", "interrupted"))
    elif status not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        report.errors.append(("run", f"the suite did not run (pytest exit {int(status)})"))


def _write_reports(directory: Path, report: Report, target: Target) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "summary.md").write_text(target.redact(report.markdown()), encoding="utf-8")
    junit = directory / "junit.xml"
    if junit.exists():  # written by pytest from masked material; scrubbed all the same
        junit.write_text(target.redact(junit.read_text(encoding="utf-8")), encoding="utf-8")


def run(args: argparse.Namespace) -> int:
    """One run as the command line describes it; the exit status."""
    with open_run(_options(args), cleanup_only=args.cleanup) as opened:
        if not args.cleanup:
            _check(opened, args.report_dir)
    report, target = opened.report, opened.target
    print(target.redact(report.console()))
    if args.report_dir is not None:
        _write_reports(args.report_dir, report, target)
    return exit_status(report)


def exit_status(report: Report) -> int:
    """1 for violations, 2 for a run that could not finish or left badges, else 0; an
    interrupted run is 2 whatever it found: it did not check everything."""
    if report.violations and not report.interrupted:
        return VIOLATIONS
    if report.errors or report.cleanup is None or not report.cleanup.clean:
        return USAGE
    return OK


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    """`b24-conformance`; also callable in process (signals are installed in the main thread
    only)."""
    args = _parser().parse_args(argv)
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _stop_on_sigterm) if main_thread else None
    try:
        return run(args)
    except UsageError as error:
        print(f"b24-conformance: {error}", file=sys.stderr)
        return USAGE
    except KeyboardInterrupt:
        print("b24-conformance: interrupted", file=sys.stderr)
        return USAGE
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    raise SystemExit(main())
