"""Every operation, both auth styles, sync and async, against the emulator over HTTP."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from b24_badge_client import (
    AsyncBadgeClient,
    Badge,
    BadgeClient,
    BadgeType,
    LanguageMap,
    NotFound,
)
from b24_emulator import RunningEmulator
from tests.client.conftest import TOKEN


def test_get_returns_a_typed_badge(client: BadgeClient) -> None:
    badge = client.get("missedCall")
    assert isinstance(badge, Badge)
    assert (badge.code, badge.title, badge.value) == ("missedCall", "Статус звонка", "Пропущен")
    assert badge.type_ is BadgeType.FAILURE


def test_add_with_strings_and_language_maps(client: BadgeClient) -> None:
    badge = client.add("b1", {"ru": "Внимание", "en": "Alarm"}, "!", "warning")
    assert isinstance(badge.title, LanguageMap)
    assert badge.title.to_dict() == {"ru": "Внимание", "en": "Alarm"}
    assert (badge.value, badge.type_) == ("!", BadgeType.WARNING)
    again = client.get("b1")
    assert again.to_dict() == badge.to_dict()


def test_list_returns_every_badge(client: BadgeClient) -> None:
    client.add("b2", "T", "V", BadgeType.PRIMARY)
    assert [badge.code for badge in client.list()] == ["missedCall", "b2"]


def test_delete_removes_the_badge(client: BadgeClient) -> None:
    client.add("b3", "T", "V", "secondary")
    client.delete("b3")
    with pytest.raises(NotFound):
        client.get("b3")


def test_oauth_token_travels_as_auth(emulator: RunningEmulator) -> None:
    with BadgeClient.from_oauth(emulator.base_url, TOKEN.token, rate_limit=None) as client:
        assert client.get("missedCall").code == "missedCall"
        client.add("o1", "T", "V", "success")
        assert [b.code for b in client.list()] == ["missedCall", "o1"]
        client.delete("o1")


def test_the_async_client_does_the_same(emulator: RunningEmulator) -> None:
    async def scenario() -> list[str]:
        async with AsyncBadgeClient.from_webhook(emulator.webhook_url(), rate_limit=None) as client:
            await client.add("a1", {"en": "Async"}, "A", "primary")
            assert (await client.get("a1")).code == "a1"
            codes = [badge.code for badge in await client.list()]
            await client.delete("a1")
            with pytest.raises(NotFound):
                await client.delete("a1")
            return codes

    assert asyncio.run(scenario()) == ["missedCall", "a1"]


def test_async_oauth(emulator: RunningEmulator) -> None:
    async def scenario() -> str:
        async with AsyncBadgeClient.from_oauth(
            emulator.base_url, TOKEN.token, rate_limit=None
        ) as client:
            return (await client.get("missedCall")).code

    assert asyncio.run(scenario()) == "missedCall"


def test_the_generated_api_is_reachable_with_the_same_behaviour(client: BadgeClient) -> None:
    from b24_badge_client._generated.api.badges import crm_activity_badge_get
    from b24_badge_client._generated.models import BadgeCodeRequest, BadgeResponse

    answer = crm_activity_badge_get.sync(
        client=client.generated, body=BadgeCodeRequest("missedCall")
    )
    assert isinstance(answer, BadgeResponse)
    assert answer.time.date_start.utcoffset() is not None
    with pytest.raises(NotFound):
        crm_activity_badge_get.sync(client=client.generated, body=BadgeCodeRequest("nope"))


def test_a_malformed_webhook_url_is_refused_without_echoing_it() -> None:
    with pytest.raises(ValueError, match="not a webhook URL") as caught:
        BadgeClient.from_webhook("https://portal.example/rest/secret-abc")
    assert "secret-abc" not in str(caught.value)


def test_on_response_sees_every_raw_answer_masked(emulator: RunningEmulator) -> None:
    seen: list[tuple[int, str]] = []

    def record(response: httpx.Response) -> None:
        seen.append((response.status_code, str(response.request.url)))

    url = emulator.webhook_url()
    with BadgeClient.from_webhook(url, rate_limit=None, on_response=record) as client:
        client.get("missedCall")
        with pytest.raises(NotFound):
            client.get("nope")
    masked = url.replace(emulator.settings.webhooks[0].code, "***") + "crm.activity.badge.get"
    assert seen == [(200, masked), (400, masked)]


@pytest.mark.parametrize(
    "url", ["http://portal.example/rest/1/code/", "http://10.0.0.5/rest/1/code/"]
)
def test_plain_http_to_a_remote_portal_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="use https") as caught:
        BadgeClient.from_webhook(url)
    assert "code" not in str(caught.value)
    with pytest.raises(ValueError, match="use https"):
        BadgeClient.from_oauth(url.split("/rest")[0], "token")


def test_a_misspelled_option_is_refused_at_run_time_too() -> None:
    """Untyped callers get what mypy tells typed ones: the option by name, and the right ones."""
    with pytest.raises(TypeError, match=r"unknown option rate_limt; the options are .*rate_limit"):
        BadgeClient.from_webhook("https://portal.example/rest/1/code/", rate_limt=None)  # type: ignore[call-arg]
