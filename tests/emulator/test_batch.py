"""`batch` over real HTTP, as documented (settings/how-to-call-rest-api/batch.md)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import quote

import pytest

from b24_emulator import RateLimit
from tests.emulator.conftest import (
    NO_CRM_SCOPE,
    NON_ADMIN,
    SETTINGS,
    TOKEN,
    Portal,
    assert_error,
    assert_result,
    run_portal,
)

GET = "crm.activity.badge.get"
MISSED_CALL = {
    "code": "missedCall",
    "title": "Статус звонка",
    "value": "Пропущен",
    "type": "failure",
}
TIME_FIELDS = {"start", "finish", "duration", "processing", "date_start", "date_finish"}


def batch(portal: Portal, cmd: Any, **fields: Any) -> dict[str, Any]:
    result: dict[str, Any] = assert_result(portal.call("batch", json={"cmd": cmd, **fields}))
    assert set(result) == {"result", "result_error", "result_total", "result_next", "result_time"}
    return result


def add_command(code: str, **extra: str) -> str:
    return f"crm.activity.badge.add?code={quote(code)}&title=T&value=V&type=success" + "".join(
        f"&{key}={value}" for key, value in extra.items()
    )


def test_named_commands_answer_under_their_names(portal: Portal) -> None:
    result = batch(portal, {"one": f"{GET}?code=missedCall", "all": "crm.activity.badge.list"})
    assert result["result"]["one"] == {"badge": MISSED_CALL}
    assert result["result"]["all"] == {"badges": [MISSED_CALL]}
    assert result["result_total"] == {"all": 1}, "list's total, under its key only"
    assert result["result_error"] == []
    assert result["result_next"] == []
    assert set(result["result_time"]) == {"one", "all"}
    for block in result["result_time"].values():
        assert set(block) >= TIME_FIELDS | {"operating", "operating_reset_at"}


def test_a_list_of_commands_answers_as_a_list(portal: Portal) -> None:
    result = batch(portal, [f"{GET}?code=missedCall", "crm.activity.badge.list"])
    assert result["result"] == [{"badge": MISSED_CALL}, {"badges": [MISSED_CALL]}]
    assert result["result_total"] == {"1": 1}, "keys 1 alone are no list: an object"
    assert len(result["result_time"]) == 2


def test_a_gap_in_numeric_keys_makes_an_object(portal: Portal) -> None:
    result = batch(portal, [f"{GET}?code=missedCall", f"{GET}?code=nope", f"{GET}?code=missedCall"])
    assert set(result["result"]) == {"0", "2"}
    assert result["result_error"] == {
        "1": {"error": "NOT_FOUND", "error_description": "Not found."}
    }


def test_the_whole_batch_and_its_own_time(portal: Portal) -> None:
    answer = portal.call("batch", json={"cmd": {"g": f"{GET}?code=missedCall"}}).json()
    assert set(answer) == {"result", "time"}
    assert set(answer["time"]) == TIME_FIELDS, "the outer call is not charged operating time"


def test_commands_take_php_brackets_and_url_encoding(portal: Portal) -> None:
    command = (
        "crm.activity.badge.add?code=a%26b+c&title[ru]=%D0%9F%D1%80%D0%B8%D0%B2%D0%B5%D1%82"
        "&title[en]=Hi&value=V&type=success"
    )
    result = batch(portal, {"add": command})
    assert result["result"]["add"]["badge"]["code"] == "a&b c"
    assert result["result"]["add"]["badge"]["title"] == {"ru": "Привет", "en": "Hi"}


def test_a_form_encoded_batch(portal: Portal) -> None:
    form = {"cmd[g]": f"{GET}?code=missedCall", "cmd[x]": f"{GET}?code=nope", "halt": "0"}
    result = assert_result(portal.call("batch", data=form))
    assert result["result"] == {"g": {"badge": MISSED_CALL}}
    assert result["result_error"]["x"]["error"] == "NOT_FOUND"


def test_a_batch_in_the_query_string_is_encoded_twice(portal: Portal) -> None:
    """docs data-encoding.md: `%26` inside a command travels as `%2526`."""
    command = quote("crm.activity.badge.add?code=John%26Martin&title=T&value=V&type=success")
    url = portal.emulator.webhook_url() + f"batch?cmd[0]={command}"
    result = assert_result(portal.http.get(url))
    assert result["result"][0]["badge"]["code"] == "John&Martin"


def test_references_to_earlier_results(portal: Portal) -> None:
    result = batch(
        portal,
        {
            "add": add_command("ref"),
            "get": f"{GET}?code=$result[add][badge][code]",
            "copy": "crm.activity.badge.add?code=copy-$result[add][badge][code]"
            "&title=T-$result[known][badge][title]&value=V&type=warning",
            "known": f"{GET}?code=missedCall",
        },
    )
    assert result["result"]["get"]["badge"]["code"] == "ref"
    copied = result["result"]["copy"]["badge"]
    # `known` runs after `copy`: the missing step stops the walk, as on a portal, at `result`,
    # an array that PHP writes into text as "Array".
    assert (copied["code"], copied["title"]) == ("copy-ref", "T-Array")


def test_a_reference_that_is_the_whole_value_keeps_its_structure(portal: Portal) -> None:
    portal.add("intl", title={"ru": "Привет", "en": "Hi"})
    result = batch(
        portal,
        {
            "src": f"{GET}?code=intl",
            "dst": "crm.activity.badge.add?code=dst&title=$result[src][badge][title]"
            "&value=$result[src][badge][value]&type=$result[src][badge][type]",
        },
    )
    assert result["result"]["dst"]["badge"]["title"] == {"ru": "Привет", "en": "Hi"}


def test_references_into_lists_totals_and_errors(portal: Portal) -> None:
    result = batch(
        portal,
        {
            "all": "crm.activity.badge.list",
            "first": f"{GET}?code=$result[all][badges][0][code]",
            "miss": f"{GET}?code=nope",
            "why": add_command("why-$total[all]", value="$error[miss][error]"),
        },
    )
    assert result["result"]["first"]["badge"]["code"] == "missedCall"
    assert result["result"]["why"]["badge"]["code"] == "why-1"
    assert result["result"]["why"]["badge"]["value"] == "NOT_FOUND"


@pytest.mark.parametrize("halt", [0, False, "0", "false", None])
def test_without_halt_every_command_runs(portal: Portal, halt: Any) -> None:
    cmd = {"a": add_command("a"), "bad": f"{GET}?code=nope", "b": add_command("b")}
    fields = {} if halt is None else {"halt": halt}
    result = batch(portal, cmd, **fields)
    assert set(result["result"]) == {"a", "b"}
    assert set(result["result_error"]) == {"bad"}


@pytest.mark.parametrize("halt", [1, True, "1", "true"])
def test_halt_stops_at_the_first_error(portal: Portal, halt: Any) -> None:
    cmd = {"a": add_command("a"), "bad": f"{GET}?code=nope", "b": add_command("b")}
    result = batch(portal, cmd, halt=halt)
    assert set(result["result"]) == {"a"}
    assert set(result["result_error"]) == {"bad"}
    assert "b" not in portal.codes(), "the command after the error never ran"


def test_halt_is_read_whatever_its_case(portal: Portal) -> None:
    result = assert_result(
        portal.call(
            "batch", json={"CMD": {"x": f"{GET}?code=nope", "y": add_command("y")}, "Halt": 1}
        )
    )
    assert result["result"] == []
    assert set(result["result_error"]) == {"x"}


def test_each_error_is_an_envelope_in_result_error(portal: Portal) -> None:
    result = batch(
        portal,
        {
            "missing": "crm.activity.badge.add?code=m",
            "unknown": "crm.activity.badge.update?code=x",
            "taken": add_command("missedCall"),
            "bad": add_command("b", type="info"),
        },
    )
    codes = {key: error["error"] for key, error in result["result_error"].items()}
    assert codes == {
        "missing": "REQUIRED_ARG_MISSING",
        "unknown": "ERROR_METHOD_NOT_FOUND",
        "taken": "ERROR_BADGE_ALREADY_EXISTS",
        "bad": "INVALID_ARG_VALUE",
    }
    for error in result["result_error"].values():
        assert set(error) == {"error", "error_description"}
    assert result["result"] == []
    assert result["result_time"] == []


def test_a_nested_batch_is_refused(portal: Portal) -> None:
    result = batch(
        portal,
        {"inner": f"batch?cmd[0]={GET}%3Fcode%3DmissedCall", "ok": "crm.activity.badge.list"},
    )
    assert result["result_error"]["inner"]["error"] == "ERROR_BATCH_METHOD_NOT_ALLOWED"
    assert "ok" in result["result"]


def test_commands_past_the_50th_are_refused(portal: Portal) -> None:
    result = batch(portal, [add_command(f"c{index}") for index in range(52)])
    assert len(result["result"]) == 50
    assert {key: error["error"] for key, error in result["result_error"].items()} == {
        "50": "ERROR_BATCH_LENGTH_EXCEEDED",
        "51": "ERROR_BATCH_LENGTH_EXCEEDED",
    }
    assert "c49" in portal.codes()
    assert "c50" not in portal.codes()


def test_past_the_50th_with_halt_only_the_51st_is_reported(portal: Portal) -> None:
    result = batch(portal, [f"{GET}?code=missedCall"] * 53, halt=1)
    assert len(result["result"]) == 50
    assert list(result["result_error"]) == ["50"]


def test_a_cmd_beyond_any_batch_is_refused_whole(portal: Portal) -> None:
    answer = portal.call("batch", json={"cmd": [f"{GET}?code=missedCall"] * 1001})
    assert_error(answer, 400, "ERROR_BATCH_LENGTH_EXCEEDED")


def test_without_commands_every_section_is_empty(portal: Portal) -> None:
    for body in ({}, {"cmd": "not an array"}, {"cmd": [42, None, {"method": GET}]}):
        result = assert_result(portal.call("batch", json=body))
        assert all(section == [] for section in result.values()), result


def test_oauth_batch_with_the_token_in_the_body(portal: Portal) -> None:
    answer = portal.call(
        "batch", hook=None, json={"auth": TOKEN.token, "cmd": {"g": f"{GET}?code=missedCall"}}
    )
    assert assert_result(answer)["result"]["g"] == {"badge": MISSED_CALL}


def test_a_batch_with_wrong_credentials_is_refused_whole(portal: Portal) -> None:
    answer = portal.call("batch", hook=None, json={"auth": "forged", "cmd": {"g": GET}})
    assert_error(answer, 401, "invalid_token")


def test_the_webhook_scope_and_rights_apply_to_each_command(portal: Portal) -> None:
    scoped = assert_result(portal.call("batch", hook=NO_CRM_SCOPE, json={"cmd": {"g": GET}}))
    assert scoped["result_error"]["g"]["error"] == "insufficient_scope"  # the docs' example
    user = assert_result(
        portal.call(
            "batch",
            hook=NON_ADMIN,
            json={"cmd": {"a": add_command("x"), "g": f"{GET}?code=missedCall"}},
        )
    )
    assert user["result_error"]["a"]["error"] == "ACCESS_DENIED"
    assert "g" in user["result"]


@pytest.fixture
def strict_portal() -> Iterator[Portal]:
    """A burst of 2 that drains by 1 every 100 s."""
    yield from run_portal(replace(SETTINGS, rate_limit=RateLimit(burst=2, per_second=0.01)))


def test_a_batch_takes_one_rate_limit_token_whatever_it_holds(strict_portal: Portal) -> None:
    result = batch(strict_portal, [f"{GET}?code=missedCall"] * 50)
    assert len(result["result"]) == 50
    assert strict_portal.call("crm.activity.badge.list").status_code == 200
    assert_error(strict_portal.call("batch", json={"cmd": [GET]}), 503, "QUERY_LIMIT_EXCEEDED")


@pytest.fixture
def heavy_portal() -> Iterator[Portal]:
    """Every method call costs 0.6 s of operating time against a 1 s limit."""
    yield from run_portal(replace(SETTINGS, operating_limit=1.0, operating_cost=0.6))


def test_operating_time_is_charged_to_each_inner_method(heavy_portal: Portal) -> None:
    cmd = ["crm.activity.badge.list"] * 3 + [f"{GET}?code=missedCall"]
    result = batch(heavy_portal, cmd)
    assert set(result["result"]) == {"0", "1", "3"}
    assert result["result_error"] == {
        "2": {
            "error": "OPERATION_TIME_LIMIT",
            "error_description": "Method is blocked due to operation time limit.",
        }
    }
    assert result["result_time"]["1"]["operating"] > result["result_time"]["0"]["operating"]
    assert result["result_time"]["3"]["operating"] < 1.0, "get has its own account"
    assert_error(heavy_portal.call("crm.activity.badge.list"), 429, "OPERATION_TIME_LIMIT")
    assert heavy_portal.call("batch", json={"cmd": [f"{GET}?code=missedCall"]}).status_code == 200
