"""Principles 2, 3, 5, 6 and 7 of the suite, each shown with a portal double.

* what the contract accepts must be accepted (a portal refusing a valid encoding: exit 1);
* credentials are bound to their user, and limits are probed (exit 1 when they are not);
* a portal that cannot be checked ends quickly with exit 2 and the reason;
* the suite never harms a portal, even a broken one (the customer's badges, checked after
  every run by the `against` fixture);
* quirks of real portals raise no false alarm (exit 0).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.conformance.conftest import CODE, Run
from tests.portals import (
    Answer,
    Exchange,
    Slow,
    always,
    deletes_everything_without_a_code,
    errors,
    intercepting,
    json_answer,
    redirect_to,
    refusing,
)


def ignores_the_user_id(exchange: Exchange) -> Answer | None:
    exchange.scope["path"] = re.sub(r"^/rest/\d+/", "/rest/1/", exchange.path)
    return None


def content_type(exchange: Exchange) -> bytes:
    return bytes(dict(exchange.scope["headers"]).get(b"content-type", b""))


def crashes_on_long_codes(exchange: Exchange) -> Answer | None:
    code = exchange.params().get("code")
    if isinstance(code, str) and len(code) > 255:
        return json_answer(
            500, {"error": "INTERNAL_SERVER_ERROR", "error_description": "Data too long"}
        )
    return None


CAUGHT: list[Any] = [
    pytest.param(
        refusing("crm.activity.badge.add", lambda exchange: exchange.scope["method"] == "GET"),
        "a valid crm.activity.badge.add call was refused",
        id="refuses-get-adds",
    ),
    pytest.param(
        refusing(
            "crm.activity.badge.get",
            lambda e: b"form" in dict(e.scope["headers"]).get(b"content-type", b""),
        ),
        "a valid crm.activity.badge.get call was refused",
        id="refuses-form-gets",
    ),
    pytest.param(
        intercepting(ignores_the_user_id), "sent as user 2's", id="code-not-bound-to-user"
    ),
    pytest.param(
        intercepting(crashes_on_long_codes), "never a server error", id="500-on-long-codes"
    ),
]


@pytest.mark.parametrize(("wrap", "violation"), CAUGHT)
def test_a_deviation_is_caught(against: Callable[..., Run], wrap: Any, violation: str) -> None:
    run = against(wrap)
    assert run.status == 1, run.stdout + run.stderr
    assert violation in run.summary, run.summary


def test_long_codes_are_probed_by_a_read_only_run(against: Callable[..., Run]) -> None:
    run = against(intercepting(crashes_on_long_codes), read_only=True)
    assert run.status == 1, run.stdout + run.stderr
    assert "get of a 300-character code" in run.summary


GIVE_UP: list[Any] = [
    pytest.param(
        redirect_to(f"https://new.example/rest/1/{CODE}/"),
        "the portal moved (HTTP 302, Location: https://new.example/rest/1/***/)",
        id="moved",
    ),
    pytest.param(
        always(503, {"error": "OVERLOAD_LIMIT", "error_description": "Portal blocked"}),
        "the portal is unavailable (HTTP 503 OVERLOAD_LIMIT: Portal blocked)",
        id="overloaded",
    ),
]


@pytest.mark.parametrize(("wrap", "reason"), GIVE_UP)
def test_a_portal_that_cannot_be_checked_ends_with_exit_2(
    against: Callable[..., Run], wrap: Any, reason: str
) -> None:
    started = time.monotonic()
    run = against(wrap)
    assert run.status == 2, run.stdout + run.stderr
    assert reason in run.stderr
    assert CODE not in run.stdout + run.stderr
    assert time.monotonic() - started < 120  # generous: it is one request


def test_the_run_deadline_ends_a_run_with_exit_2(against: Callable[..., Run]) -> None:
    run = against(lambda app: Slow(app, 0.05), "--deadline", "1")
    assert run.status == 2, run.stdout + run.stderr
    assert "the run's deadline passed (1 s)" in run.stdout
    assert "LEFT BEHIND" not in run.stdout  # the cleanup has its own time


def test_a_delete_without_code_never_reaches_a_portal(against: Callable[..., Run]) -> None:
    """A portal that deletes everything on `delete {}`: the customer's badges survive (the
    `against` fixture checks them), because that probe goes only to the bundled emulator."""
    run = against(deletes_everything_without_a_code)
    assert run.status == 0, run.stdout + run.stderr


def russian_or_empty_texts(status: int, body: dict[str, Any]) -> Answer:
    text = "" if body.get("error") == "NOT_FOUND" else "Доступ запрещён или неверные данные"
    return json_answer(status, {**body, "error_description": text})


def invalid_credentials_as_403(status: int, body: dict[str, Any]) -> Answer | None:
    if body.get("error") == "INVALID_CREDENTIALS":
        return json_answer(403, body)
    return None


QUIRKS: list[Any] = [
    pytest.param(errors(russian_or_empty_texts), id="russian-or-empty-error-texts"),
    pytest.param(errors(invalid_credentials_as_403), id="invalid-credentials-as-403"),
    pytest.param(lambda app: Slow(app, 0.01), id="slow-answers"),
]


@pytest.mark.parametrize("wrap", QUIRKS)
def test_a_real_portal_quirk_raises_no_false_alarm(against: Callable[..., Run], wrap: Any) -> None:
    run = against(wrap)
    assert run.status == 0, run.stdout + run.stderr
    assert "**CONFORMS**" in run.summary
