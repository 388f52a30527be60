"""The suite against portals that break the contract in one way each, and ones that do not.

Every broken variant must end in exit status 1 with the named violation in the report; every
conforming variant (portals vary within the contract) in exit status 0: a conformance suite is
only worth what it catches without crying wolf.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

import pytest
from starlette.applications import Starlette

from b24_emulator import MISSED_CALL, Badge, RateLimit, Settings, run_emulator
from tests.conformance.conftest import CODE, SETTINGS, Conformance, url_of
from tests.portals import (
    Answer,
    Double,
    Exchange,
    Wrap,
    each_badge,
    errors,
    gzipped,
    html_errors,
    intercepting,
    json_answer,
    successes,
)

pytestmark = pytest.mark.slow  # each test runs b24-conformance as a separate process

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


def extra_fields(answer: dict[str, Any]) -> None:
    answer["debug"] = {"node": 3}
    answer["time"]["memory"] = 12.5
    if isinstance(answer["result"], dict):
        answer["result"]["extra"] = []
    for badge in each_badge(answer):
        badge["sort"] = 100


def without_operating(answer: dict[str, Any]) -> None:
    answer["time"].pop("operating")
    answer["time"].pop("operating_reset_at")


def not_found_as_404(status: int, body: dict[str, Any]) -> Answer | None:
    return json_answer(404, body) if body.get("error") == "NOT_FOUND" else None


LOCALIZED = (
    MISSED_CALL,
    Badge("alarm", {"ru": "Внимание", "en": "Alarm", "de": "Achtung"}, {"en": "!"}, "warning"),
)

CONFORMING: list[Any] = [
    pytest.param(SETTINGS, successes(extra_fields), (), id="extra-fields"),
    pytest.param(replace(SETTINGS, seed=LOCALIZED), None, (), id="localized-titles"),
    pytest.param(SETTINGS, successes(without_operating), (), id="no-operating-fields"),
    pytest.param(SETTINGS, errors(not_found_as_404), (), id="not-found-as-404"),
    pytest.param(SETTINGS, gzipped, (), id="gzip-compressed"),
    pytest.param(
        replace(SETTINGS, rate_limit=RateLimit(burst=10, per_second=10.0)),
        None,
        ("--rate-limit", "10/10"),
        id="strict-rate-limit-paced",
    ),
    pytest.param(
        replace(SETTINGS, rate_limit=RateLimit(burst=10, per_second=10.0)),
        None,
        ("--rate-limit", "none"),
        id="strict-rate-limit-retried",
    ),
]


@pytest.mark.parametrize(("settings", "wrap", "options"), CONFORMING)
def test_a_conforming_portal_passes(
    conformance: Conformance, settings: Settings, wrap: Wrap | None, options: tuple[str, ...]
) -> None:
    with run_emulator(settings, wrap=wrap) as portal:
        run = conformance("--base-url", url_of(portal), *QUICK, *options)
    assert run.status == 0, run.stdout + run.stderr
    assert "**CONFORMS**" in run.summary
    assert re.search(r"cleanup: \d+ badge\(s\) of this run deleted\n", run.summary)
