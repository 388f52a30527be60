"""The suite's batch logic in process: commands as text, the journal of batch adds, and the
judgement of batch answers (b24_conformance.commands, b24_conformance.batch)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from b24_conformance.batch import (
    AGREEMENT,
    ANSWER,
    CONSISTENCY,
    ENTRY,
    HALT,
    OUTCOME,
    RESULT,
    SHAPE,
    Batch,
    Command,
    Judgement,
    Refusal,
    check_owned,
    differs,
    failure,
    judge,
    send,
)
from b24_conformance.commands import added_codes, command_code, command_method, command_text
from b24_conformance.journal import Journal
from b24_conformance.model import PortalModel
from b24_conformance.target import Budget, RunTransport, Target
from b24_spec.methods import ADD, BATCH, DELETE, GET, LIST
from tests.conformance.support import BASE, TIME, answer, badge, ok

PREFIX = "b24ct-0badc0de-"
NOT_FOUND = {"error": "NOT_FOUND", "error_description": "Not found."}
A = badge(PREFIX + "a")


# -- commands as text ----------------------------------------------------------------------------


def test_a_command_is_written_as_php_reads_it() -> None:
    params = {"code": "x y", "title": {"ru": "Внимание", "en": "A&B"}, "type": "primary"}
    assert command_text(ADD, params) == (
        f"{ADD}?code=x%20y&title[ru]=%D0%92%D0%BD%D0%B8%D0%BC%D0%B0%D0%BD%D0%B8%D0%B5"
        "&title[en]=A%26B&type=primary"
    )
    assert command_text(LIST, {}) == LIST
    assert command_text(GET, {"code": "$result[a][badge][code]"}).endswith(
        "code=$result[a][badge][code]"
    )


def test_a_command_carries_strings_only() -> None:
    with pytest.raises(TypeError, match="'start' must be a string"):
        command_text(LIST, {"start": 50})


def test_a_command_is_read_back_as_a_portal_reads_it() -> None:
    text = command_text(ADD, {"code": "a&b=c", "title": "T"})
    assert command_method("CRM.Activity.Badge.Add.json?code=x") == ADD
    assert command_code(text) == "a&b=c"
    assert command_code(f"{ADD}?code=first&code=last#fragment") == "last"
    assert command_code(LIST) is None


def batch_request(**kwargs: Any) -> httpx.Request:
    method = "GET" if "params" in kwargs else "POST"
    return httpx.Request(method, f"{BASE}/{BATCH}", **kwargs)


ADD_A = command_text(ADD, {"code": PREFIX + "a", "title": "T", "value": "V", "type": "success"})
ADD_B = command_text(ADD, {"code": PREFIX + "b÷", "title": "T", "value": "V", "type": "success"})
OTHERS = [command_text(GET, {"code": "x"}), command_text(DELETE, {"code": PREFIX + "c"})]


@pytest.mark.parametrize(
    "request_",
    [
        batch_request(json={"cmd": {"one": ADD_A, "two": OTHERS[0], "three": ADD_B}}),
        batch_request(json={"CMD": [ADD_A, *OTHERS, ADD_B], "halt": 1}),
        batch_request(data={"cmd[one]": ADD_A, "cmd[x]": OTHERS[1], "cmd[two]": ADD_B}),
        batch_request(params={"cmd[0]": ADD_A, "cmd[1]": ADD_B, "halt": "1"}),
    ],
    ids=["json-named", "json-list", "form", "query"],
)
def test_the_codes_a_batch_adds_are_read_from_every_encoding(request_: httpx.Request) -> None:
    assert added_codes(request_) == [PREFIX + "a", PREFIX + "b÷"]


def test_only_a_batch_carries_batch_commands() -> None:
    direct = httpx.Request("POST", f"{BASE}/{ADD}", json={"cmd": [ADD_A]})
    assert added_codes(direct) == []
    assert added_codes(batch_request(content=b"not json", headers=JSON_HEADERS)) == []


JSON_HEADERS = {"content-type": "application/json"}


def test_a_batch_add_is_journaled_before_the_batch_is_sent(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.jsonl", "https://portal.example/rest/1/***")
    seen: list[list[str]] = []

    def portal(request: httpx.Request) -> httpx.Response:
        seen.append(journal.pending())  # what a run killed right now would leave behind
        return httpx.Response(200, json=ok({}))

    transport = RunTransport(Budget(None), None, inner=httpx.MockTransport(portal), journal=journal)
    with httpx.Client(transport=transport) as http:
        http.post(f"{BASE}/{BATCH}", json={"cmd": {"a": ADD_A, "b": ADD_B, "g": OTHERS[0]}})
    assert seen == [[PREFIX + "a", PREFIX + "b÷"]]
    assert transport.written == {PREFIX + "a", PREFIX + "b÷"}, "the cleanup deletes them"


def test_a_batch_writes_only_codes_of_the_run() -> None:
    """Refused before anything is sent: a reference could resolve to a customer's code."""
    target = Target(
        "http://127.0.0.1:9/rest/1/s3cr3t/",  # nothing listens: a request sent would fail
        writes=True,
        bundled=False,
        rate_limit=None,
        max_requests=None,
        prefix=PREFIX,
    )
    try:
        check_owned(target, Batch({"a": Command(ADD, A), "g": Command(GET, {"code": "x"})}))
        for code in ("missedCall", "$result[a][badge][code]", None):
            params = {} if code is None else {"code": code}
            with pytest.raises(ValueError, match="not a code of this run"):
                send(target, Batch([Command(GET, {"code": "x"}), Command(DELETE, params)]))
        assert target.budget.used == 0
    finally:
        target.close()


# -- judging an answer ---------------------------------------------------------------------------


def batch_answer(status: int = 200, **parts: Any) -> httpx.Response:
    if status != 200:
        return answer(status, parts, method=BATCH)
    empty: dict[str, Any] = {name: [] for name in PARTS}
    return answer(200, ok({**empty, **parts}), method=BATCH)


PARTS = ("result", "result_error", "result_total", "result_next", "result_time")


def judged(
    batch: Batch,
    response: httpx.Response,
    model: PortalModel | None = None,
    direct: dict[str, httpx.Response] | None = None,
) -> list[tuple[str, str]]:
    """(check, message) of each finding."""
    judgement = Judgement(batch, response)
    judge(judgement, model or PortalModel(), direct or {})
    return [(found.check, found.message) for found in judgement.found]


READS = Batch(
    {
        "listed": Command(LIST, expect=RESULT),
        "known": Command(GET, {"code": A["code"]}, expect=RESULT),
        "absent": Command(GET, {"code": PREFIX + "x"}, expect=failure("absent", "NOT_FOUND")),
    }
)
READ_ANSWER: dict[str, Any] = {
    "result": {"listed": {"badges": [A]}, "known": {"badge": A}},
    "result_error": {"absent": NOT_FOUND},
    "result_total": {"listed": 1},
    "result_time": {"listed": TIME, "known": TIME},
}


def test_a_conforming_answer_raises_nothing_and_teaches_the_model() -> None:
    model = PortalModel()
    assert judged(READS, batch_answer(**READ_ANSWER), model) == []
    with pytest.raises(AssertionError, match="differently each time"):
        model.observe(GET, {"code": A["code"]}, 200, ok({"badge": {**A, "title": "Other"}}))


@pytest.mark.parametrize(
    ("change", "found"),
    [
        ({"result_error": {"absent": {**NOT_FOUND, "error": ""}}}, []),  # facts §8
        ({"result": {**READ_ANSWER["result"], "extra": True}}, [(SHAPE, "names no command")]),
        (
            {"result_error": {**READ_ANSWER["result_error"], "known": NOT_FOUND}},
            [(SHAPE, "'known' (crm.activity.badge.get?code=b24ct-0badc0de-a) has both")],
        ),
        (
            {"result_error": []},
            [(SHAPE, "'absent' (crm.activity.badge.get?code=b24ct-0badc0de-x) has neither")],
        ),
        (
            {"result": [{"badges": [A]}, {"badge": A}]},
            [(SHAPE, "result.result is a JSON list, but the commands were named")],
        ),
        (
            {"result": {"listed": {"badges": [A]}, "known": A}},
            [(ENTRY, "result.result['known'] of command 'known'")],
        ),
        (
            {"result_error": {"absent": {"error": "NOT_FOUND"}}},
            [(ENTRY, "is not the error envelope (x-b24-command-results)")],
        ),
        ({"result_total": {"listed": -1}}, [(ENTRY, "is not the method's direct total")]),
        (
            {"result_error": {"absent": {**NOT_FOUND, "error": "ACCESS_DENIED"}}},
            [(OUTCOME, "ended with 'ACCESS_DENIED', but it must end with NOT_FOUND (absent)")],
        ),
        (
            {
                "result": {**READ_ANSWER["result"], "absent": {"badge": badge(PREFIX + "x")}},
                "result_error": [],
            },
            [(OUTCOME, "ran, but it must end with an error (absent)")],
        ),
    ],
    ids=[
        "empty-sub-error-code",
        "unknown-name",
        "result-and-error",
        "unanswered",
        "named-as-list",
        "unwrapped-result",
        "not-an-envelope",
        "negative-total",
        "other-error-code",
        "ran-instead-of-failing",
    ],
)
def test_each_finding_is_named(change: dict[str, Any], found: list[tuple[str, str]]) -> None:
    findings = judged(READS, batch_answer(**{**READ_ANSWER, **change}))
    assert [check for check, _ in findings] == [check for check, _ in found], findings
    for (_, message), (_, expected) in zip(findings, found, strict=True):
        assert expected in message


def test_a_list_of_commands_may_be_answered_as_a_list_or_by_index() -> None:
    batch = Batch([Command(GET, {"code": A["code"]}), Command(GET, {"code": PREFIX + "x"})])
    assert judged(batch, batch_answer(result=[{"badge": A}], result_error={"1": NOT_FOUND})) == []
    by_index = batch_answer(result={"0": {"badge": A}}, result_error={"1": NOT_FOUND})
    assert judged(batch, by_index) == []


HALTED = Batch(
    {
        "first": Command(LIST, expect=RESULT),
        "fails": Command(GET, {"code": PREFIX + "x"}),
        "after": Command(LIST),
    },
    halt=True,
)


def test_with_halt_nothing_after_the_first_failure_is_answered() -> None:
    stopped = batch_answer(result={"first": {"badges": []}}, result_error={"fails": NOT_FOUND})
    assert judged(HALTED, stopped) == []
    ran_on = batch_answer(
        result={"first": {"badges": []}, "after": {"badges": []}},
        result_error={"fails": NOT_FOUND},
    )
    assert judged(HALTED, ran_on) == [
        (
            HALT,
            "command 'after' (crm.activity.badge.list) was answered although 'fails' failed "
            "before it and the batch asked to halt: with halt a batch stops at the first "
            "failing command",
        )
    ]
    without_halt = Batch(HALTED.commands)
    assert judged(without_halt, stopped) == [
        (
            SHAPE,
            "command 'after' (crm.activity.badge.list) has neither a result nor an error: "
            "every command of a batch is answered until one fails with halt",
        )
    ]


LONG = Batch(
    [Command(LIST, expect=failure("D-BATCH-LENGTH", "ERROR_BATCH_LENGTH_EXCEEDED"))],
    refusal=Refusal("D-BATCH-LENGTH", frozenset({"ERROR_BATCH_LENGTH_EXCEEDED"})),
)
LENGTH = {"error": "ERROR_BATCH_LENGTH_EXCEEDED", "error_description": "Max batch length exceeded"}


def test_a_whole_batch_may_be_refused_only_as_a_decision_allows() -> None:
    assert judged(LONG, batch_answer(400, **LENGTH)) == []
    other = {"error": "INVALID_REQUEST", "error_description": ""}
    assert judged(LONG, batch_answer(400, **other)) == [
        (
            OUTCOME,
            "the batch was refused as a whole with 'INVALID_REQUEST'; D-BATCH-LENGTH allows "
            "that only with ERROR_BATCH_LENGTH_EXCEEDED",
        )
    ]
    assert judged(READS, batch_answer(400, **LENGTH))[0][0] == OUTCOME
    assert judged(Batch(READS.commands, refusal=Refusal("any")), batch_answer(400, **other)) == []


def test_a_rate_limited_batch_cannot_be_judged() -> None:
    limited = {"error": "QUERY_LIMIT_EXCEEDED", "error_description": "Too many requests"}
    with pytest.raises(RuntimeError, match="cannot be checked now"):
        judged(READS, batch_answer(503, **limited))


def test_the_answer_itself_is_judged_by_the_batch_operations_schema() -> None:
    broken = answer(200, ok({"result": {}}), method=BATCH)
    findings = judged(READS, broken)
    assert findings[0][0] == ANSWER
    assert "does not match the batch operation's response schema" in findings[0][1]
    under_200 = answer(200, {**NOT_FOUND, "result": {}, "time": TIME}, method=BATCH)
    assert "answered with HTTP 200" in judged(READS, under_200)[0][1]
    assert (
        "is not an answer the contract declares"
        in judged(READS, batch_answer(418, **NOT_FOUND))[0][1]
    )


def test_sub_results_agree_with_the_same_calls_made_directly() -> None:
    direct = {
        "listed": answer(200, ok({"badges": [A]}, total=1), method=LIST),
        "known": answer(200, ok({"badge": {**A, "title": "Other"}}), method=GET),
        "absent": answer(400, NOT_FOUND, method=GET),
    }
    findings = judged(READS, batch_answer(**READ_ANSWER), direct=direct)
    assert findings == [
        (
            AGREEMENT,
            "command 'known' (crm.activity.badge.get?code=b24ct-0badc0de-a) does not answer "
            "what the same call made directly answered: title 'Other' directly, 'T' in the batch",
        )
    ]


def test_every_answer_of_a_batch_is_checked_by_the_model() -> None:
    model = PortalModel()
    model.observe(GET, {"code": A["code"]}, 400, NOT_FOUND)  # earlier, directly
    findings = judged(READS, batch_answer(**READ_ANSWER), model)
    assert (
        CONSISTENCY,
        "command 'listed' (crm.activity.badge.list): get answered NOT_FOUND "
        "for 'b24ct-0badc0de-a', but list shows it",
    ) in findings


@pytest.mark.parametrize(
    ("direct", "inside", "difference"),
    [
        ((400, NOT_FOUND), (400, {**NOT_FOUND, "error": ""}), None),
        ((400, NOT_FOUND), (400, {**NOT_FOUND, "error": "ACCESS_DENIED"}), "'NOT_FOUND'"),
        ((200, ok({"badge": A})), (400, NOT_FOUND), "directly a result, in the batch an error"),
        ((200, ok({"badge": {**A, "sort": 1}})), (200, ok({"badge": A})), None),
        ((200, ok({"badges": [A]})), (200, ok({"badges": []})), "only directly"),
        ((200, ok({"badges": [A]}, next=1, total=2)), (200, ok({"badges": []}, total=2)), None),
        ((200, ok({"badges": [A]}, total=1)), (200, ok({"badges": [A]}, total=2)), "total 1"),
        ((200, ok(True)), (200, ok(False)), "directly True, in the batch False"),
    ],
    ids=[
        "empty-code",
        "other-code",
        "failed-inside",
        "undocumented-field",
        "list-misses",
        "a-page",
        "total",
        "other-result",
    ],
)
def test_what_must_agree_with_a_direct_call(
    direct: tuple[int, Any], inside: tuple[int, Any], difference: str | None
) -> None:
    found = differs(*direct, *inside)
    assert found is None if difference is None else difference in (found or ""), found


# -- the model: a badge the run did not write reads the same, directly or in a batch ---------


CUSTOMER = badge("missedCall")


@pytest.mark.parametrize(
    ("later", "message"),
    [
        ((200, ok({"badge": {**CUSTOMER, "value": "W"}})), "value: 'V' before, 'W' now"),
        ((400, NOT_FOUND), "get returned badge 'missedCall' before, now answers NOT_FOUND"),
    ],
    ids=["other-fields", "not-found-after-a-badge"],
)
def test_a_customers_badge_reads_the_same_each_time(later: tuple[int, Any], message: str) -> None:
    model = PortalModel()
    model.observe(GET, {"code": "missedCall"}, 200, ok({"badge": {**CUSTOMER, "sort": 1}}))
    model.observe(GET, {"code": "missedCall"}, 200, ok({"badge": CUSTOMER}))  # sort: undocumented
    with pytest.raises(AssertionError, match=message):
        model.observe(GET, {"code": "missedCall"}, *later)


def test_a_badge_after_not_found_is_named() -> None:
    model = PortalModel()
    model.observe(GET, {"code": "missedCall"}, 400, NOT_FOUND)
    with pytest.raises(AssertionError, match="NOT_FOUND for 'missedCall' before, now returns it"):
        model.observe(GET, {"code": "missedCall"}, 200, ok({"badge": CUSTOMER}))
