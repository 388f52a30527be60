"""The four badge methods with Bitrix semantics, over real HTTP."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.emulator.conftest import Portal, assert_error, assert_result

MISSED_CALL = {
    "code": "missedCall",
    "title": "Статус звонка",
    "value": "Пропущен",
    "type": "failure",
}


def test_the_docs_seed_badge_is_there(portal: Portal) -> None:
    result = assert_result(portal.call("crm.activity.badge.get", json={"code": "missedCall"}))
    assert result == {"badge": MISSED_CALL}


def test_add_returns_the_badge_as_stored(portal: Portal) -> None:
    result = assert_result(portal.add("warn", type="warning"))
    assert result == {
        "badge": {"code": "warn", "title": "Title", "value": "Value", "type": "warning"}
    }


def test_add_keeps_language_maps(portal: Portal) -> None:
    title = {"ru": "Внимание", "en": "Alarm"}
    assert_result(portal.add("alarm", title=title, value={"en": "!"}))
    badge = assert_result(portal.call("crm.activity.badge.get", json={"code": "alarm"}))["badge"]
    assert (badge["title"], badge["value"]) == (title, {"en": "!"})


@pytest.mark.parametrize("badge_type", ["success", "failure", "warning", "primary", "secondary"])
def test_add_accepts_each_documented_type(portal: Portal, badge_type: str) -> None:
    assert (
        assert_result(portal.add(f"t-{badge_type}", type=badge_type))["badge"]["type"] == badge_type
    )


def test_add_needs_all_four_fields(portal: Portal) -> None:
    body = assert_error(
        portal.call("crm.activity.badge.add", json={"code": "x"}), 400, "REQUIRED_ARG_MISSING"
    )
    assert body["error_description"] == "Required fields: title, value, type"


@pytest.mark.parametrize("empty", ["", {}, None])
def test_an_empty_field_is_missing(portal: Portal, empty: object) -> None:
    assert_error(portal.add("x", title=empty), 400, "REQUIRED_ARG_MISSING")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("type", "info"),  # not one of the five (D-BADGE-TYPE)
        ("type", ["success"]),
        ("code", 42),
        ("code", {"a": "b"}),
        ("title", ["a", "b"]),
        ("title", {"ru": {"nested": "x"}}),
        ("value", 1.5),
        ("value", True),
        ("title", "x" * 5000),
    ],
)
def test_add_rejects_a_wrong_value(portal: Portal, field: str, value: object) -> None:
    badge = {"code": "bad", "title": "T", "value": "V", "type": "success", field: value}
    before = portal.codes()
    assert_error(portal.call("crm.activity.badge.add", json=badge), 400, "INVALID_ARG_VALUE")
    assert portal.codes() == before


def test_a_taken_code_cannot_be_added_again(portal: Portal) -> None:
    assert_error(portal.add("missedCall", title="Other"), 400, "ERROR_BADGE_ALREADY_EXISTS")
    badge = assert_result(portal.call("crm.activity.badge.get", json={"code": "missedCall"}))
    assert badge == {"badge": MISSED_CALL}, "the stored badge is unchanged"


def test_get_of_an_unknown_code_is_not_found(portal: Portal) -> None:
    body = assert_error(
        portal.call("crm.activity.badge.get", json={"code": "nope"}), 400, "NOT_FOUND"
    )
    assert body["error_description"] == "Not found."  # the docs' example, word for word


def test_get_and_delete_need_a_code(portal: Portal) -> None:
    assert_error(portal.call("crm.activity.badge.get", json={}), 400, "REQUIRED_ARG_MISSING")
    assert_error(portal.call("crm.activity.badge.delete"), 400, "REQUIRED_ARG_MISSING")


def test_list_returns_every_badge_in_order_with_total(portal: Portal) -> None:
    portal.add("b1")
    portal.add("b2")
    answer = portal.call("crm.activity.badge.list").json()
    assert [b["code"] for b in answer["result"]["badges"]] == ["missedCall", "b1", "b2"]
    assert answer["total"] == 3


def test_list_ignores_unknown_parameters(portal: Portal) -> None:
    assert assert_result(portal.call("crm.activity.badge.list", json={"start": 50}))["badges"]


def test_delete_removes_the_badge(portal: Portal) -> None:
    portal.add("gone")
    assert assert_result(portal.call("crm.activity.badge.delete", json={"code": "gone"})) is True
    assert_error(portal.call("crm.activity.badge.get", json={"code": "gone"}), 400, "NOT_FOUND")
    assert_error(portal.call("crm.activity.badge.delete", json={"code": "gone"}), 400, "NOT_FOUND")
    assert "gone" not in portal.codes()


def test_codes_are_case_sensitive(portal: Portal) -> None:
    assert_error(
        portal.call("crm.activity.badge.get", json={"code": "MISSEDCALL"}), 400, "NOT_FOUND"
    )


def test_every_success_carries_a_measured_time_block(portal: Portal) -> None:
    answer = portal.call("crm.activity.badge.get", json={"code": "missedCall"}).json()
    time = answer["time"]
    assert time["start"] <= time["finish"]
    assert time["duration"] == pytest.approx(time["finish"] - time["start"])
    assert 0 <= time["processing"] <= time["duration"]
    for key in ("date_start", "date_finish"):
        moment = datetime.fromisoformat(time[key])
        assert moment.utcoffset() is not None, "ISO-8601 with an offset"
    assert int(datetime.fromisoformat(time["date_start"]).timestamp()) == int(time["start"])
    assert time["operating"] > 0
    assert time["operating_reset_at"] == int(time["start"] + 600)


@pytest.mark.parametrize("method", ["crm.activity.badge.get", "crm.activity.badge.delete"])
def test_a_code_longer_than_any_badge_is_simply_not_found(portal: Portal, method: str) -> None:
    """Only add bounds a code's length: a lookup of a longer one finds nothing, as on a portal."""
    assert_error(portal.call(method, json={"code": "x" * 4000}), 400, "NOT_FOUND")
