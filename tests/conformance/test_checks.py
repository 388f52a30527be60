"""The Bitrix checks, in process: an answer built by hand, the check run on it, its message."""

from __future__ import annotations

import pytest

from b24_conformance.checks import bitrix_envelope, bitrix_time
from tests.conformance.support import NO_CONTEXT, TIME, case, ok, response

GET = case("crm.activity.badge.get", {"code": "x"})


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (200, {"error": "NOT_FOUND", "error_description": ""}, "answered with HTTP 200"),
        (200, {"result": True}, "HTTP 200 without time"),
        (200, {"time": TIME}, "HTTP 200 without result"),
        (201, ok(True), "success answered with HTTP 201"),
        (400, {"error": "NOT_FOUND"}, "without the error envelope"),
        (400, {"error": 5, "error_description": "x"}, "without the error envelope"),
        (502, b"<html>Bad Gateway</html>", "not a JSON object"),
        (200, [1, 2], "not a JSON object"),
    ],
)
def test_the_envelope_check_names_what_broke(status: int, body: object, message: str) -> None:
    with pytest.raises(AssertionError, match=message):
        bitrix_envelope(NO_CONTEXT, response(status, body), GET)


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (200, ok({"badge": {}})),
        (400, {"error": "NOT_FOUND", "error_description": "Not found."}),
        (400, {"error": "", "error_description": ""}),  # empty code and text: allowed
        (403, {"error": "ACCESS_DENIED", "error_description": "Доступ запрещён"}),
    ],
)
def test_the_envelope_check_passes_conforming_answers(status: int, body: object) -> None:
    bitrix_envelope(NO_CONTEXT, response(status, body), GET)


def test_a_redirect_needs_a_location() -> None:
    with pytest.raises(AssertionError, match="HTTP 302 without a Location header"):
        bitrix_envelope(NO_CONTEXT, response(302, b""), GET)
    bitrix_envelope(NO_CONTEXT, response(302, b"", location="https://elsewhere/"), GET)


@pytest.mark.parametrize(
    ("time", "message"),
    [
        ({**TIME, "finish": 0.5}, r"time.finish \(0.5\) is before time.start"),
        ({**TIME, "duration": 3.0}, "time.duration is 3.0 s but finish - start is 1.0"),
        ({**TIME, "processing": 2.0}, r"time.processing \(2.0 s\) exceeds duration"),
        ({**TIME, "date_start": "2001-01-01T00:00:00+00:00"}, "time.date_start .* is not the"),
    ],
)
def test_the_time_check_names_the_inconsistency(time: dict[str, object], message: str) -> None:
    with pytest.raises(AssertionError, match=message):
        bitrix_time(NO_CONTEXT, response(200, {"result": True, "time": time}), GET)


def test_the_time_check_leaves_missing_fields_to_the_schema_check() -> None:
    bitrix_time(NO_CONTEXT, response(200, {"result": True, "time": {"start": 1}}), GET)
    bitrix_time(NO_CONTEXT, response(200, ok(True)), GET)
