"""The webhook code and OAuth tokens stay out of every log record and exception text.

Each scenario makes a call fail in a different way, with every logger at DEBUG (httpx logs each
request's URL at INFO, httpcore the raw headers of each answer at DEBUG), and then searches
everything the failure produced: log records, the exception's text, repr and full traceback
(chained causes included), the response it keeps, and the client's repr. The search decodes
(tests/client/leaks.py), so a secret echoed JSON-escaped, URL-encoded, in another case or in
base64 counts as leaked.
"""

from __future__ import annotations

import base64
import json
import logging
import traceback
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from b24_badge_client import B24Error, BadgeClient, Clock, PortalError, PortalMoved
from b24_emulator import RunningEmulator, run_emulator
from tests.client import leaks
from tests.client.conftest import ADMIN, EXPIRED, SECRETS, SETTINGS, TOKEN
from tests.portals import (
    Answer,
    Exchange,
    Slow,
    always,
    html_errors,
    intercepting,
    redirect_to,
    successes,
)

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
    leaks.assert_no_secret(text, SECRETS)


def logged(caplog: pytest.LogCaptureFixture) -> str:
    """Every record as a handler would write it: message, traceback and stack."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(formatter.format(record) for record in caplog.records)


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
    logs = logged(caplog)
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
    assert_no_secret(everything_about(caught.value, client) + logged(caplog))


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
    logs = logged(caplog)
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


def test_debug_logs_of_a_moved_portal_hold_no_secret(caplog: pytest.LogCaptureFixture) -> None:
    """httpcore logs the raw headers of every answer at DEBUG: a 302 whose Location carries the
    webhook code reaches the log masked."""
    caplog.set_level(logging.DEBUG)
    moved = f"https://new-name.bitrix24.com/rest/1/{ADMIN.code}/crm.activity.badge.get"
    with (
        run_emulator(SETTINGS, wrap=redirect_to(moved)) as portal,
        webhook(portal.base_url) as client,
        pytest.raises(PortalMoved) as caught,
    ):
        client.get("missedCall")
    logs = logged(caplog)
    assert "/rest/1/***/crm.activity.badge.get" in caught.value.location
    assert any(
        r.name.startswith("httpcore") and "location" in r.getMessage() for r in caplog.records
    )
    assert b"new-name.bitrix24.com/rest/1/***/" in logs.encode(), "the header was logged, masked"
    assert_no_secret(everything_about(caught.value, client) + logs)


MIXED_CASE = "Q0dE-MiXeD-case-S3cret"  # so that upper- and lower-case echoes differ from it

ECHOES: dict[str, Callable[[str], str]] = {
    "json-escaped": lambda text: "".join(f"\\u{ord(char):04x}" for char in text),
    "json-escaped-upper-hex": lambda text: "".join(f"\\u{ord(char):04X}" for char in text),
    "upper-case": str.upper,
    "lower-case": str.lower,
    "url-encoded": lambda text: quote(text, safe=""),
    "url-encoded-every-byte": lambda text: "".join(f"%{byte:02X}" for byte in text.encode()),
    "base64": lambda text: base64.b64encode(text.encode()).decode(),
    "base64-shifted-by-one": lambda text: base64.b64encode(b"x" + text.encode()).decode(),
    "base64-url-safe-shifted-by-two": lambda text: base64.urlsafe_b64encode(
        b"xy" + text.encode()
    ).decode(),
}


def echoing(form: Callable[[str], str]) -> Callable[[Exchange], Answer]:
    """A portal (or proxy) that fails, quoting the request target (path and query) in `form`, in
    the error description and in a header."""

    def answer(exchange: Exchange) -> Answer:
        quoted = form(f"{exchange.path}?{exchange.query.decode()}")
        body = f'{{"error": "INTERNAL_SERVER_ERROR", "error_description": "failed: {quoted}"}}'
        return 500, {"content-type": "application/json", "x-echo": quoted}, body.encode()

    return answer


@pytest.mark.parametrize("form", list(ECHOES.values()), ids=list(ECHOES))
@pytest.mark.parametrize("auth", ["webhook", "oauth"])
def test_an_echoed_secret_is_masked_in_every_form(
    caplog: pytest.LogCaptureFixture, form: Callable[[str], str], auth: str
) -> None:
    caplog.set_level(logging.DEBUG)
    with run_emulator(SETTINGS, wrap=intercepting(echoing(form))) as portal:
        if auth == "webhook":
            client = BadgeClient.from_webhook(f"{portal.base_url}/rest/4/{MIXED_CASE}/")
        else:
            client = BadgeClient.from_oauth(portal.base_url, MIXED_CASE, rate_limit=None)
        with client, pytest.raises(PortalError) as caught:
            # A GET, so that the OAuth token is in the query the portal echoes.
            client.generated.get_httpx_client().get("crm.activity.badge.list")
    error = caught.value
    decoded = json.loads(error.response.content)
    seen = [
        str(error),
        repr(error),
        error.description,
        error.response.text,
        decoded["error_description"],
        str(error.response.headers),
        logged(caplog),
    ]
    assert error.description.startswith("failed: "), "the portal's words stay readable"
    leaks.assert_no_secret("\n".join(seen), [MIXED_CASE])


def test_the_echo_detector_sees_every_form() -> None:
    """The check above means something: unmasked, each form reveals the secret."""
    for name, form in ECHOES.items():
        assert leaks.revealed(form(f"/rest/4/{MIXED_CASE}/x"), [MIXED_CASE]), name
