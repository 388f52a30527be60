"""One run's life: the portal, the target, a first call that shows the portal can be checked,
and the cleanup, whatever happens in between.

Shared by the `b24-conformance` command and the pytest plugin, so that a pytest user running the
suite inside their own pytest gets the same safety as the command.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from signal import SIGINT, SIGTERM

import httpx

from b24_badge_client import RateLimit
from b24_conformance.checks import json_or_none
from b24_conformance.journal import default_path
from b24_conformance.model import PortalModel
from b24_conformance.report import Report
from b24_conformance.safety import CleanupResult, clean_up, new_run_prefix
from b24_conformance.settings import CLOUD_PACE, PROFILES, Options, RunSettings
from b24_conformance.target import DeadlineExceeded, Target
from b24_spec.methods import LIST


class UsageError(Exception):
    """The run cannot start: a bad option, a portal that cannot be reached or refuses the
    webhook. Exit status 2, with this message."""


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
        return self.settings.target


@contextmanager
def _portal(options: Options) -> Iterator[str]:
    """The webhook URL to check: the user's, or the bundled emulator's for the block."""
    if options.base_url:
        yield options.base_url
        return
    from b24_emulator import Settings, Webhook, run_emulator

    with run_emulator(Settings(webhooks=(Webhook.generate(),), rate_limit=None)) as emulator:
        yield emulator.webhook_url()


CLEANUP_SECONDS = 120.0  # a cleanup that cannot finish in two minutes says what it left


def _target(options: Options, url: str) -> Target:
    # The bundled emulator is ours and unthrottled; a portal gets the cloud's pace by default.
    try:
        rate_limit = parse_rate_limit(
            options.rate_limit or ("none" if options.bundled else CLOUD_PACE)
        )
        return Target(
            url,
            writes=options.writes,
            bundled=options.bundled,
            rate_limit=rate_limit,
            max_requests=options.max_requests,
            prefix=new_run_prefix(),
            journal_path=None if options.bundled else (options.journal or default_path()),
        )
    except ValueError as error:  # not a webhook URL, plain http to a remote host, a bad pace
        raise UsageError(str(error)) from None


def _reachable(target: Target) -> None:
    """One list call before the suite (after the transport's retries of a rate limit): a portal
    that cannot be reached, has moved, refuses the webhook or is unavailable is exit 2, at once.
    """
    try:
        response = target.post(LIST, {})
    except httpx.DecodingError:
        return  # it answered, in an encoding it lies about: the suite names that deviation
    except httpx.HTTPError as error:
        raise UsageError(f"the portal cannot be reached: {target.redact(str(error))}") from None
    except DeadlineExceeded:
        raise UsageError("the portal did not answer within the run's deadline") from None
    status = response.status_code
    if 300 <= status < 400:
        location = target.redact(response.headers.get("location", "(no Location)"))
        raise UsageError(f"the portal moved (HTTP {status}, Location: {location}): check the URL")
    if status in (401, 403):
        raise UsageError(f"the portal refused the webhook (HTTP {status}): check the URL")
    if status in (429, 503):
        code = _error_code(response)
        raise UsageError(f"the portal is unavailable (HTTP {status} {code}): try again later")


def _error_code(response: httpx.Response) -> str:
    body = json_or_none(response.content)
    return str(body.get("error", "")) if isinstance(body, dict) else ""


def _pace(target: Target) -> str:
    limit = target.rate_limit
    return "none" if limit is None else f"{limit.burst}, then {limit.per_second:g}/s"


@contextmanager
def open_run(options: Options, *, cleanup_only: bool = False) -> Iterator[Run]:
    """Open a run on its portal; on leaving, clean up (always) and close.

    With `cleanup_only` the cleanup deletes what any earlier run left, instead of this run's.
    """
    if options.profile not in PROFILES:
        raise UsageError(f"unknown profile {options.profile!r}: one of {', '.join(PROFILES)}")
    started = time.monotonic()
    with _portal(options) as url:
        target = _target(options, url)
        label = f"bundled emulator at {target.origin}" if options.bundled else target.base_url
        report = Report(
            label, options.profile, target.writes, options.sends_invalid_data, _pace(target)
        )
        settings = RunSettings(
            target, PROFILES[options.profile], options.sends_invalid_data, options.seed
        )
        target.transport.time_left(options.deadline)
        try:
            _reachable(target)
            yield Run(options, settings, report, PortalModel())
        finally:
            # Always, read-only runs included: cleanup is cheap, and trusts nothing the run
            # believes about what it sent.
            report.cleanup = cleanup(target, earlier_runs=cleanup_only)
            report.requests = target.budget.per_part
            report.seconds = time.monotonic() - started
            target.close()


@contextmanager
def _signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the block is done (in the main thread, where Python
    delivers signals; elsewhere there is nothing to hold)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held = {signum: signal.signal(signum, signal.SIG_IGN) for signum in (SIGINT, SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in held.items():
            signal.signal(signum, handler)


def cleanup(target: Target, earlier_runs: bool) -> CleanupResult:
    """Delete what this run wrote (or, with `earlier_runs`, what the journal says earlier runs
    on this portal left), whatever the budget says, within CLEANUP_SECONDS, with Ctrl-C and
    SIGTERM held off: a half-done cleanup leaves badges."""
    if earlier_runs:
        codes = set() if target.journal is None else set(target.journal.pending())
        owned: Callable[[str], bool] = codes.__contains__
    else:
        owned = lambda code: code.startswith(target.prefix)  # noqa: E731
        codes = {code for code in target.transport.written if owned(code)}
    target.budget.exempt = True
    target.transport.time_left(CLEANUP_SECONDS)
    with _signals_held(), target.part("cleanup"):
        return clean_up(target, owned, codes)
