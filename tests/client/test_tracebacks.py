"""No secret in a traceback that shows the locals of every frame.

`traceback.TracebackException(..., capture_locals=True)` and pytest's `--showlocals` print the
repr of every local of every frame, chained causes and contexts included. Each scenario fails a
call while the request is on the wire (a timeout, a refused connection, a body cut at the cap or
the deadline) or on its answer, with a webhook code and with an OAuth token, and renders the
exception both ways.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import httpx
import pytest
from starlette.types import ASGIApp

from b24_badge_client import B24Error, BadgeClient, DeadlineExceeded, RateLimit, RetryPolicy
from b24_emulator import run_emulator
from tests.client import leaks
from tests.client.conftest import ADMIN, EXPIRED, SECRETS, SETTINGS, TOKEN
from tests.client.doubles import endless, portal, streaming, ticking, trickle
from tests.portals import Slow, Wrap, always

ECHO_500 = always(
    500, {"error": "INTERNAL_SERVER_ERROR", "error_description": "failed:"}, echo=True
)


def rendered(error: BaseException) -> str:
    """The exception as capture_locals and as pytest --showlocals show it."""
    with_locals = traceback.TracebackException.from_exception(error, capture_locals=True)
    pytest_view = pytest.ExceptionInfo.from_exception(error).getrepr(
        showlocals=True, style="long", chain=True, truncate_locals=False
    )
    return "".join(with_locals.format()) + "\n" + str(pytest_view)


Client = Callable[[str], BadgeClient]


def webhook(**options: Any) -> Client:
    options = {"rate_limit": None, **options}
    return lambda base: BadgeClient.from_webhook(
        f"{base}/rest/{ADMIN.user_id}/{ADMIN.code}/", **options
    )


def oauth(token: str = TOKEN.token, **options: Any) -> Client:
    return lambda base: BadgeClient.from_oauth(base, token, rate_limit=None, **options)


def json_post(client: BadgeClient) -> object:
    return client.list()


def get_request(client: BadgeClient) -> object:
    """A GET: the OAuth token travels in the query string, the webhook code in the path."""
    return client.generated.get_httpx_client().get("crm.activity.badge.list")


Serve = Callable[[], AbstractContextManager[str]]


def emulator(wrap: Wrap | None = None) -> Serve:
    """The emulator, wrapped: serves it and gives its base URL."""

    @contextmanager
    def serve() -> Iterator[str]:
        with run_emulator(SETTINGS, wrap=wrap) as running:
            yield running.base_url

    return serve


def bare(app: ASGIApp) -> Serve:
    """A bare ASGI app in place of the portal."""

    @contextmanager
    def serve() -> Iterator[str]:
        with portal(app) as url:
            yield url.split("/rest/")[0]

    return serve


SLOW = emulator(lambda app: Slow(app, 1.0))

SCENARIOS = {
    "webhook-timeout": (SLOW, webhook(timeout=0.2), json_post),
    "oauth-timeout": (SLOW, oauth(timeout=0.2), json_post),
    "oauth-get-timeout": (SLOW, oauth(timeout=0.2), get_request),
    "webhook-deadline": (SLOW, webhook(deadline=0.2), get_request),
    "oauth-deadline": (SLOW, oauth(deadline=0.2), get_request),
    "webhook-500-echo": (emulator(ECHO_500), webhook(), json_post),
    "oauth-500-echo": (emulator(ECHO_500), oauth(), get_request),
    "oauth-expired": (emulator(), oauth(EXPIRED.token), get_request),
    "webhook-size-cap": (bare(streaming(endless)), webhook(max_response_size=2**20), get_request),
    "oauth-size-cap": (bare(streaming(endless)), oauth(max_response_size=2**20), get_request),
    "webhook-trickle": (bare(streaming(trickle)), webhook(clock=ticking(10.0)), get_request),
    "oauth-trickle": (bare(streaming(trickle)), oauth(clock=ticking(10.0)), get_request),
}


@pytest.mark.parametrize(("serve", "make_client", "call"), SCENARIOS.values(), ids=SCENARIOS)
def test_no_secret_in_any_frame(
    serve: Serve, make_client: Client, call: Callable[[BadgeClient], object]
) -> None:
    with (
        serve() as base,
        make_client(base) as client,
        pytest.raises((B24Error, httpx.HTTPError)) as caught,
    ):
        call(client)
    text = rendered(caught.value)
    assert "client = BadgeClient(" in text, "the locals were shown"
    leaks.assert_no_secret(text, SECRETS)


def test_a_connection_refused_shows_no_secret_in_any_frame() -> None:
    with (
        webhook()("http://127.0.0.1:9") as client,  # the test's own frame must hold no secret
        pytest.raises(httpx.ConnectError) as caught,
    ):
        get_request(client)
    leaks.assert_no_secret(rendered(caught.value), SECRETS)


def test_no_echoed_answer_in_the_frames_of_a_later_failure() -> None:
    """A 503 that echoes the request, then the deadline ends the call before the retry: the
    503's body must not linger in any frame."""
    qle = {"error": "QUERY_LIMIT_EXCEEDED", "error_description": "busy:"}
    paced = RateLimit(burst=1, per_second=0.01)  # the retry's turn is 100 s away
    with (
        emulator(always(503, qle, echo=True))() as base,
        webhook(rate_limit=paced, retry=RetryPolicy(backoff=0.0), deadline=60.0)(base) as client,
        pytest.raises(DeadlineExceeded, match="before its turn") as caught,
    ):
        json_post(client)
    leaks.assert_no_secret(rendered(caught.value), SECRETS)
