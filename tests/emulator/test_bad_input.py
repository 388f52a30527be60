"""Bad input of any kind gets a Bitrix-style 4xx and loses nothing."""

from __future__ import annotations

import pytest

from tests.emulator.conftest import Portal, assert_error

ADD = "crm.activity.badge.add"
JSON = {"content-type": "application/json"}

BAD_BODIES = [
    pytest.param(b'{"code":', JSON, id="malformed-json"),
    pytest.param(b'["code"]', JSON, id="json-array"),
    pytest.param(b'"code"', JSON, id="json-string"),
    pytest.param(b'{"code": NaN}', JSON, id="json-nan"),
    pytest.param(b"\xff\xfe\x00binary", JSON, id="binary-as-json"),
    pytest.param(b"[" * 100_000 + b"]" * 100_000, JSON, id="deeply-nested-json"),
    pytest.param(
        b"code=%ff%fe", {"content-type": "application/x-www-form-urlencoded"}, id="form-not-utf8"
    ),
    pytest.param(b"code=missedCall", {"content-type": "text/plain"}, id="unknown-content-type"),
    pytest.param(b"\x00\x01\x02", {}, id="no-content-type"),
    pytest.param(b"--x\r\n", {"content-type": "multipart/form-data"}, id="multipart-no-boundary"),
    pytest.param(b'{"code": "' + b"x" * 2_000_000 + b'"}', JSON, id="huge-body"),
]


@pytest.mark.parametrize(("body", "headers"), BAD_BODIES)
def test_an_undecodable_body_is_invalid_request(
    portal: Portal, body: bytes, headers: dict[str, str]
) -> None:
    before = portal.codes()
    assert_error(portal.call(ADD, content=body, headers=headers), 400, "INVALID_REQUEST")
    assert portal.codes() == before


def test_a_multipart_body_without_parts_has_no_parameters(portal: Portal) -> None:
    """The multipart parser, like PHP's, finds no fields in garbage: the arguments are missing."""
    headers = {"content-type": "multipart/form-data; boundary=x"}
    response = portal.call(ADD, content=b"--x\r\nbroken", headers=headers)
    assert_error(response, 400, "REQUIRED_ARG_MISSING")


def test_a_file_part_is_refused(portal: Portal) -> None:
    files = {"code": (None, "f"), "title": ("title.bin", b"\x00\x01", "application/octet-stream")}
    assert_error(portal.call(ADD, files=files), 400, "INVALID_REQUEST")


def test_a_query_string_that_is_not_utf8(portal: Portal) -> None:
    url = portal.emulator.webhook_url() + "crm.activity.badge.get?code=%ff"
    assert_error(portal.http.get(url), 400, "INVALID_REQUEST")


def test_a_lone_surrogate_is_an_invalid_value(portal: Portal) -> None:
    body = b'{"code": "\\ud800", "title": "t", "value": "v", "type": "success"}'
    assert_error(portal.call(ADD, content=body, headers=JSON), 400, "INVALID_ARG_VALUE")


def test_nul_and_control_characters_round_trip(portal: Portal) -> None:
    """Odd but valid text is data, not an error: it is stored and returned unchanged."""
    code = "nul\x00tab\tbell\x07ё😀"
    assert portal.add(code, title="\x00").status_code == 200
    answer = portal.call("crm.activity.badge.get", json={"code": code}).json()
    assert answer["result"]["badge"]["code"] == code
    assert answer["result"]["badge"]["title"] == "\x00"


def test_bad_input_never_loses_stored_badges(portal: Portal) -> None:
    portal.add("keep")
    for body, headers in [(b"{", JSON), (b"\xff", JSON), (b"x=1", {"content-type": "a/b"})]:
        portal.call("crm.activity.badge.delete", content=body, headers=headers)
    assert portal.codes() == ["missedCall", "keep"]
