"""Data safety, in process: confining write cases, and cleanup against an in-thread portal."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from b24_conformance.journal import Journal
from b24_conformance.safety import clean_up, confine, new_run_prefix
from b24_conformance.target import Target
from b24_emulator import MISSED_CALL, Badge, RunningEmulator, run_emulator
from b24_spec.methods import ADD, DELETE, LIST
from tests.conformance.conftest import SETTINGS, url_of
from tests.portals import (
    Answer,
    Counting,
    Exchange,
    intercepting,
    json_answer,
    paged_list,
    rewriting,
)

PREFIX = "b24ct-0badc0de-"
CUSTOMER = (MISSED_CALL, Badge("b24ct-", "Not ours", "X", "warning"))


def target_on(portal: RunningEmulator, prefix: str = PREFIX) -> Target:
    return Target(
        url_of(portal),
        writes=True,
        bundled=False,
        rate_limit=None,
        max_requests=None,
        prefix=prefix,
    )


@pytest.fixture
def portal() -> Iterator[RunningEmulator]:
    with run_emulator(replace(SETTINGS, seed=CUSTOMER)) as running:
        yield running


def codes(portal: RunningEmulator) -> list[str]:
    return [badge.code for badge in portal.portal.store.list()]


def test_confine_moves_the_code_under_the_prefix_and_drops_stray_keys() -> None:
    params = {"code": "missedCall", "title": "T", "value": "V", "type": "success", "id": 5}
    confined = confine(params, PREFIX)
    assert confined == {
        "code": PREFIX + "missedCall",
        "title": "T",
        "value": "V",
        "type": "success",
    }


def test_confine_keeps_the_deep_object_keys_of_a_get_add() -> None:
    query = {"code": "x", "title[ru]": "Т", "title[en]": "T", "value[en]": "V", "type": "warning"}
    confined = confine(query, PREFIX)
    assert confined == {**query, "code": PREFIX + "x"}


def test_confine_never_changes_what_it_was_given() -> None:
    """A case may share its parameters with the spec's example: changing them in place piled
    prefixes up (`b24ct-...-s6-b24ct-...-s2-...`) from one scenario to the next."""
    example = {"code": "missedCall", "title": "T", "value": "V", "type": "failure"}
    first = confine(example, PREFIX + "s1-")
    second = confine(example, PREFIX + "s2-")
    assert example["code"] == "missedCall"
    assert first is not None
    assert first["code"] == PREFIX + "s1-missedCall"
    assert second is not None
    assert second["code"] == PREFIX + "s2-missedCall"


@pytest.mark.parametrize("params", [{"code": 5}, {"code": None}, {}, [], "code"])
def test_confine_refuses_a_case_without_a_string_code(params: object) -> None:
    assert confine(params, PREFIX) is None


def test_run_prefixes_are_unique() -> None:
    assert new_run_prefix() != new_run_prefix()
    assert new_run_prefix().startswith("b24ct-")


def test_the_journal_keeps_what_was_sent_and_not_deleted(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "state" / "journal.jsonl", "https://portal/rest/1/***")
    other = Journal(journal.path, "https://elsewhere/rest/1/***")
    journal.record(PREFIX + "a")
    journal.record(PREFIX + "b")
    other.record(PREFIX + "c")
    journal.forget([PREFIX + "a"])
    with journal.path.open("a", encoding="utf-8") as stream:
        stream.write('{"portal": "https://portal/rest/1/***", "co')  # a killed run's last line
    assert journal.pending() == [PREFIX + "b"]
    assert other.pending() == [PREFIX + "c"]


def test_cleanup_deletes_what_the_run_wrote_and_nothing_else(portal: RunningEmulator) -> None:
    target = target_on(portal)
    for suffix in ("a", "b"):
        target.post(ADD, {"code": PREFIX + suffix, "title": "T", "value": "V", "type": "success"})
    result = clean_up(target, lambda code: code.startswith(PREFIX), target.transport.written)
    target.close()
    assert sorted(result.deleted) == [PREFIX + "a", PREFIX + "b"]
    assert result.clean
    assert codes(portal) == [badge.code for badge in CUSTOMER]


def test_cleanup_finds_badges_on_every_page_of_list() -> None:
    leftovers = tuple(Badge(f"{PREFIX}{n}", "T", "V", "success") for n in range(7))
    with run_emulator(replace(SETTINGS, seed=CUSTOMER + leftovers), wrap=paged_list(3)) as portal:
        target = target_on(portal)
        result = clean_up(target, lambda code: code.startswith(PREFIX))
        target.close()
        left = codes(portal)
    assert sorted(result.deleted) == sorted(badge.code for badge in leftovers)
    assert left == [badge.code for badge in CUSTOMER]


def test_a_delete_counts_only_when_the_portal_confirms_it() -> None:
    """HTTP 200 with an error body is not a delete."""
    leftover = (Badge(PREFIX + "x", "T", "V", "success"),)

    fake_ok = intercepting(
        lambda exchange: (
            json_answer(200, {"error": "ACCESS_DENIED", "error_description": ""})
            if exchange.method == DELETE
            else None
        )
    )
    with run_emulator(replace(SETTINGS, seed=CUSTOMER + leftover), wrap=fake_ok) as portal:
        target = target_on(portal)
        result = clean_up(target, lambda code: code.startswith(PREFIX))
        target.close()
    assert result.deleted == []
    assert PREFIX + "x" in result.left
    assert not result.clean
    assert "was not confirmed: HTTP 200" in (result.error or "")


def test_cleanup_stops_at_a_next_that_does_not_advance() -> None:
    counts: dict[str, int] = {}

    def stuck(exchange: Exchange) -> Answer | None:
        if exchange.method != LIST:
            return None
        answer = json.loads(exchange.body)
        return json_answer(200, {**answer, "next": 0, "total": 100})

    wrap = lambda app: Counting(rewriting(stuck)(app), counts)  # noqa: E731
    with run_emulator(replace(SETTINGS, seed=CUSTOMER), wrap=wrap) as portal:
        target = target_on(portal)
        result = clean_up(target, lambda code: code.startswith(PREFIX))
        target.close()
    assert "does not advance" in (result.error or "")
    assert counts[LIST] <= 2
