"""Routes, encodings and credentials, as a portal handles them."""

from __future__ import annotations

from typing import Any

import pytest

from b24_emulator import Webhook
from b24_emulator.params import php_params
from tests.emulator.conftest import (
    ADMIN,
    EXPIRED,
    NO_CRM_SCOPE,
    NON_ADMIN,
    TOKEN,
    Portal,
    assert_error,
    assert_result,
)

GET = "crm.activity.badge.get"


@pytest.mark.parametrize(
    "method", [GET, f"{GET}.json", "CRM.Activity.Badge.Get", f"{GET}/", f"{GET}.json/"]
)
def test_method_names_are_case_insensitive_with_optional_json_and_slash(
    portal: Portal, method: str
) -> None:
    assert assert_result(portal.call(method, json={"code": "missedCall"}))["badge"]["code"]


def test_get_with_query_parameters(portal: Portal) -> None:
    result = assert_result(portal.call(GET, verb="GET", params={"code": "missedCall"}))
    assert result["badge"]["type"] == "failure"


def test_form_body_with_bracket_keys(portal: Portal) -> None:
    form = {"code": "f", "title[ru]": "Привет", "title[en]": "Hi", "value": "V", "type": "primary"}
    result = assert_result(portal.call("crm.activity.badge.add", data=form))
    assert result["badge"]["title"] == {"ru": "Привет", "en": "Hi"}


def test_multipart_body_with_bracket_keys(portal: Portal) -> None:
    parts = {"code": "m", "title": "T", "value[de]": "Achtung", "type": "secondary"}
    result = assert_result(
        portal.call("crm.activity.badge.add", files={k: (None, v) for k, v in parts.items()})
    )
    assert result["badge"]["value"] == {"de": "Achtung"}


def test_query_string_with_bracket_keys_on_get(portal: Portal) -> None:
    query = {"code": "q", "title": "T", "value[en]": "V", "type": "warning"}
    result = assert_result(portal.call("crm.activity.badge.add", verb="GET", params=query))
    assert result["badge"]["value"] == {"en": "V"}


def test_the_body_wins_over_the_query_string(portal: Portal) -> None:
    response = portal.call(GET, params={"code": "nope"}, json={"code": "missedCall"})
    assert assert_result(response)["badge"]["code"] == "missedCall"


@pytest.mark.parametrize(
    ("where", "kwargs"),
    [
        ("query", {"params": {"auth": TOKEN.token, "code": "missedCall"}}),
        ("json", {"json": {"auth": TOKEN.token, "code": "missedCall"}}),
        ("form", {"data": {"auth": TOKEN.token, "code": "missedCall"}}),
    ],
)
def test_oauth_token_as_auth_parameter(portal: Portal, where: str, kwargs: dict[str, Any]) -> None:
    assert assert_result(portal.call(GET, hook=None, **kwargs))["badge"]["code"] == "missedCall"


def test_oauth_call_without_token(portal: Portal) -> None:
    assert_error(portal.call(GET, hook=None, json={"code": "missedCall"}), 401, "NO_AUTH_FOUND")


def test_oauth_call_with_unknown_token(portal: Portal) -> None:
    response = portal.call(GET, hook=None, json={"auth": "forged", "code": "missedCall"})
    assert_error(response, 401, "invalid_token")


def test_oauth_call_with_expired_token(portal: Portal) -> None:
    response = portal.call(GET, hook=None, json={"auth": EXPIRED.token, "code": "missedCall"})
    assert_error(response, 401, "expired_token")


@pytest.mark.parametrize(
    "hook",
    [
        Webhook(ADMIN.user_id, ADMIN.code + "INVALID"),  # b24pysdk's test (facts §9.10)
        Webhook(99, ADMIN.code),  # another user's id
        Webhook(NON_ADMIN.user_id, ADMIN.code),  # a real code under the wrong user
    ],
    ids=["wrong-code", "wrong-user", "mixed"],
)
def test_wrong_webhook_credentials(portal: Portal, hook: Webhook) -> None:
    assert_error(
        portal.call(GET, hook=hook, json={"code": "missedCall"}), 401, "INVALID_CREDENTIALS"
    )


def test_a_non_numeric_user_id_is_wrong_credentials(portal: Portal) -> None:
    url = f"{portal.emulator.base_url}/rest/admin/{ADMIN.code}/{GET}"
    assert_error(portal.http.post(url, json={"code": "missedCall"}), 401, "INVALID_CREDENTIALS")


def test_a_webhook_without_the_crm_scope(portal: Portal) -> None:
    response = portal.call(GET, hook=NO_CRM_SCOPE, json={"code": "missedCall"})
    assert_error(response, 401, "insufficient_scope")  # D-INSUFFICIENT-SCOPE-STATUS


@pytest.mark.parametrize("method", ["crm.activity.badge.add", "crm.activity.badge.delete"])
def test_a_non_admin_cannot_add_or_delete(portal: Portal, method: str) -> None:
    body = {"code": "missedCall", "title": "T", "value": "V", "type": "success"}
    assert_error(portal.call(method, hook=NON_ADMIN, json=body), 403, "ACCESS_DENIED")
    assert "missedCall" in portal.codes()


@pytest.mark.parametrize("method", [GET, "crm.activity.badge.list"])
def test_a_non_admin_can_read(portal: Portal, method: str) -> None:
    assert_result(portal.call(method, hook=NON_ADMIN, json={"code": "missedCall"}))


def test_unknown_method(portal: Portal) -> None:
    assert_error(portal.call("crm.activity.badge.update", json={}), 404, "ERROR_METHOD_NOT_FOUND")


@pytest.mark.parametrize("path", ["/", "/rest", "/api/crm.activity.badge.get", "/rest/1/x"])
def test_paths_that_are_no_method(portal: Portal, path: str) -> None:
    response = portal.http.post(portal.emulator.base_url + path)
    assert_error(response, 404, "ERROR_METHOD_NOT_FOUND")


@pytest.mark.parametrize("verb", ["PUT", "PATCH", "DELETE", "OPTIONS"])
def test_other_http_methods(portal: Portal, verb: str) -> None:
    assert_error(portal.call(GET, verb=verb), 405, "ERROR_METHOD_NOT_ALLOWED")


def test_a_non_ascii_webhook_code_is_wrong_credentials_not_a_crash(portal: Portal) -> None:
    url = f"{portal.emulator.base_url}/rest/1/%C3%A9%F0%9F%98%80/{GET}"
    assert_error(portal.http.post(url, json={"code": "missedCall"}), 401, "INVALID_CREDENTIALS")


@pytest.mark.parametrize(
    ("pairs", "params"),
    [
        ([("title[ru]", "П"), ("title[en]", "H")], {"title": {"ru": "П", "en": "H"}}),
        ([("value[/[T]", "x")], {"value": {"/[T": "x"}}),  # an index runs to the first `]`
        ([("a[b]c[d]", "x")], {"a": {"b": "x"}}),  # after an index, only `[` goes on
        ([("a[b", "x")], {"a_b": "x"}),  # a `[` never closed stays in the name
        ([("a.b c", "x")], {"a_b_c": "x"}),  # dots and spaces of a name become `_`
        ([("[a]", "x"), ("k", "v")], {"k": "v"}),  # no name: dropped
        ([("s[]", "1"), ("s[]", "2")], {"s": {"0": "1", "1": "2"}}),
    ],
)
def test_form_keys_are_read_as_php_reads_them(
    pairs: list[tuple[str, str]], params: dict[str, object]
) -> None:
    assert php_params(pairs) == params


def test_a_form_key_with_a_bracket_inside_its_index_is_accepted(portal: Portal) -> None:
    """The conformance suite's valid_request_accepted met `value[/[T]=...` refused as missing."""
    form = {"code": "odd", "title": "T", "value[/[T]": "x", "type": "primary"}
    result = assert_result(portal.call("crm.activity.badge.add", data=form))
    assert result["badge"]["value"] == {"/[T": "x"}
