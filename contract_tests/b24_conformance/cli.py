"""`b24-conformance`: check a Bitrix24 portal, and the generated client, against the contract.

    b24-conformance                                          # the bundled emulator, writes too
    B24_WEBHOOK_URL=https://portal.bitrix24.com/rest/1/CODE/ b24-conformance   # read-only
    b24-conformance --base-url-file webhook.txt --allow-writes --report-dir reports/
    B24_ACCESS_TOKEN=... b24-conformance --oauth --portal https://portal.bitrix24.com

Give the webhook URL through $B24_WEBHOOK_URL or --base-url-file, not --base-url: a command
line is visible to every local user (ps). A URL that is given but empty is a usage error, never
a check of the bundled emulator.

Exit status:
  0  CONFORMS: every selected check ran, and none found a violation
  1  DOES NOT CONFORM: violations were found, each named with its check
  2  COULD NOT CHECK: a usage error; a portal that cannot be reached, has moved, refuses the
     credentials or stays unavailable; the run's deadline; an interrupted run (Ctrl-C,
     SIGTERM); a cleanup that left badges behind (then run --cleanup)
  3  INCOMPLETE: no violation, but some selected checks did not run: the request budget
     (--max-requests) was used up, or the portal refused the run's writes (ACCESS_DENIED,
     insufficient_scope); the report lists them
  With --cleanup: 0 CLEANED (the codes it deleted are listed), 2 FAILED.

Everything the run writes is under a code prefix unique to the run and deleted at the end, also
after failures, Ctrl-C or SIGTERM (which shorten the cleanup; what is left stays journaled);
--cleanup removes what an earlier, broken run left. No secret (webhook code, token, client
secret) appears in what the run prints or writes.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from b24_badge_client import Clock, OAuth, Webhook
from b24_conformance import stopping, suite
from b24_conformance.junit import junit_xml
from b24_conformance.oauth import TOKEN_SERVER, OAuthGrant
from b24_conformance.plugin import ConformancePlugin
from b24_conformance.progress import Progress
from b24_conformance.report import CHECK, CLEANUP, INCOMPLETE, NOT_CHECKED, OK, VIOLATIONS, Report
from b24_conformance.run import Run, UsageError, open_run, parse_rate_limit
from b24_conformance.scrub import (
    Scrubber,
    scratch_directory,
    scrubbed_console,
    signals_held,
    write_report,
)
from b24_conformance.settings import CLOUD_PACE, PROFILES, Options

USAGE = NOT_CHECKED
"""The exit status of a usage error (2): a run that could not check anything."""
__all__ = ["INCOMPLETE", "OK", "USAGE", "VIOLATIONS", "exit_status", "main"]

WEBHOOK_ENV, PORTAL_ENV, OAUTH_SERVER_ENV = "B24_WEBHOOK_URL", "B24_PORTAL_URL", "B24_OAUTH_SERVER"


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
    where = parser.add_argument_group("the portal (default: the bundled emulator)")
    where.add_argument(
        "--base-url-file",
        type=Path,
        metavar="PATH",
        help="read the webhook URL, https://portal/rest/USER_ID/CODE/, from this file\n"
        f"(recommended, or ${WEBHOOK_ENV}); plain http only on loopback",
    )
    where.add_argument(
        "--base-url",
        help=f"the webhook URL itself (default: ${WEBHOOK_ENV}); visible to every local\n"
        "user through ps: prefer the environment or --base-url-file",
    )
    where.add_argument(
        "--oauth",
        action="store_true",
        help="check the portal as an OAuth application: https://PORTAL/rest/ with the\n"
        "access token from $B24_ACCESS_TOKEN; a token that expires is refreshed with\n"
        "$B24_REFRESH_TOKEN, $B24_CLIENT_ID and $B24_CLIENT_SECRET when set",
    )
    where.add_argument(
        "--portal", metavar="URL", help=f"the portal for --oauth (default: ${PORTAL_ENV})"
    )
    where.add_argument(
        "--oauth-server",
        metavar="URL",
        help=f"the OAuth server's token endpoint (default: ${OAUTH_SERVER_ENV} or\n{TOKEN_SERVER})",
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
        "--max-requests",
        type=_positive,
        help="hard budget of requests (cleanup excepted); checks it leaves out make the\n"
        "run INCOMPLETE (exit 3)",
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
        "--cleanup-deadline",
        type=_seconds,
        default=Options.cleanup_deadline,
        metavar="SECONDS",
        help=f"time for the cleanup (default {Options.cleanup_deadline:g}; 10 after Ctrl-C or\n"
        "SIGTERM, 2 more after another one); what it leaves stays journaled",
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


def _webhook_url(args: argparse.Namespace) -> str | None:
    """The webhook URL from the command line, a file or the environment, in that order; ""
    when one is given but empty (a missing CI secret), None when none is."""
    if args.base_url is not None:
        return str(args.base_url)
    if args.base_url_file is not None:
        try:
            return Path(args.base_url_file).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise UsageError(f"--base-url-file: {error.strerror}: {args.base_url_file}") from None
    return os.environ.get(WEBHOOK_ENV)


def _options(args: argparse.Namespace) -> Options:
    oauth = None
    base_url = _webhook_url(args) if not args.oauth else None
    if args.oauth:
        if args.base_url is not None or args.base_url_file is not None:
            raise UsageError("--oauth checks a portal by its token: give no webhook URL with it")
        portal = args.portal or os.environ.get(PORTAL_ENV, "")
        if not portal.strip():
            raise UsageError(f"--oauth needs the portal: --portal https://PORTAL or ${PORTAL_ENV}")
        server = args.oauth_server or os.environ.get(OAUTH_SERVER_ENV) or TOKEN_SERVER
        try:
            oauth = OAuthGrant.from_environment(portal.strip(), server)
        except ValueError as error:
            raise UsageError(str(error)) from None
    elif args.portal is not None:
        raise UsageError("--portal is the portal of an --oauth run; a webhook URL names its own")
    return Options(
        base_url=base_url,
        oauth=oauth,
        allow_writes=args.allow_writes,
        profile=args.profile,
        negative=args.negative,
        seed=args.seed,
        rate_limit=args.rate_limit,
        max_requests=args.max_requests,
        deadline=args.deadline,
        cleanup_deadline=args.cleanup_deadline,
        journal=args.journal,
    )


def _redact_options(options: Options, scrub: Scrubber) -> None:
    """Mask the secrets the options hold from the first line printed, before any target exists
    (a malformed URL or an early error could otherwise print them)."""
    if options.base_url:
        try:
            scrub.add(Webhook(options.base_url.strip()).redact)
        except ValueError:  # not a webhook URL: whatever it holds is masked whole
            raw = options.base_url.strip()
            scrub.add(lambda text: text.replace(raw, "***") if raw else text)
    if options.oauth is not None:
        for secret in (options.oauth.access_token, *options.oauth.secrets()):
            scrub.add(OAuth(options.oauth.portal, secret).redact)


def _pytest_args() -> list[str]:
    here = str(Path(suite.__file__).parent)
    # No terminal reporter: the command prints its own progress and report (progress.py).
    args = [here, "-p", "no:terminal", "-p", "no:cacheprovider", "--rootdir", here]
    args += ["-c", os.devnull, "-p", "no:warnings", "-p", "no:hypothesispytest"]
    args += ["-p", "b24_conformance.plugin"]  # its options and markers; the run is ours
    args += os.environ.get("B24_DEBUG_PYTEST_ARGS", "").split()
    return args


@contextmanager
def _hypothesis_home(report_dir: Path | None) -> Iterator[None]:
    """Hypothesis caches what it harvests in `.hypothesis/` of the working directory; a run
    must leave nothing behind (and write nothing a secret could end up in), so it gets a
    scratch home that disappears with the run (scrub.scratch_directory)."""
    from hypothesis.configuration import set_hypothesis_home_dir, storage_directory

    previous = storage_directory(intent_to_write=False).home_directory
    with scratch_directory(report_dir) as scratch:
        set_hypothesis_home_dir(scratch)
        try:
            yield
        finally:
            set_hypothesis_home_dir(previous)


def _check(run: Run, report_dir: Path | None) -> None:
    """Run the suite on the open run; what it finds lands in `run.report`."""
    target, report = run.target, run.report
    access = "writes" if target.writes else "read-only"
    print(
        f"b24-conformance: checking {report.target} ({report.profile}, {access}, "
        f"prefix {target.prefix})\nb24-conformance: pace: {report.pace}"
        + ("" if target.rate_limit is None else " (the portal's rate limit; --rate-limit)"),
        flush=True,
    )
    plugins = [ConformancePlugin(run.options, run), Progress(target, _say)]
    try:
        with _hypothesis_home(report_dir):
            status = pytest.main(_pytest_args(), plugins=plugins)
    except KeyboardInterrupt:  # a second signal while pytest wound down
        status = pytest.ExitCode.INTERRUPTED
    if status == pytest.ExitCode.INTERRUPTED:
        report.interrupted = True
        report.errors.append(("run", "interrupted"))
    elif status not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        report.errors.append(("run", f"the suite did not run (pytest exit {int(status)})"))


def _say(text: str) -> None:
    print(f"b24-conformance: {text}", flush=True)


def _write_reports(directory: Path, report: Report, scrub: Scrubber) -> None:
    write_report(directory / "summary.md", report.markdown(), scrub)
    write_report(directory / "junit.xml", junit_xml(report), scrub)


def _finish(
    report: Report, report_dir: Path | None, scrub: Scrubber, *, quiet: bool = False
) -> int:
    """Print the verdict and write the reports, with Ctrl-C and SIGTERM held off: an ending
    run always says what it found and did."""
    with signals_held():
        if not quiet:
            print(scrub(report.console()), flush=True)
        if report_dir is not None:
            _write_reports(report_dir, report, scrub)
    return exit_status(report)


def _not_checked(options: Options, args: argparse.Namespace, why: str) -> Report:
    """The report of a run that could not start: its verdict says why."""
    target = "the portal"
    given = (args.base_url, args.base_url_file, args.oauth or None, os.environ.get(WEBHOOK_ENV))
    if all(source is None for source in given):
        target = "the bundled emulator"
    mode = CLEANUP if args.cleanup else CHECK
    report = Report(target, options.profile, options.writes, options.sends_invalid_data, "-", mode)
    report.errors.append(("run", why))
    return report


def _hold_signals(held: ExitStack, final: bool) -> None:
    """From now on Ctrl-C and SIGTERM do not interrupt: until the block ends, or, for the
    process's own run (`final`), until it exits (a signal between the last report and the exit
    would otherwise turn a finished run into an interrupted one)."""
    if not final:
        held.enter_context(signals_held())
    else:
        held.enter_context(stopping.handlers(signal.SIG_IGN, stopping.STOPPING, restore=False))


def run(args: argparse.Namespace, clock: Clock | None = None, final: bool = False) -> int:
    """One run as the command line describes it; the exit status. `final`: the process ends
    with the run (the console script)."""
    scrub = Scrubber()
    try:
        options = _options(args)
    except UsageError as error:
        print(f"b24-conformance: {error}", file=sys.stderr, flush=True)
        if args.report_dir is not None:  # a CI page shows why, too
            report = _not_checked(Options(profile=args.profile), args, str(error))
            _finish(report, args.report_dir, scrub, quiet=True)
        return USAGE
    _redact_options(options, scrub)
    with scrubbed_console(scrub), ExitStack() as held:
        if args.base_url:
            _say("note: a webhook URL on the command line is visible to every local user (ps);")
            _say(f"      prefer ${WEBHOOK_ENV} or --base-url-file")
        opened: Run | None = None
        try:
            with open_run(options, cleanup_only=args.cleanup, clock=clock, say=_say) as opened:
                scrub.add(opened.target.redact)
                if not args.cleanup:
                    _check(opened, args.report_dir)
                # The checks are over: from here a signal only shortens the cleanup (run.py),
                # and the verdict and the reports follow, whatever comes.
                _hold_signals(held, final)
        except KeyboardInterrupt:
            if opened is None:
                raise
            _hold_signals(held, final)
            opened.report.interrupted = True
            if ("run", "interrupted") not in opened.report.errors:
                opened.report.errors.append(("run", "interrupted"))
        except UsageError as error:
            print(f"b24-conformance: {error}", file=sys.stderr, flush=True)
            if args.report_dir is not None:  # a CI page shows why, too
                _finish(_not_checked(options, args, str(error)), args.report_dir, scrub, quiet=True)
            return USAGE
        return _finish(opened.report, args.report_dir, scrub)


def exit_status(report: Report) -> int:
    """The exit status of the report's verdict (report.py lists them)."""
    return report.verdict().status


def main(argv: Sequence[str] | None = None, *, clock: Clock | None = None) -> int:
    """`b24-conformance`; also callable in process (signals are handled in the main thread
    only), with a fake `clock` in tests."""
    args = _parser().parse_args(argv)
    final = argv is None  # the console script: the process ends with the run
    with stopping.handled(restore=not final):
        try:
            return run(args, clock, final)
        except UsageError as error:
            print(f"b24-conformance: {error}", file=sys.stderr)
            return USAGE
        except KeyboardInterrupt:
            print("b24-conformance: interrupted before the run began; nothing was written")
            return USAGE


if __name__ == "__main__":
    raise SystemExit(main())
