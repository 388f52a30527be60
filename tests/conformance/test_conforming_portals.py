"""The suite against portals that vary within the contract: every one must pass (exit 0).

A conformance suite is only worth what it catches without crying wolf.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pytest

from b24_emulator import MISSED_CALL, Badge, RateLimit, Settings, run_emulator
from tests.client.conftest import FakeTime
from tests.conformance.conftest import SETTINGS, Conformance, url_of
from tests.conformance.test_broken_portals import QUICK
from tests.portals import Answer, Wrap, each_badge, errors, gzipped, json_answer, successes


def extra_fields(answer: dict[str, Any]) -> None:
    answer["debug"] = {"node": 3}
    answer["time"]["memory"] = 12.5
    if isinstance(answer["result"], dict):
        answer["result"]["extra"] = []
    for badge in each_badge(answer):
        badge["sort"] = 100


def without_operating(answer: dict[str, Any]) -> None:
    answer["time"].pop("operating", None)  # a batch's own time has none
    answer["time"].pop("operating_reset_at", None)


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
    """The portal's leaky bucket and the run's pacing and retries on one fake clock: a strict
    rate limit is kept or ridden out without waiting for it."""
    fake = FakeTime()
    with run_emulator(replace(settings, clock=fake.clock), wrap=wrap) as portal:
        run = conformance("--base-url", url_of(portal), *QUICK, *options, clock=fake.as_clock())
    assert run.status == 0, run.stdout + run.stderr
    if settings.rate_limit is not None:
        assert sum(fake.sleeps) > 0, "the run waited for the portal's rate limit"
    assert "**CONFORMS**" in run.summary
    assert re.search(r"cleanup: \d+ badge\(s\) of this run deleted", run.summary)
    assert "LEFT BEHIND" not in run.summary
    assert "FAILED" not in run.summary
