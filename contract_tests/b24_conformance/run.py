"""One run's life: the portal, the target, a first call that shows the portal can be checked,
and the cleanup, whatever happens in between.

Shared by the `b24-conformance` command and the pytest plugin, so that a pytest user running the
suite inside their own pytest gets the same safety as the command.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType

import httpx

from b24_badge_client import Clock, OAuth, RateLimit
from b24_conformance.journal import default_path
from b24_conformance.model import PortalModel
from b24_conformance.oauth import Refresher, redactor
from b24_conformance.report import CHECK, CLEANUP, Report
from b24_conformance.safety import CleanupResult, clean_up, new_run_prefix
from b24_conformance.settings import CLOUD_PACE, PROFILES, Options, RunSettings
from b24_conformance.stopping import INTERRUPTING, handlers
from b24_conformance.target import DeadlineExceeded, PortalUnavailable, Target, error_of, said
from b24_spec.methods import LIST

Say = Callable[[str], None]  # where a run tells what it is doing (the command: the console)


def _quiet(text: str) -> None:
    """Under plain pytest the run says nothing of its own; pytest reports."""


class UsageError(Exception):
    """The run cannot start: a bad option, a portal that cannot be reached or refuses the
    credentials. Exit status 2, with this message."""


def parse_rate_limit(text: str) -> RateLimit | None:
    """`BURST/PER_SECOND` or `none`; ValueError for anything else."""
    if text == "none":
        return None
    burst, _, per_second = text.partition("/")
    try:
        return RateLimit(int(burst), float(per_second))
    except ValueError as error:
        raise ValueError(f"expected BURST/PER_SECOND or none: {error}") from None


@dataclass
class Run:
    """An open run: what the suite's fixtures hand out, and what the report collects."""

    options: Options
    settings: RunSettings
    report: Report
    model: PortalModel

    @property
    def target(self) -> Target:
        """The portal the run checks, with its one transport: every request of a test goes
        through it, to be paced, counted and cleaned up after."""
        return self.settings.target


EMPTY_URL = (
    "the webhook URL is empty (--base-url, --base-url-file or $B24_WEBHOOK_URL; a missing CI "
    "secret?): give the portal's webhook URL, or nothing at all to check the bundled emulator"
)


@contextmanager
def _portal(options: Options) -> Iterator[str | None]:
    """The webhook URL to check: the user's, the bundled emulator's for the block, or None for
    an OAuth run."""
    if options.oauth is not None:
        yield None
        return
    if options.base_url is not None:
        if not options.base_url.strip():
            raise UsageError(EMPTY_URL)
        yield options.base_url.strip()
        return
    from b24_emulator import Settings, Webhook, run_emulator

    with run_emulator(Settings(webhooks=(Webhook.generate(),), rate_limit=None)) as emulator:
        yield emulator.webhook_url()


INTERRUPTED_CLEANUP_SECONDS = 10.0  # after Ctrl-C, SIGTERM, an unavailable portal
LAST_SIGNAL_SECONDS = 2.0  # one more signal during the cleanup: report what is left, now


def _target(options: Options, url: str | None, clock: Clock | None) -> Target:
    # The bundled emulator is ours and unthrottled; a portal gets the cloud's pace by default.
    try:
        rate_limit = parse_rate_limit(
            options.rate_limit or ("none" if options.bundled else CLOUD_PACE)
        )
        credentials: str | OAuth
        refresher: Refresher | None = None
        if options.oauth is not None:
            grant = options.oauth

            def hide(secret: str) -> None:  # a refreshed pair is masked as it comes
                target.also_redact(redactor(grant.portal, secret))

            if grant.refresh_token:
                refresher = Refresher(grant, hide)
            credentials = OAuth(grant.portal, grant.access_token, refresh=refresher)
        else:
            assert url is not None
            credentials = url
        target = Target(
            credentials,
            writes=options.writes,
            bundled=options.bundled,
            rate_limit=rate_limit,
            max_requests=options.max_requests,
            prefix=new_run_prefix(),
            journal_path=None if options.bundled else (options.journal or default_path()),
            clock=clock,
        )
    except ValueError as error:  # not a webhook URL, plain http to a remote host, a bad pace
        raise UsageError(str(error)) from None
    if options.oauth is not None:
        for secret in options.oauth.secrets():  # the refresh token, the client secret
            target.also_redact(redactor(options.oauth.portal, secret))
    return target


def _reachable(target: Target) -> None:
    """One list call before the suite (after the transport's retries of a rate limit): a portal
    that cannot be reached, has moved, refuses the credentials or is unavailable is exit 2, at
    once, with what the portal said."""
    try:
        response = target.post(LIST, {}, target.http)  # a refusal is judged here, with advice
    except httpx.DecodingError:
        return  # it answered, in an encoding it lies about: the suite names that deviation
    except httpx.HTTPError as error:
        raise UsageError(f"the portal cannot be reached: {target.redact(str(error))}") from None
    except DeadlineExceeded:
        raise UsageError("the portal did not answer within the run's deadline") from None
    except PortalUnavailable as error:
        raise UsageError(f"{error}: try again later") from None
    except Exception as error:  # a token refresh that failed, and the like: never a traceback
        message = target.redact(f"{type(error).__name__}: {error}")
        raise UsageError(f"the first call failed: {message}") from None
    status = response.status_code
    if 300 <= status < 400:
        location = target.redact(response.headers.get("location", "(no Location)"))
        raise UsageError(f"the portal moved (HTTP {status}, Location: {location}): check the URL")
    if status in (401, 403):
        raise UsageError(
            f"the portal refused the {target.secret_name} ({target.redact(said(response))}): "
            f"{_advice(target, response)}"
        )


def _advice(target: Target, response: httpx.Response) -> str:
    """What a refusal most likely means, from the portal's error code."""
    code = error_of(response)[0].lower()
    who = "the webhook" if target.uses_webhook else "the application"
    if code == "insufficient_scope":
        return f"give {who} the crm scope"
    if code == "expired_token":
        return "the access token has expired: give a fresh one, or a refresh token"
    if code == "invalid_token":
        return "the access token is not valid on this portal"
    if code == "access_denied":
        return f"the user of {who} may not use CRM"
    if target.uses_webhook:
        return "check the webhook URL (its user id and code)"
    return "check the access token and the portal"


def _pace(target: Target) -> str:
    limit = target.rate_limit
    return "none" if limit is None else f"a burst of {limit.burst}, then {limit.per_second:g}/s"


def _label(options: Options, target: Target) -> str:
    if options.bundled:
        return f"bundled emulator at {target.origin}"
    if options.oauth is not None:
        return f"{target.base_url} (OAuth application)"
    return target.base_url


@contextmanager
def open_run(
    options: Options,
    *,
    cleanup_only: bool = False,
    clock: Clock | None = None,
    say: Say = _quiet,
) -> Iterator[Run]:
    """Open a run on its portal; on leaving, clean up (always) and close.

    With `cleanup_only` the cleanup deletes what any earlier run left, instead of this run's.
    `clock` is the run's sense of time (a fake one in tests); `say` tells what the run does.
    """
    if options.profile not in PROFILES:
        raise UsageError(f"unknown profile {options.profile!r}: one of {', '.join(PROFILES)}")
    started = time.monotonic()
    with _portal(options) as url:
        target = _target(options, url, clock)
        report = Report(
            _label(options, target),
            options.profile,
            target.writes,
            options.sends_invalid_data,
            _pace(target),
            mode=CLEANUP if cleanup_only else CHECK,
            ledger=target.ledger,
        )
        settings = RunSettings(
            target, PROFILES[options.profile], options.sends_invalid_data, options.seed
        )
        target.transport.time_left(options.deadline)
        interrupted = False
        try:
            _reachable(target)
            yield Run(options, settings, report, PortalModel())
        except KeyboardInterrupt:
            interrupted = True
            raise
        finally:
            # After every run that sent an add (the run's transport counts every request): the
            # cleanup trusts nothing else the run believes about what it sent. An interrupted
            # run, or a portal that stopped answering, gets a short one: CI kills soon after a
            # signal, and a portal that refused everything for minutes will refuse it too
            # (what is left stays journaled).
            interrupted = interrupted or report.interrupted
            hurried = interrupted or target.transport.unavailable is not None
            seconds = INTERRUPTED_CLEANUP_SECONDS if hurried else options.cleanup_deadline
            report.cleanup = cleanup(
                target,
                earlier_runs=cleanup_only,
                seconds=min(seconds, options.cleanup_deadline),
                say=say,
            )
            report.requests = target.budget.per_part
            report.seconds = time.monotonic() - started
            target.close()


@contextmanager
def _signals_cut_short(target: Target) -> Iterator[list[str]]:
    """Ctrl-C and SIGTERM during the cleanup do not break it off half-way (a delete cut off
    leaves a badge nobody knows about); each one shortens the time it has left, and the cleanup
    then reports what it deleted and what is left (still journaled, for `--cleanup`). Yields
    the names of the signals that came (the handler only notes them: printing from a handler
    could deadlock on the console's lock). In the main thread, where Python delivers signals;
    elsewhere there is nothing to hold."""
    came: list[str] = []

    def cut_short(signum: int, frame: FrameType | None) -> None:
        left = target.transport.remaining()
        limit = LAST_SIGNAL_SECONDS if left is None else min(left, LAST_SIGNAL_SECONDS)
        target.transport.time_left(max(limit, 0.0))
        came.append(signal.Signals(signum).name)

    with handlers(cut_short, INTERRUPTING):
        yield came


def cleanup(
    target: Target, earlier_runs: bool, seconds: float = 120.0, say: Say = _quiet
) -> CleanupResult:
    """Delete what this run wrote (or, with `earlier_runs`, what the journal says earlier runs
    on this portal left), whatever the budget says, within `seconds`; Ctrl-C and SIGTERM cut
    it short, never off: a half-done cleanup leaves badges."""
    if not earlier_runs and target.transport.adds == 0:
        say("cleanup: nothing to delete: the run sent no add")
        return CleanupResult()
    if earlier_runs:
        codes = set() if target.journal is None else set(target.journal.pending())
        owned: Callable[[str], bool] = codes.__contains__
        whose = "journaled by earlier runs"
    else:
        owned = lambda code: code.startswith(target.prefix)  # noqa: E731
        codes = {code for code in target.transport.written if owned(code)}
        whose = "written by this run"
    target.budget.exempt = True
    target.transport.unavailable = None  # the cleanup tries, whatever the checks met
    target.transport.time_left(seconds)
    with _signals_cut_short(target) as came, target.part("cleanup"):
        say(f"cleanup: deleting {len(codes)} badge(s) {whose}, then sweeping list")
        result = clean_up(target, owned, codes)
    if came:
        say(f"cleanup: cut short by {', '.join(came)}")
    count = target.budget.per_part["cleanup"]
    state = "done" if result.clean else f"{len(result.left)} left behind (still journaled)"
    say(f"cleanup: {state}: {len(result.deleted)} deleted ({count} request(s))")
    return result
