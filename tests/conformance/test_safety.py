"""Data safety, in process: confining write cases, and cleanup against an in-thread portal."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from b24_conformance.safety import clean_up, confine, new_run_prefix, owned_by_any_run
from b24_conformance.target import Target
from b24_emulator import MISSED_CALL, Badge, RunningEmulator, run_emulator
from b24_spec.methods import ADD
from tests.conformance.conftest import SETTINGS, url_of
from tests.portals import paged_list

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
    assert confine(params, PREFIX)
    assert params == {"code": PREFIX + "missedCall", "title": "T", "value": "V", "type": "success"}


@pytest.mark.parametrize("params", [{"code": 5}, {"code": None}, {}, [], "code"])
def test_confine_refuses_a_case_without_a_string_code(params: object) -> None:
    assert not confine(params, PREFIX)


def test_run_prefixes_are_unique_and_recognised() -> None:
    first, second = new_run_prefix(), new_run_prefix()
    assert first != second
    assert owned_by_any_run(first + "x")
    assert not owned_by_any_run("b24ct-x")
    assert not owned_by_any_run("missedCall")


def test_cleanup_deletes_what_the_run_wrote_and_nothing_else(portal: RunningEmulator) -> None:
    target = target_on(portal)
    for suffix in ("a", "b"):
        target.post(ADD, {"code": PREFIX + suffix, "title": "T", "value": "V", "type": "success"})
    result = clean_up(target, lambda code: code.startswith(PREFIX))
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
