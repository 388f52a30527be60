"""Batch commands in PHP's form encoding: what `Call` sends, and what it refuses to send."""

from __future__ import annotations

import pytest

from b24_badge_client import Badge, BadgeClient, Call, LanguageMap

TRICKY = ["a&b=c", "x[y]z", "50% + 1", "a/b?c#d", "Статус", " lead space", "$ not a reference"]


def test_commands_are_method_and_php_query() -> None:
    assert Call.get("missedCall").command == "crm.activity.badge.get?code=missedCall"
    assert Call.delete("a b/c").command == "crm.activity.badge.delete?code=a%20b%2Fc"
    assert Call.list().command == "crm.activity.badge.list"
    add = Call.add("x", {"ru": "А", "en": "a&b"}, "v", "warning")
    assert add.method == "crm.activity.badge.add"
    assert add.command == (
        "crm.activity.badge.add?code=x&title[ru]=%D0%90&title[en]=a%26b&value=v&type=warning"
    )
    assert repr(Call.get("x")) == "Call('crm.activity.badge.get?code=x')"


def test_a_language_map_model_is_sent_like_a_dict() -> None:
    texts = {"ru": "Внимание", "en": "Alarm"}
    from_model = Call.add("x", LanguageMap.from_dict(texts), "v", "primary")
    assert from_model.command == Call.add("x", texts, "v", "primary").command


@pytest.mark.parametrize("text", TRICKY)
def test_what_a_batch_sends_the_portal_reads_back_unchanged(client: BadgeClient, text: str) -> None:
    badge, *_ = client.batch(
        [Call.add(text, {"ru": text, "en": text}, text, "primary")], raise_errors=True
    )
    assert badge == client.get(text)
    assert (badge.code, badge.value) == (text, text)
    assert isinstance(badge.title, LanguageMap)
    assert badge.title.to_dict() == {"ru": text, "en": text}
    found = client.get_many([text])[text]
    assert isinstance(found, Badge)
    assert found.code == text


@pytest.mark.parametrize(
    "text", ["$result[0][badge][code]", "see $RESULT[x]", "$next[list]", "$error[a][error]"]
)
def test_a_value_a_portal_would_read_as_a_reference_is_refused(text: str) -> None:
    """The portal replaces `$result[...]` in any parameter of a batch command, with no escape:
    the badge would be stored with another text than the one given."""
    with pytest.raises(ValueError, match="reference to another command"):
        Call.add("code", text, "v", "primary")
    with pytest.raises(ValueError, match="reference to another command"):
        Call.get(text)


@pytest.mark.parametrize("key", ["", "a]b"])
def test_a_language_code_php_cannot_carry_is_refused(key: str) -> None:
    with pytest.raises(ValueError, match="cannot be sent in a batch command"):
        Call.add("code", {key: "text"}, "v", "primary")


def test_a_reference_like_title_still_goes_in_a_direct_call(client: BadgeClient) -> None:
    """What batch refuses, a direct call sends as it is (a direct call has no references)."""
    assert client.add("ref", "$result[0][badge][code]", "v", "primary").title == (
        "$result[0][badge][code]"
    )
