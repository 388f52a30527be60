"""Every documented error arrives as an exception a caller can catch by type."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import httpx
import pytest

from b24_badge_client import (
    AccessDenied,
    AuthenticationError,
    B24Error,
    BadgeClient,
    BitrixError,
    ExpiredToken,
    InvalidArguments,
    MethodNotFound,
    NotFound,
    OperationTimeLimit,
    PortalMoved,
    QueryLimitExceeded,
    RetryPolicy,
    UnexpectedResponse,
)
from b24_emulator import RateLimit, RunningEmulator, Webhook, run_emulator
from tests.client.conftest import ADMIN, EXPIRED, NO_SCOPE, NON_ADMIN, SETTINGS, TOKEN
from tests.portals import each_badge, gzipped, html_errors, redirect_to, successes

NO_RETRY = RetryPolicy(max_retries=0)


def hook_client(emulator: RunningEmulator, hook: Webhook = ADMIN, **options: Any) -> BadgeClient:
    return BadgeClient.from_webhook(emulator.webhook_url(hook), rate_limit=None, **options)


def test_not_found_keeps_code_description_status_and_response(client: BadgeClient) -> None:
    with pytest.raises(NotFound) as caught:
        client.get("nope")
    error = caught.value
    assert (error.code, error.description, error.status_code) == ("NOT_FOUND", "Not found.", 400)
    assert error.response.json() == {"error": "NOT_FOUND", "error_description": "Not found."}
    assert isinstance(error, BitrixError)
    assert isinstance(error, B24Error)


def test_delete_of_an_unknown_badge(client: BadgeClient) -> None:
    with pytest.raises(NotFound):
        client.delete("nope")


def test_a_duplicate_code_is_a_bitrix_error_with_the_portals_code(client: BadgeClient) -> None:
    with pytest.raises(BitrixError) as caught:
        client.add("missedCall", "T", "V", "success")
    assert caught.value.code == "ERROR_BADGE_ALREADY_EXISTS"
    assert type(caught.value) is BitrixError  # a code the client has no class for


def test_a_non_admin_may_not_add(emulator: RunningEmulator) -> None:
    with hook_client(emulator, NON_ADMIN) as client, pytest.raises(AccessDenied) as caught:
        client.add("x", "T", "V", "success")
    assert caught.value.status_code == 403


@pytest.mark.parametrize(
    ("hook", "code"),
    [(Webhook(1, "wrong-code"), "INVALID_CREDENTIALS"), (NO_SCOPE, "insufficient_scope")],
)
def test_refused_credentials(emulator: RunningEmulator, hook: Webhook, code: str) -> None:
    with hook_client(emulator, hook) as client, pytest.raises(AuthenticationError) as caught:
        client.list()
    assert (caught.value.code, caught.value.status_code) == (code, 401)


def test_an_expired_token_without_refresher(emulator: RunningEmulator) -> None:
    with (
        BadgeClient.from_oauth(emulator.base_url, EXPIRED.token, rate_limit=None) as client,
        pytest.raises(ExpiredToken) as caught,
    ):
        client.list()
    assert caught.value.status_code == 401
    assert isinstance(caught.value, AuthenticationError)


def test_invalid_arguments(client: BadgeClient) -> None:
    with pytest.raises(InvalidArguments) as caught:
        client.add("x", "", "V", "success")
    assert caught.value.code == "REQUIRED_ARG_MISSING"


def test_an_unknown_badge_type_is_refused_before_sending(client: BadgeClient) -> None:
    with pytest.raises(ValueError, match="'info' is not a valid BadgeType"):
        client.add("x", "T", "V", "info")  # type: ignore[arg-type]


def test_unknown_method(client: BadgeClient) -> None:
    with pytest.raises(MethodNotFound) as caught:
        client.generated.get_httpx_client().post("crm.activity.badge.update", json={})
    assert caught.value.status_code == 404


def test_query_limit_exceeded_after_the_retries(emulator: RunningEmulator) -> None:
    strict = replace(SETTINGS, rate_limit=RateLimit(burst=1, per_second=0.001))
    with run_emulator(strict) as portal, hook_client(portal, retry=NO_RETRY) as client:
        client.list()
        with pytest.raises(QueryLimitExceeded) as caught:
            client.list()
    assert caught.value.status_code == 503


def test_operation_time_limit_after_the_waits(emulator: RunningEmulator) -> None:
    heavy = replace(SETTINGS, operating_limit=0.5, operating_cost=1.0)
    with run_emulator(heavy) as portal, hook_client(portal, retry=NO_RETRY) as client:
        client.list()
        with pytest.raises(OperationTimeLimit) as caught:
            client.list()
    assert caught.value.status_code == 429


@pytest.fixture
def wrong_type_portal() -> Iterator[RunningEmulator]:
    def info(answer: dict[str, Any]) -> None:
        for badge in each_badge(answer):
            badge["type"] = "info"  # a colour Bitrix might add one day

    with run_emulator(SETTINGS, wrap=successes(info)) as portal:
        yield portal


def test_an_unknown_badge_type_in_an_answer_keeps_the_response(
    wrong_type_portal: RunningEmulator,
) -> None:
    with hook_client(wrong_type_portal) as client, pytest.raises(UnexpectedResponse) as caught:
        client.get("missedCall")
    error = caught.value
    assert "does not fit the contract" in str(error)
    assert "'info' is not a valid BadgeType" in str(error)
    assert error.status_code == 200
    assert error.response.json()["result"]["badge"]["type"] == "info"


def test_an_html_error_page_keeps_status_and_body() -> None:
    with (
        run_emulator(SETTINGS, wrap=html_errors(502)) as portal,
        hook_client(portal) as client,
        pytest.raises(UnexpectedResponse) as caught,
    ):
        client.get("nope")
    error = caught.value
    assert error.status_code == 502
    assert "not JSON (text/html)" in str(error)
    assert b"<h1>502 Bad Gateway</h1>" in error.content


def test_a_moved_portal_is_not_followed() -> None:
    target = "https://new-name.bitrix24.com/rest/1/client-admin-code/crm.activity.badge.get"
    with (
        run_emulator(SETTINGS, wrap=redirect_to(target)) as portal,
        hook_client(portal) as client,
        pytest.raises(PortalMoved) as caught,
    ):
        client.get("missedCall")
    assert (
        caught.value.location == "https://new-name.bitrix24.com/rest/1/***/crm.activity.badge.get"
    )


def test_an_unreachable_portal_is_an_httpx_connect_error() -> None:
    with (
        BadgeClient.from_webhook("http://127.0.0.1:9/rest/1/abc/", rate_limit=None) as client,
        pytest.raises(httpx.ConnectError),
    ):
        client.list()


def test_compressed_answers_are_read_and_errors_typed() -> None:
    with run_emulator(SETTINGS, wrap=gzipped) as portal, hook_client(portal) as client:
        assert client.get("missedCall").code == "missedCall"
        with pytest.raises(NotFound) as caught:
            client.get("nope")
    assert caught.value.response.json()["error"] == "NOT_FOUND"


def revoked() -> str:
    raise ValueError("the refresh token was revoked")


def call_with_a_failing_refresher(emulator: RunningEmulator) -> None:
    """A call whose token expired and whose refresher fails: the refresher's error must come
    out as it is."""
    with (
        BadgeClient.from_oauth(
            emulator.base_url, EXPIRED.token, refresh=revoked, rate_limit=None
        ) as client,
        pytest.raises(ValueError, match="the refresh token was revoked"),
    ):
        client.get("missedCall")


def test_an_exception_while_sending_is_raised_as_it_is(emulator: RunningEmulator) -> None:
    """A refresher that fails is the refresher's error, not the answer of an earlier call.

    The earlier call (list) leaves an answer behind; the failing call (get) must not be reported
    as an unreadable answer of list.
    """
    with hook_client(emulator) as earlier:
        earlier.list()
    call_with_a_failing_refresher(emulator)


def test_an_exception_while_sending_a_first_call_is_raised_as_it_is(
    emulator: RunningEmulator,
) -> None:
    """Nor, with no earlier answer at all, an assertion about response hooks."""
    contextvars.Context().run(call_with_a_failing_refresher, emulator)


def test_an_async_refresher_is_refused_by_the_sync_client(emulator: RunningEmulator) -> None:
    async def refresh() -> str:
        return TOKEN.token

    with pytest.raises(TypeError, match="AsyncBadgeClient"):
        BadgeClient.from_oauth(emulator.base_url, EXPIRED.token, refresh=refresh)  # type: ignore[arg-type]


def test_a_refresher_returning_an_awaitable_is_a_clear_type_error(
    emulator: RunningEmulator,
) -> None:
    async def new_token() -> str:
        return TOKEN.token

    def refresh() -> Any:  # a plain function that returns a coroutine: typed Any, as untyped code
        return new_token()

    with (
        BadgeClient.from_oauth(
            emulator.base_url, EXPIRED.token, refresh=refresh, rate_limit=None
        ) as client,
        pytest.raises(TypeError, match="AsyncBadgeClient"),
    ):
        client.get("missedCall")
