"""The portal model, in process: a sequence of exchanges, and the inconsistency it names."""

from __future__ import annotations

import pytest

from b24_conformance.model import PortalModel
from b24_spec.methods import ADD, DELETE, GET, LIST
from tests.conformance.support import badge, ok

NOT_FOUND = {"error": "NOT_FOUND", "error_description": "Not found."}
B = badge("b24ct-00000000-a")


def added(model: PortalModel | None = None) -> PortalModel:
    model = model or PortalModel()
    model.observe(ADD, B, 200, ok({"badge": B}))
    return model


def test_a_conforming_lifecycle_passes() -> None:
    model = added()
    model.observe(GET, {"code": B["code"]}, 200, ok({"badge": B}))
    model.observe(LIST, {}, 200, ok({"badges": [B]}))
    model.observe(ADD, B, 400, {"error": "ERROR_BADGE_ALREADY_EXISTS", "error_description": ""})
    model.observe(DELETE, {"code": B["code"]}, 200, ok(True))
    model.observe(GET, {"code": B["code"]}, 404, NOT_FOUND)
    model.observe(DELETE, {"code": B["code"]}, 400, NOT_FOUND)
    model.observe(LIST, {}, 200, ok({"badges": []}))


@pytest.mark.parametrize(
    ("method", "params", "status", "answer", "message"),
    [
        (GET, {"code": B["code"]}, 400, NOT_FOUND, "was added, but get answers NOT_FOUND"),
        (DELETE, {"code": B["code"]}, 400, NOT_FOUND, "was added, but delete answers NOT_FOUND"),
        (ADD, B, 200, ok({"badge": B}), "succeeded although that code exists"),
        (LIST, {}, 200, ok({"badges": []}), "was added, but list does not return it"),
        (
            GET,
            {"code": B["code"]},
            200,
            ok({"badge": {**B, "title": "Other"}}),
            "title: added 'T', get returns 'Other'",
        ),
        (
            LIST,
            {},
            200,
            ok({"badges": [{**B, "type": "failure"}]}),
            "type: added 'success', list returns 'failure'",
        ),
    ],
)
def test_an_inconsistency_after_add_is_named(
    method: str, params: object, status: int, answer: object, message: str
) -> None:
    model = added()
    with pytest.raises(AssertionError, match=message):
        model.observe(method, params, status, answer)


@pytest.mark.parametrize(
    ("method", "status", "answer", "message"),
    [
        (GET, 200, ok({"badge": B}), "still returned by get after its delete"),
        (DELETE, 200, ok(True), "delete of .* succeeded again after its delete"),
        (LIST, 200, ok({"badges": [B]}), "still listed after its delete"),
    ],
)
def test_an_inconsistency_after_delete_is_named(
    method: str, status: int, answer: object, message: str
) -> None:
    model = added()
    model.observe(DELETE, {"code": B["code"]}, 200, ok(True))
    with pytest.raises(AssertionError, match=message):
        model.observe(method, {"code": B["code"]}, status, answer)


def test_a_page_of_a_paged_list_may_miss_a_badge() -> None:
    added().observe(LIST, {}, 200, ok({"badges": [badge("other")]}, next=1, total=2))


def test_a_form_encoded_add_is_not_compared_field_by_field() -> None:
    """A form carries strings only: `title[ru]=...` comes back as a map, not as sent."""
    model = PortalModel()
    stored = {**B, "title": {"ru": "T"}}
    model.observe(ADD, B, 200, ok({"badge": stored}), exact=False)
    model.observe(GET, {"code": B["code"]}, 200, ok({"badge": stored}))
    with pytest.raises(AssertionError, match="title: added"):
        model.observe(GET, {"code": B["code"]}, 200, ok({"badge": B}))


def test_an_add_must_answer_what_was_sent() -> None:
    with pytest.raises(AssertionError, match="title: sent 'T', add returns 'X'"):
        PortalModel().observe(ADD, B, 200, ok({"badge": {**B, "title": "X"}}))


@pytest.mark.parametrize(
    ("params", "answer", "message"),
    [
        ({}, ok({"badges": [B]}, total=2), "total is 2, but the list .* has 1 badge"),
        ({}, ok({"badges": [B]}, next=5, total=9), "next is 5, but start 0 \\+ 1"),
        ({"start": 1}, ok({"badges": [B]}, next=2, total=2), "next \\(2\\) is not below total"),
        ({}, ok({"badges": [B, B]}), "same code more than once"),
    ],
)
def test_paging_fields_agree_with_the_page(params: object, answer: object, message: str) -> None:
    with pytest.raises(AssertionError, match=message):
        PortalModel().observe(LIST, params, 200, answer)


def test_get_must_answer_the_badge_asked_for() -> None:
    with pytest.raises(AssertionError, match="get of 'a' answered the badge 'b'"):
        PortalModel().observe(GET, {"code": "a"}, 200, ok({"badge": badge("b")}))


def test_foreign_badges_agree_between_get_and_list() -> None:
    model = PortalModel()
    model.observe(LIST, {}, 200, ok({"badges": [badge("a")]}))
    with pytest.raises(AssertionError, match="a complete list shows 'a', but get answers"):
        model.observe(GET, {"code": "a"}, 400, NOT_FOUND)
    with pytest.raises(AssertionError, match="get returns badge 'b', but a complete list did not"):
        model.observe(GET, {"code": "b"}, 200, ok({"badge": badge("b")}))
    later = PortalModel()
    later.observe(GET, {"code": "c"}, 400, NOT_FOUND)
    with pytest.raises(AssertionError, match="get answered NOT_FOUND for 'c', but list shows it"):
        later.observe(LIST, {}, 200, ok({"badges": [badge("c")]}))


@pytest.mark.parametrize(
    ("method", "params", "status", "error", "refused"),
    [
        (GET, {"code": "x"}, 400, "NOT_FOUND", False),
        (DELETE, {"code": "x"}, 404, "NOT_FOUND", False),
        (ADD, B, 400, "ERROR_BADGE_ALREADY_EXISTS", False),  # B was added: a duplicate
        (GET, {"code": "x"}, 403, "ACCESS_DENIED", False),  # rights: the auth checks' business
        (ADD, badge("fresh"), 400, "INVALID_ARG_VALUE", True),
        (GET, {"code": "x"}, 400, "INVALID_REQUEST", True),
        (LIST, {}, 415, "", True),
    ],
)
def test_a_valid_request_is_accepted_unless_the_state_explains_it(
    method: str, params: object, status: int, error: str, refused: bool
) -> None:
    model = added()
    body = {"error": error, "error_description": ""}
    if refused:
        with pytest.raises(AssertionError, match=r"a valid .* call was refused"):
            model.accepts(method, params, status, body)
    else:
        model.accepts(method, params, status, body)


def test_codes_the_run_did_not_write_are_not_judged() -> None:
    model = PortalModel()
    model.observe(GET, {"code": "missedCall"}, 400, NOT_FOUND)
    model.observe(DELETE, {"code": "missedCall"}, 400, NOT_FOUND)
