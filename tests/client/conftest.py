"""The client against an emulated portal over real HTTP."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from b24_badge_client import BadgeClient, Clock
from b24_emulator import OAuthToken, RunningEmulator, Settings, Webhook, run_emulator

ADMIN = Webhook(1, "client-admin-code")
NON_ADMIN = Webhook(2, "client-user-code")
NO_SCOPE = Webhook(3, "client-noscope-code", frozenset({"user"}))
TOKEN = OAuthToken("client-good-token", 1)
EXPIRED = OAuthToken("client-expired-token", 1, expires_at=0.0)
SECRETS = [hook.code for hook in (ADMIN, NON_ADMIN, NO_SCOPE)] + [TOKEN.token, EXPIRED.token]

SETTINGS = Settings(
    webhooks=(ADMIN, NON_ADMIN, NO_SCOPE),
    tokens=(TOKEN, EXPIRED),
    non_admins=frozenset({2}),
    rate_limit=None,
)


@pytest.fixture(scope="module")
def shared_emulator() -> Iterator[RunningEmulator]:
    with run_emulator(SETTINGS) as emulator:
        yield emulator


@pytest.fixture
def emulator(shared_emulator: RunningEmulator) -> RunningEmulator:
    shared_emulator.reset()
    return shared_emulator


@pytest.fixture
def client(emulator: RunningEmulator) -> Iterator[BadgeClient]:
    with BadgeClient.from_webhook(emulator.webhook_url(ADMIN), rate_limit=None) as client:
        yield client


class FakeTime:
    """A clock the test controls: `sleep` records the wait and moves the clock on."""

    def __init__(self, now: float = 10_000.0) -> None:
        self.now = now
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)

    def as_clock(
        self,
        wall: Callable[[], float] | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> Clock:
        """The client's Clock on this fake time (`wall` and `sleep` replaceable)."""
        return Clock(
            monotonic=self.clock,
            wall=wall or self.clock,
            sleep=sleep or self.sleep,
            async_sleep=self.async_sleep,
        )
