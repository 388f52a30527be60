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
    added().observe(LIST, {}, 200, ok({"badges": []}, next=50, total=51))


def test_a_form_encoded_add_is_not_compared_field_by_field() -> None:
    """A form carries strings only: `title[ru]=...` comes back as a map, not as sent."""
    model = PortalModel()
    model.observe(ADD, B, 200, ok({"badge": B}), exact=False)
    model.observe(GET, {"code": B["code"]}, 200, ok({"badge": {**B, "title": {"ru": "T"}}}))


def test_codes_the_run_did_not_write_are_not_judged() -> None:
    model = PortalModel()
    model.observe(GET, {"code": "missedCall"}, 400, NOT_FOUND)
    model.observe(DELETE, {"code": "missedCall"}, 400, NOT_FOUND)
