"""The webhook code and OAuth tokens stay out of every log record and exception text.

Each scenario makes a call fail in a different way, with every logger at DEBUG (httpx logs each
request's URL at INFO), and then searches everything the failure produced: log records, the
exception's text, repr and full traceback (chained causes included), the response it keeps, and
the client's repr.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import httpx
import pytest

from b24_badge_client import B24Error, BadgeClient, Clock
from b24_emulator import RunningEmulator, run_emulator
from tests.client.conftest import ADMIN, EXPIRED, SECRETS, SETTINGS, TOKEN
from tests.portals import Slow, always, html_errors, successes

ECHO_500 = always(
    500, {"error": "INTERNAL_SERVER_ERROR", "error_description": "failed:"}, echo=True
)


def everything_about(error: BaseException, client: BadgeClient) -> str:
    parts = [str(error), repr(error), "".join(traceback.format_exception(error)), repr(client)]
    response = getattr(error, "response", None)
    if isinstance(response, httpx.Response):
        parts += [
            response.text,
            str(response.request.url),
            str(response.request.headers),
            response.request.content.decode(),
            str(response.headers),
        ]
    return "\n".join(parts)


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"secret {secret[:4]}... leaked:\n{text}"


def fail_and_collect(
    caplog: pytest.LogCaptureFixture,
    portal: AbstractContextManager[RunningEmulator] | None,
    make_client: Callable[[str], BadgeClient],
    call: Callable[[BadgeClient], Any],
) -> tuple[BaseException, str]:
    caplog.set_level(logging.DEBUG)
    with portal or run_emulator(SETTINGS) as running, make_client(running.base_url) as client:
        with pytest.raises((B24Error, httpx.HTTPError)) as caught:
            call(client)
        collected = everything_about(caught.value, client)
    logs = "\n".join(record.getMessage() for record in caplog.records)
    if not isinstance(caught.value, httpx.TimeoutException):  # no answer, nothing to log
        assert "HTTP Request: POST" in logs, (
            "httpx logged the request URL: the check means something"
        )
    return caught.value, collected + "\n" + logs


def webhook(base_url: str, **options: Any) -> BadgeClient:
    url = f"{base_url}/rest/{ADMIN.user_id}/{ADMIN.code}/"
    return BadgeClient.from_webhook(url, rate_limit=None, **options)


def oauth(token: str) -> Callable[[str], BadgeClient]:
    return lambda base_url: BadgeClient.from_oauth(base_url, token, rate_limit=None)


SCENARIOS = [
    pytest.param(None, webhook, lambda c: c.get("nope"), "NotFound", id="failing-call"),
    pytest.param(
        run_emulator(SETTINGS, wrap=ECHO_500),
        webhook,
        lambda c: c.list(),
        "PortalError",
        id="5xx-echoing-the-request",
    ),
    pytest.param(
        run_emulator(SETTINGS, wrap=html_errors(502)),
        webhook,
        lambda c: c.get("nope"),
        "UnexpectedResponse",
        id="html-page-quoting-the-path",
    ),
    pytest.param(
        run_emulator(SETTINGS, wrap=lambda app: Slow(app, 2.0)),
        lambda url: webhook(url, timeout=0.3),
        lambda c: c.list(),
        "ReadTimeout",
        id="timeout",
    ),
    pytest.param(
        None, oauth(EXPIRED.token), lambda c: c.list(), "ExpiredToken", id="oauth-expired"
    ),
    pytest.param(
        run_emulator(SETTINGS, wrap=ECHO_500),
        oauth(TOKEN.token),
        lambda c: c.list(),
        "PortalError",
        id="oauth-5xx-echoing-the-token",
    ),
]


@pytest.mark.parametrize(("portal", "make_client", "call", "expected"), SCENARIOS)
def test_no_secret_in_logs_or_exceptions(
    caplog: pytest.LogCaptureFixture,
    portal: AbstractContextManager[RunningEmulator] | None,
    make_client: Callable[[str], BadgeClient],
    call: Callable[[BadgeClient], Any],
    expected: str,
) -> None:
    error, collected = fail_and_collect(caplog, portal, make_client, call)
    assert type(error).__name__ == expected
    assert_no_secret(collected)


def test_an_echoed_secret_is_masked_not_dropped(caplog: pytest.LogCaptureFixture) -> None:
    """The portal's words stay readable; only the secret itself becomes ***."""
    error, _ = fail_and_collect(
        caplog, run_emulator(SETTINGS, wrap=ECHO_500), webhook, lambda c: c.list()
    )
    assert "/rest/1/***/crm.activity.badge.list" in str(error)


def test_a_connection_refused(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with (
        BadgeClient.from_webhook(
            f"http://127.0.0.1:9/rest/1/{ADMIN.code}/", rate_limit=None
        ) as client,
        pytest.raises(httpx.ConnectError) as caught,
    ):
        client.list()
    logs = "\n".join(record.getMessage() for record in caplog.records)
    assert_no_secret(everything_about(caught.value, client) + logs)


def test_a_retried_call_logs_no_secret(caplog: pytest.LogCaptureFixture) -> None:
    from dataclasses import replace

    from b24_emulator import RateLimit

    caplog.set_level(logging.DEBUG)
    strict = replace(SETTINGS, rate_limit=RateLimit(burst=1, per_second=0.001))
    with (
        run_emulator(strict) as portal,
        BadgeClient.from_webhook(
            portal.webhook_url(ADMIN),
            rate_limit=None,
            clock=Clock(sleep=lambda seconds: None),
        ) as client,
    ):
        client.list()
        with pytest.raises(B24Error) as caught:
            client.list()
    logs = "\n".join(record.getMessage() for record in caplog.records)
    assert "retry 5/5" in logs
    assert_no_secret(everything_about(caught.value, client) + logs)


def test_an_unreadable_answer_quoting_the_secret_is_masked(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A 200 the models cannot read, whose unreadable part is the secret itself."""

    def secret_type(answer: dict[str, Any]) -> None:
        answer["result"]["badge"]["type"] = ADMIN.code

    with (
        run_emulator(SETTINGS, wrap=successes(secret_type)) as portal,
        webhook(portal.base_url) as client,
    ):
        with pytest.raises(B24Error) as caught:
            client.get("missedCall")
        collected = everything_about(caught.value, client)
    assert "does not fit the contract" in collected
    assert_no_secret(collected)
