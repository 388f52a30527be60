"""Principle 1 and 4: everything a portal says in one run agrees, and every deviation ends as a
named violation with exit 1 (never INCOMPLETE, never a crash of the suite).

Each portal double breaks one consistency; the run must name it. The customer's badges are
untouched after every run (the `against` fixture checks it).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.conformance.conftest import Run
from tests.portals import (
    Answer,
    Exchange,
    Wrap,
    answers_other_badge,
    json_answer,
    lying_encoding,
    rewriting,
    successes,
)


def is_list(answer: dict[str, Any]) -> bool:
    return isinstance(answer.get("result"), dict) and "badges" in answer["result"]


def add_answers_other_title(exchange: Exchange) -> Answer | None:
    if exchange.method != "crm.activity.badge.add" or exchange.status != 200:
        return None
    answer = json.loads(exchange.body)
    answer["result"]["badge"]["title"] = "Something else"
    return json_answer(200, answer)


def total_off_by_one(answer: dict[str, Any]) -> None:
    if is_list(answer):
        answer["total"] = len(answer["result"]["badges"]) + 1


def next_that_stays(answer: dict[str, Any]) -> None:
    if is_list(answer):
        answer["next"] = 0
        answer["total"] = len(answer["result"]["badges"]) + 1


def listed_twice(answer: dict[str, Any]) -> None:
    if is_list(answer):
        answer["result"]["badges"] = answer["result"]["badges"] * 2


def list_hides_missed_call(answer: dict[str, Any]) -> None:
    if is_list(answer):
        badges = answer["result"]["badges"]
        answer["result"]["badges"] = [b for b in badges if b["code"] != "missedCall"]
        answer["total"] = len(answer["result"]["badges"])


def get_says_not_found_for_the_first_badge(exchange: Exchange) -> Answer | None:
    if (
        exchange.method == "crm.activity.badge.get"
        and exchange.params().get("code") == "missedCall"
    ):
        return json_answer(400, {"error": "NOT_FOUND", "error_description": "Not found."})
    return None


def get_disagrees_with_list(answer: dict[str, Any]) -> None:
    result = answer.get("result")
    badge = result.get("badge") if isinstance(result, dict) else None
    if isinstance(badge, dict) and badge.get("code") == "0":
        badge["title"] = "Not what list says"


INCONSISTENT: list[Any] = [
    pytest.param(answers_other_badge, "answered the badge 'missedCall'", id="get-answers-another"),
    pytest.param(rewriting(add_answers_other_title), "is not returned as sent", id="add-answer"),
    pytest.param(successes(total_off_by_one), "list's total is", id="total-wrong"),
    pytest.param(successes(next_that_stays), "list's next is 0", id="next-stays"),
    pytest.param(successes(listed_twice), "more than once", id="listed-twice"),
    pytest.param(
        successes(list_hides_missed_call), "but a complete list does not", id="get-not-listed"
    ),
    pytest.param(
        rewriting(get_says_not_found_for_the_first_badge),
        "a complete list shows 'missedCall', but get answers NOT_FOUND",
        id="listed-not-gettable",
    ),
    pytest.param(successes(get_disagrees_with_list), "list returns", id="get-list-disagree"),
    pytest.param(lying_encoding, "content encoding", id="content-encoding-lies"),
]


RUNS = [
    pytest.param(
        *case.values,
        read_only,
        id=f"{mode}-{case.id}",
        marks=[pytest.mark.slow] if read_only else [],  # the writing run proves the check fast
    )
    for case in INCONSISTENT
    for mode, read_only in (("writes", False), ("read-only", True))
    if not (read_only and case.id == "add-answer")  # a read-only run sends no add
]


@pytest.mark.parametrize(("wrap", "violation", "read_only"), RUNS)
def test_an_inconsistent_portal_is_caught(
    against: Callable[..., Run], wrap: Wrap, violation: str, read_only: bool
) -> None:
    run = against(wrap, read_only=read_only)
    assert run.status == 1, run.stdout + run.stderr
    assert "DOES NOT CONFORM" in run.summary
    assert violation in run.summary, run.summary
