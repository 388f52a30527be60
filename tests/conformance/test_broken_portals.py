"""The suite against portals that break the contract in one way each: every one must end in
exit status 1 with the named violation in the report."""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.applications import Starlette

from b24_emulator import run_emulator
from tests.conformance.conftest import CODE, SETTINGS, Conformance, url_of
from tests.portals import (
    Answer,
    Double,
    Exchange,
    Wrap,
    each_badge,
    errors,
    html_errors,
    intercepting,
    json_answer,
    successes,
)

QUICK = ("--profile", "quick", "--allow-writes", "--seed", "7", "--rate-limit", "none")
TIME = {
    "start": 1.0,
    "finish": 2.0,
    "duration": 1.0,
    "processing": 0.5,
    "date_start": "1970-01-01T00:00:01+00:00",
    "date_finish": "1970-01-01T00:00:02+00:00",
}


def wrong_type(answer: dict[str, Any]) -> None:
    for badge in each_badge(answer):
        badge["type"] = "info"


def delete_does_nothing(exchange: Exchange) -> Answer | None:
    if exchange.method == "crm.activity.badge.delete":
        return json_answer(200, {"result": True, "time": TIME})
    return None


def add_loses_badge(app: Starlette) -> Double:
    def after(exchange: Exchange) -> Answer | None:
        if exchange.method == "crm.activity.badge.add" and exchange.status == 200:
            app.state.portal.store.delete(json.loads(exchange.body)["result"]["badge"]["code"])
        return None

    return Double(app, after=after)


def duplicates_accepted(app: Starlette) -> Double:
    def before(exchange: Exchange) -> Answer | None:
        code = exchange.params().get("code")
        if exchange.method == "crm.activity.badge.add" and isinstance(code, str):
            app.state.portal.store.delete(code)  # the second add of a code "works"
        return None

    return Double(app, before=before)


def credentials_ignored(exchange: Exchange) -> Answer | None:
    method = exchange.path.rstrip("/").rsplit("/", 1)[-1]
    exchange.scope["path"] = f"/rest/1/{CODE}/{method}"
    return None


def odd_input_crashes(exchange: Exchange) -> Answer | None:
    raw = exchange.request + exchange.query
    if b"\\u" in raw or b"%" in raw or any(byte > 127 for byte in raw):
        return json_answer(
            500, {"error": "INTERNAL_SERVER_ERROR", "error_description": "Internal server error"}
        )
    return None


def missing_time(answer: dict[str, Any]) -> None:
    del answer["time"]


def inconsistent_time(answer: dict[str, Any]) -> None:
    answer["time"]["duration"] = answer["time"]["duration"] + 5


def list_misses_new_badges(answer: dict[str, Any]) -> None:
    result = answer["result"]
    if isinstance(result, dict) and "badges" in result:
        result["badges"] = [b for b in result["badges"] if not b["code"].startswith("b24ct-")]
        answer["total"] = len(result["badges"])


BROKEN: list[Any] = [
    pytest.param(successes(wrong_type), "Response violates schema", id="wrong-badge-type"),
    pytest.param(successes(missing_time), "HTTP 200 without time", id="missing-time"),
    pytest.param(
        errors(lambda status, body: json_answer(200, body)),
        "answered with HTTP 200",
        id="error-answered-with-200",
    ),
    pytest.param(html_errors(502), "body that is not a JSON object", id="html-error-page"),
    pytest.param(
        intercepting(delete_does_nothing),
        "after its delete",
        id="delete-does-nothing",
    ),
    pytest.param(add_loses_badge, "was added, but get answers NOT_FOUND", id="add-loses-the-badge"),
    pytest.param(
        duplicates_accepted, "succeeded although that code exists", id="duplicate-code-accepted"
    ),
    pytest.param(
        intercepting(credentials_ignored), "credentials must be refused", id="credentials-ignored"
    ),
    pytest.param(intercepting(odd_input_crashes), "Server error", id="500-on-odd-input"),
    pytest.param(successes(inconsistent_time), "time.duration is", id="inconsistent-time"),
    pytest.param(
        successes(list_misses_new_badges),
        "but list does not return it",
        id="list-misses-added-badges",
    ),
]


@pytest.mark.parametrize(("wrap", "violation"), BROKEN)
def test_a_broken_portal_is_caught(conformance: Conformance, wrap: Wrap, violation: str) -> None:
    with run_emulator(SETTINGS, wrap=wrap) as portal:
        run = conformance("--base-url", url_of(portal), *QUICK)
    assert run.status == 1, run.stdout + run.stderr
    assert "DOES NOT CONFORM" in run.summary
    assert violation in run.summary, run.summary
    assert violation in run.stdout
