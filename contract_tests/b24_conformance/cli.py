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
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

import httpx
import pytest

from b24_badge_client import RateLimit
from b24_conformance import suite
from b24_conformance.plugin import ConformancePlugin
from b24_conformance.report import Report
from b24_conformance.safety import CleanupResult, clean_up, new_run_prefix, owned_by_any_run
from b24_conformance.settings import PROFILES, RunSettings
from b24_conformance.target import Target

OK, VIOLATIONS, USAGE = 0, 1, 2
CLOUD = "50/2"


class UsageError(Exception):
    pass


def _rate_limit(text: str) -> RateLimit | None:
    if text == "none":
        return None
    burst, _, per_second = text.partition("/")
    try:
        return RateLimit(int(burst), float(per_second))
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"expected BURST/PER_SECOND or none: {error}") from None


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1 (one request checks the portal)")
    return value


def _checked_rate_limit(text: str) -> str:
    _rate_limit(text)  # refuse a malformed value at parse time
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
        help=f"pace requests (default: the cloud's {CLOUD}; for the bundled emulator: none)",
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
        "--cleanup",
        action="store_true",
        help="only delete badges left by earlier runs (codes b24ct-<run id>-...)",
    )
    return parser


@contextmanager
def _portal(args: argparse.Namespace) -> Iterator[tuple[str, bool]]:
    """The webhook URL to test, and whether it is the run's own emulator."""
    if args.base_url:
        yield args.base_url, False
        return
    from b24_emulator import Settings, Webhook, run_emulator

    with run_emulator(Settings(webhooks=(Webhook.generate(),), rate_limit=None)) as emulator:
        yield emulator.webhook_url(), True


def _reachable(target: Target) -> None:
    """One list call before the suite: an unreachable portal or refused credentials is exit 2."""
    try:
        response = target.post("crm.activity.badge.list", {})
    except httpx.HTTPError as error:
        raise UsageError(f"the portal cannot be reached: {target.redact(str(error))}") from None
    if response.status_code in (401, 403):
        raise UsageError(
            f"the portal refused the webhook (HTTP {response.status_code}): check the URL"
        )


def _pytest_args(report_dir: Path | None) -> list[str]:
    args = [
        str(Path(suite.__file__).parent),
        "-q",
        "--no-header",
        "-rN",
        "-p",
        "no:cacheprovider",
        "--rootdir",
        str(Path(suite.__file__).parent),
        "-c",
        os.devnull,
        "-p",
        "no:warnings",
        "-p",
        "no:hypothesispytest",
    ]
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


def _fresh_suite() -> None:
    """Forget the suite's modules: they read the run's settings when imported, and pytest does
    not import a module twice, so a second run in one process would reuse the first's."""
    for name in [name for name in sys.modules if name.startswith(suite.__name__ + ".")]:
        del sys.modules[name]


def _target(args: argparse.Namespace, url: str, bundled: bool) -> Target:
    # The bundled emulator is ours and unthrottled; a portal gets the cloud's pace by default.
    rate_limit = _rate_limit(args.rate_limit or ("none" if bundled else CLOUD))
    try:
        return Target(
            url,
            writes=bundled or args.allow_writes,
            bundled=bundled,
            rate_limit=rate_limit,
            max_requests=args.max_requests,
            prefix=new_run_prefix(),
        )
    except ValueError as error:  # not a webhook URL, or plain http to a remote host
        raise UsageError(str(error)) from None


def _check(target: Target, args: argparse.Namespace, report: Report) -> None:
    settings = RunSettings(target, PROFILES[args.profile], report.negative, args.seed)
    print(
        f"b24-conformance: checking {report.target} ({args.profile}, prefix {target.prefix})",
        flush=True,
    )
    _fresh_suite()
    with _scratch_hypothesis_home():
        status = pytest.main(
            _pytest_args(args.report_dir), plugins=[ConformancePlugin(settings, report)]
        )
    if status == pytest.ExitCode.INTERRUPTED:
        report.errors.append(("run", "interrupted"))
    elif status not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        report.errors.append(("run", f"the suite did not run (pytest exit {int(status)})"))


def _clean_up(target: Target, everything: bool) -> CleanupResult:
    """Delete what this run wrote (or, with `everything`, what any run left), whatever the
    budget says, and with Ctrl-C and SIGTERM held off: a half-done cleanup leaves badges."""
    owned = owned_by_any_run if everything else lambda code: code.startswith(target.prefix)
    held = {
        signum: signal.signal(signum, signal.SIG_IGN) for signum in (signal.SIGINT, signal.SIGTERM)
    }
    target.budget.exempt = True
    try:
        with target.part("cleanup"):
            return clean_up(target, owned)
    finally:
        for signum, handler in held.items():
            signal.signal(signum, handler)


def _write_reports(directory: Path, report: Report, target: Target) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "summary.md").write_text(target.redact(report.markdown()), encoding="utf-8")
    junit = directory / "junit.xml"
    if junit.exists():  # written by pytest from masked material; scrubbed all the same
        junit.write_text(target.redact(junit.read_text(encoding="utf-8")), encoding="utf-8")


def run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    with _portal(args) as (url, bundled):
        target = _target(args, url, bundled)
        pace = (
            "none"
            if target.rate_limit is None
            else f"{target.rate_limit.burst}, then {target.rate_limit.per_second:g}/s"
        )
        label = f"bundled emulator at {target.origin}" if bundled else target.base_url
        report = Report(label, args.profile, target.writes, bundled or args.negative, pace)
        try:
            _reachable(target)
            if not args.cleanup:
                _check(target, args, report)
        finally:
            # Always, read-only runs included: cleanup is cheap, and trusts nothing the run
            # believes about what it sent.
            report.cleanup = _clean_up(target, everything=args.cleanup)
            report.requests = target.budget.per_part
            report.seconds = time.monotonic() - started
            target.close()
        print(target.redact(report.console()))
        if args.report_dir is not None:
            _write_reports(args.report_dir, report, target)
    if report.violations:
        return VIOLATIONS
    if report.errors or not report.cleanup.clean:
        return USAGE
    return OK


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        return run(args)
    except UsageError as error:
        print(f"b24-conformance: {error}", file=sys.stderr)
        return USAGE
    except KeyboardInterrupt:
        print("b24-conformance: interrupted", file=sys.stderr)
        return USAGE


if __name__ == "__main__":
    raise SystemExit(main())
