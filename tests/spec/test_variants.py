"""Real-world answers the contract must accept, and broken ones it must reject.

The accepted variants are what real portals and SDKs were seen sending (the factsheet,
../shared/reference/bitrix24-rest-facts.md, section in each case's comment). The rejected ones
are the deviations a conformance run exists to catch; each names the violation it expects, so a
case cannot pass by failing for an unrelated reason.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from b24_spec import Contract

TIME: dict[str, Any] = {
    "start": 1724068028.331234,
    "finish": 1724068028.726591,
    "duration": 0.3953571319580078,
    "processing": 0.13033390045166016,
    "date_start": "2025-01-21T13:47:08+02:00",
    "date_finish": "2025-01-21T13:47:08+02:00",
    "operating": 0,
}
BADGE: dict[str, Any] = {
    "code": "missedCall",
    "title": "Статус звонка",
    "value": "Пропущен",
    "type": "failure",
}
GET = "crm.activity.badge.get"
LIST = "crm.activity.badge.list"
DELETE = "crm.activity.badge.delete"


def badge_answer(**badge: Any) -> dict[str, Any]:
    return {"result": {"badge": {**BADGE, **badge}}, "time": dict(TIME)}


def with_time(answer: dict[str, Any], **time: Any) -> dict[str, Any]:
    answer = copy.deepcopy(answer)
    answer["time"].update(time)
    return answer


def without_time_field(answer: dict[str, Any], *names: str) -> dict[str, Any]:
    answer = copy.deepcopy(answer)
    for name in names:
        del answer["time"][name]
    return answer


ACCEPTED = [
    # facts §2, §8 (fast_bitrix24 real responses): `operating` is an integer 0 or a float.
    pytest.param(GET, 200, with_time(badge_answer(), operating=0), id="integer-operating"),
    pytest.param(GET, 200, with_time(badge_answer(), operating=3.3076241016387939), id="float-op"),
    # facts §3 (data-types.md), §8 (b24phpsdk fixture): `operating_reset_at` is sent by some.
    pytest.param(
        GET, 200, with_time(badge_answer(), operating_reset_at=1757425271), id="operating-reset-at"
    ),
    # facts §8: some real answers of 2024-2025 carry neither operating field.
    pytest.param(GET, 200, without_time_field(badge_answer(), "operating"), id="no-operating"),
    # facts §3: the timestamps themselves may arrive as integers.
    pytest.param(
        GET,
        200,
        with_time(badge_answer(), start=1724068028, finish=1724068029),
        id="integer-timestamps",
    ),
    # facts §2 "Doc history", §9.6: a localized title and value.
    pytest.param(
        GET,
        200,
        badge_answer(
            title={"ru": "Статус звонка", "en": "Call status"},
            value={"ru": "Пропущен", "en": "Missed"},
        ),
        id="localized-title",
    ),
    # facts §2 "newer English variant": list sends `total`, also 0 with no badges.
    pytest.param(
        LIST, 200, {"result": {"badges": [BADGE]}, "total": 1, "time": TIME}, id="list-total"
    ),
    pytest.param(LIST, 200, {"result": {"badges": []}, "total": 0, "time": TIME}, id="list-empty"),
    pytest.param(DELETE, 200, {"result": True, "time": TIME}, id="delete-true"),
    # Portals add fields over time: unknown fields anywhere are tolerated.
    pytest.param(
        GET,
        200,
        {
            "result": {"badge": {**BADGE, "sort": 10}, "extra": 1},
            "time": {**TIME, "memory": 1.5},
            "debug": {},
        },
        id="unknown-fields",
    ),
    # facts §8 (fast_bitrix24 real batch errors): an empty error code.
    pytest.param(GET, 400, {"error": "", "error_description": "Not found"}, id="empty-error-code"),
    pytest.param(
        GET, 400, {"error": "NOT_FOUND", "error_description": "Not found."}, id="docs-not-found-400"
    ),
    # facts §9.3: b24pysdk files NOT_FOUND under 404.
    pytest.param(
        DELETE, 404, {"error": "NOT_FOUND", "error_description": "Not found."}, id="not-found-404"
    ),
    # facts §9.1: insufficient_scope under 401 (b24pysdk) and 403 (docs).
    pytest.param(
        GET,
        401,
        {"error": "insufficient_scope", "error_description": "higher privileges"},
        id="insufficient-scope-401",
    ),
    pytest.param(
        GET,
        403,
        {"error": "insufficient_scope", "error_description": "higher privileges"},
        id="insufficient-scope-403",
    ),
    # facts §9.10: a wrong webhook code as 401 INVALID_CREDENTIALS.
    pytest.param(
        GET,
        401,
        {"error": "INVALID_CREDENTIALS", "error_description": "Invalid"},
        id="invalid-credentials-401",
    ),
    # facts §9.2: PORTAL_DELETED under 410 (b24pysdk) and 500 (docs).
    pytest.param(
        LIST,
        410,
        {"error": "PORTAL_DELETED", "error_description": "Portal was deleted"},
        id="portal-deleted-410",
    ),
    pytest.param(
        LIST,
        429,
        {"error": "OPERATION_TIME_LIMIT", "error_description": "blocked"},
        id="operation-time-limit",
    ),
    pytest.param(
        LIST,
        503,
        {"error": "QUERY_LIMIT_EXCEEDED", "error_description": "Too many"},
        id="query-limit-exceeded",
    ),
    # An error code nobody documented is still an error envelope (D-OPEN-ERROR-CODE).
    pytest.param(
        GET,
        400,
        {"error": "ERROR_CORE", "error_description": "?", "extra": 1},
        id="undocumented-error-code",
    ),
]

REJECTED = [
    pytest.param(GET, 200, badge_answer(type="info"), "'info' is not one of", id="unknown-type"),
    pytest.param(
        GET, 200, {"result": {"badge": BADGE}}, "'time' is a required property", id="missing-time"
    ),
    pytest.param(
        GET,
        200,
        {"result": None, "time": TIME},
        "None is not of type 'object'",
        id="get-result-null",
    ),
    pytest.param(
        DELETE,
        200,
        {"result": None, "time": TIME},
        "None is not of type 'boolean'",
        id="delete-result-null",
    ),
    pytest.param(
        DELETE, 200, {"result": False, "time": TIME}, "True was expected", id="delete-result-false"
    ),
    pytest.param(
        GET,
        200,
        with_time(badge_answer(), duration="0.39"),
        "'0.39' is not of type",
        id="string-duration",
    ),
    pytest.param(
        GET, 200, {"result": BADGE, "time": TIME}, "'badge' is a required property", id="bare-badge"
    ),
    pytest.param(
        LIST, 200, {"result": [BADGE], "time": TIME}, "is not of type 'object'", id="bare-list"
    ),
    pytest.param(
        GET,
        200,
        without_time_field(badge_answer(), "date_finish"),
        "'date_finish' is a required property",
        id="time-field-missing",
    ),
    pytest.param(
        GET,
        200,
        with_time(badge_answer(), date_start="21.01.2025 13:47:08"),
        "is not a 'date-time'",
        id="date-not-iso",
    ),
    pytest.param(
        GET, 200, badge_answer(title=["Статус"]), "is not valid under any of", id="title-list"
    ),
    pytest.param(
        GET,
        200,
        badge_answer(value={"ru": 1}),
        "is not valid under any of",
        id="value-map-non-string",
    ),
    pytest.param(
        GET,
        200,
        {"result": {"badge": {"code": "x", "title": "t", "value": "v"}}, "time": TIME},
        "'type' is a required property",
        id="badge-type-missing",
    ),
    pytest.param(
        LIST,
        200,
        {"result": {"badges": [BADGE]}, "total": "1", "time": TIME},
        "'1' is not of type 'integer'",
        id="string-total",
    ),
    pytest.param(
        GET,
        400,
        {"error": "NOT_FOUND"},
        "'error_description' is a required property",
        id="error-without-description",
    ),
    pytest.param(
        GET,
        400,
        {"error": 404, "error_description": "x"},
        "404 is not of type 'string'",
        id="numeric-error-code",
    ),
    pytest.param(
        GET,
        200,
        {"error": "NOT_FOUND", "error_description": "Not found."},
        "'result' is a required property",
        id="error-under-200",
    ),
]


@pytest.mark.parametrize(("operation_id", "status", "answer"), ACCEPTED)
def test_real_world_variant_is_accepted(
    contract: Contract, operation_id: str, status: int, answer: Any
) -> None:
    schema = contract.response_schema(operation_id, status)
    assert schema is not None, f"{operation_id} declares no JSON answer {status}"
    assert contract.violations(answer, schema) == []


@pytest.mark.parametrize(("operation_id", "status", "answer", "expected"), REJECTED)
def test_broken_answer_is_rejected(
    contract: Contract, operation_id: str, status: int, answer: Any, expected: str
) -> None:
    schema = contract.response_schema(operation_id, status)
    assert schema is not None
    violations = contract.violations(answer, schema)
    assert any(expected in violation for violation in violations), violations


def test_an_undeclared_status_has_no_schema(contract: Contract) -> None:
    assert contract.response_schema(GET, 418) is None
    assert contract.response_schema(GET, 302) is None  # declared, but without a body
