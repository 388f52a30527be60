"""A portal with every kind of caller the emulator's tests need, served over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from b24_emulator import OAuthToken, RunningEmulator, Settings, Webhook, run_emulator

ADMIN = Webhook(1, "admin-hook-code")
NON_ADMIN = Webhook(2, "user-hook-code")
NO_CRM_SCOPE = Webhook(3, "profile-hook-code", frozenset({"user"}))
TOKEN = OAuthToken("good-access-token", 1)
EXPIRED = OAuthToken("expired-access-token", 1, expires_at=0.0)

SETTINGS = Settings(
    webhooks=(ADMIN, NON_ADMIN, NO_CRM_SCOPE),
    tokens=(TOKEN, EXPIRED),
    non_admins=frozenset({2}),
    rate_limit=None,
)


@dataclass
class Portal:
    """Calls one emulated portal the way a client would."""

    emulator: RunningEmulator
    http: httpx.Client

    def call(
        self, method: str, hook: Webhook | None = ADMIN, verb: str = "POST", **kwargs: Any
    ) -> httpx.Response:
        base = self.emulator.webhook_url(hook) if hook else self.emulator.oauth_url
        return self.http.request(verb, base + method, **kwargs)

    def add(self, code: str, **fields: Any) -> httpx.Response:
        badge = {"code": code, "title": "Title", "value": "Value", "type": "success", **fields}
        return self.call("crm.activity.badge.add", json=badge)

    def codes(self) -> list[str]:
        answer = self.call("crm.activity.badge.list").json()
        return [badge["code"] for badge in answer["result"]["badges"]]


def run_portal(settings: Settings) -> Iterator[Portal]:
    with run_emulator(settings) as emulator, httpx.Client(timeout=10) as http:
        yield Portal(emulator, http)


@pytest.fixture(scope="module")
def shared_portal() -> Iterator[Portal]:
    yield from run_portal(SETTINGS)


@pytest.fixture
def portal(shared_portal: Portal) -> Portal:
    """The module's portal, reset to a fresh start for each test."""
    shared_portal.emulator.reset()
    return shared_portal


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.headers["content-type"].startswith("application/json"), response.text
    body: dict[str, Any] = response.json()
    assert (response.status_code, body.get("error")) == (status, code), body
    assert isinstance(body["error_description"], str)
    assert "result" not in body
    return body


def assert_result(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) >= {"result", "time"}, body
    return body["result"]
