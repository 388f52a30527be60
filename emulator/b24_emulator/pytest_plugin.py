"""pytest fixtures for teams that test against the emulator in their own suites.

Installing b24-emulator registers this plugin (its `pytest11` entry point), so no conftest line
is needed:

    def test_badges(b24_emulator):
        url = b24_emulator.webhook_url() + "crm.activity.badge.list"

Override `b24_emulator_settings` to configure the portal, and `b24_emulator_tls` (return True)
for HTTPS from a throwaway CA whose bundle is `b24_emulator.ca_bundle`. The default has one admin
webhook, the seed badge and no rate limit, so a test suite is not throttled by the cloud's 2
requests/second.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from b24_emulator.config import Settings, Webhook
from b24_emulator.server import RunningEmulator, run_emulator


@pytest.fixture
def b24_emulator_settings() -> Settings:
    """The portal each test gets; override this fixture to configure it."""
    return Settings(webhooks=(Webhook.generate(),), rate_limit=None)


@pytest.fixture
def b24_emulator_tls() -> bool:
    """Override to return True for HTTPS; `b24_emulator.ca_bundle` is then the file to trust."""
    return False


@pytest.fixture
def b24_emulator(
    b24_emulator_settings: Settings, b24_emulator_tls: bool
) -> Iterator[RunningEmulator]:
    """A fresh portal per test, on a free loopback port."""
    with run_emulator(b24_emulator_settings, tls=b24_emulator_tls) as emulator:
        yield emulator
