"""The suite inside a user's own pytest: `-p b24_conformance.plugin` and its options.

In process: `pytest.main` runs the suite package against an in-thread portal, as a pytest user
would from their own test run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from b24_emulator import OAuthToken, Settings, run_emulator
from b24_spec.methods import ADD
from tests.conformance.conftest import SETTINGS, run_pytest, url_of
from tests.portals import Counting, successes

QUICK = ("--b24-profile", "quick", "--b24-rate-limit", "none", "--b24-seed", "3")


def test_a_read_only_run_inside_pytest_deselects_the_writing_tests(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    counts: dict[str, int] = {}
    with run_emulator(SETTINGS, wrap=lambda app: Counting(app, counts)) as portal:
        status, out = run_pytest("--b24-base-url", url_of(portal), *QUICK)
    assert status == 0, out
    assert "deselected" in out
    assert counts.get(ADD, 0) == 0
    assert "b24-conformance: CONFORMS" in out


def test_writes_inside_pytest_clean_up_and_violations_fail_the_tests(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)

    def without_time(answer: dict[str, object]) -> None:
        del answer["time"]

    with run_emulator(SETTINGS, wrap=successes(without_time)) as portal:
        status, out = run_pytest("--b24-base-url", url_of(portal), "--b24-allow-writes", *QUICK)
        left = [b.code for b in portal.portal.store.list() if b.code.startswith("b24ct-")]
    assert status == 1, out
    assert "HTTP 200 without time" in out
    assert "DOES NOT CONFORM" in out
    assert left == []


def test_a_portal_that_refuses_the_webhook_stops_the_session(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    with run_emulator(SETTINGS) as portal:
        wrong = portal.webhook_url().rsplit("/", 2)[0] + "/nope/"
        status, out = run_pytest("--b24-base-url", wrong, *QUICK)
    assert status == 2, out
    assert "refused the webhook code (HTTP 401 INVALID_CREDENTIALS" in out


def test_an_oauth_application_inside_pytest(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    token = "plug1n-0auth-t0ken"
    monkeypatch.setenv("B24_ACCESS_TOKEN", token)
    settings = Settings(tokens=(OAuthToken(token, 1),), rate_limit=None)
    with run_emulator(settings) as portal:
        status, out = run_pytest("--b24-oauth", portal.base_url, *QUICK)
    assert status == 0, out
    assert "(OAuth application)" in out
    assert "b24-conformance: CONFORMS" in out
    assert token not in out
