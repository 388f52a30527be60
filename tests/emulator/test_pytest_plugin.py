"""The pytest fixtures other teams use (registered in tests/conftest.py as they would)."""

from __future__ import annotations

import httpx
import pytest

from b24_emulator import RunningEmulator, Settings, Webhook

LIST = "crm.activity.badge.list"


def test_the_default_portal_is_not_throttled(b24_emulator: RunningEmulator) -> None:
    with httpx.Client() as http:
        for _ in range(60):  # more than the cloud burst of 50
            response = http.post(b24_emulator.webhook_url() + LIST)
            assert response.status_code == 200
    assert response.json()["result"]["badges"][0]["code"] == "missedCall"


class TestSettingsOverride:
    @pytest.fixture
    def b24_emulator_settings(self) -> Settings:
        return Settings(webhooks=(Webhook(5, "fixture-code"),), rate_limit=None, seed=())

    def test_the_portal_takes_the_settings(self, b24_emulator: RunningEmulator) -> None:
        assert b24_emulator.webhook_url().endswith("/rest/5/fixture-code/")
        assert httpx.post(b24_emulator.webhook_url() + LIST).json()["result"]["badges"] == []

    def test_secrets_stay_out_of_reprs(self, b24_emulator: RunningEmulator) -> None:
        assert "fixture-code" not in repr(b24_emulator.settings)
