"""Batch and the bulk helpers against the emulator over HTTP: each call's outcome is what its
direct method returns or raises, in call order, 50 calls per request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from b24_badge_client import (
    AccessDenied,
    AsyncBadgeClient,
    AuthenticationError,
    Badge,
    BadgeClient,
    BadgeType,
    BitrixError,
    Call,
    InvalidArguments,
    LanguageMap,
    NotFound,
)
from b24_emulator import RunningEmulator, run_emulator
from tests.client.conftest import ADMIN, NO_SCOPE, NON_ADMIN, SETTINGS, TOKEN
from tests.portals import Counting

TITLES = {"ru": "Внимание & [скобки] = 100%", "en": "Alarm +1 ?x=y#z", "de": "a b"}


@pytest.fixture
def counted() -> Iterator[tuple[RunningEmulator, dict[str, int]]]:
    """A fresh emulator that counts the requests reaching it, per method."""
    counts: dict[str, int] = {}
    with run_emulator(SETTINGS, wrap=lambda app: Counting(app, counts)) as running:
        yield running, counts


def client_for(running: RunningEmulator, hook: Any = ADMIN) -> BadgeClient:
    return BadgeClient.from_webhook(running.webhook_url(hook), rate_limit=None)


def outcome_of(direct: Callable[[], object]) -> object:
    """What a direct call returns, or the error it raises."""
    try:
        return direct()
    except BitrixError as error:
        return error


def same(batched: object, direct: object) -> bool:
    """Equal values, or errors of the same class, code and description."""
    if isinstance(direct, BitrixError):
        return (
            type(batched) is type(direct)
            and isinstance(batched, BitrixError)
            and (batched.code, batched.description) == (direct.code, direct.description)
        )
    return batched == direct


def scenario(client: BadgeClient) -> list[tuple[Call[Any], Callable[[], object]]]:
    """Calls, each with the direct call it stands for, meeting every kind of outcome."""
    return [
        (Call.get("missedCall"), lambda: client.get("missedCall")),
        (Call.get("nope"), lambda: client.get("nope")),  # NOT_FOUND
        (Call.add("b1", TITLES, "!", "warning"), lambda: client.add("b1", TITLES, "!", "warning")),
        (Call.add("b1", "T", "V", "primary"), lambda: client.add("b1", "T", "V", "primary")),
        (Call.get("b1"), lambda: client.get("b1")),
        (Call.list(), client.list),
        (Call.delete("b1"), lambda: client.delete("b1")),
        (Call.delete("b1"), lambda: client.delete("b1")),  # NOT_FOUND
        (Call.get(""), lambda: client.get("")),  # REQUIRED_ARG_MISSING
    ]


@pytest.mark.parametrize("hook", [ADMIN, NON_ADMIN, NO_SCOPE], ids=["admin", "user", "no-scope"])
def test_each_outcome_is_what_the_direct_call_gives(emulator: RunningEmulator, hook: Any) -> None:
    with client_for(emulator, hook) as client:
        calls = scenario(client)
        batched = client.batch([call for call, _ in calls])
        emulator.reset()
        direct = [outcome_of(call) for _, call in calls]
    assert len(batched) == len(direct)
    for index, (got, want) in enumerate(zip(batched, direct, strict=True)):
        assert same(got, want), f"call {index}: batch gave {got!r}, the direct call {want!r}"
    kinds = {type(item) for item in direct}
    expected = {
        "admin": {Badge, NotFound, BitrixError, list, type(None), InvalidArguments},
        "user": {Badge, NotFound, AccessDenied, list, InvalidArguments},
        "no-scope": {AuthenticationError},
    }
    assert kinds == expected[{ADMIN: "admin", NON_ADMIN: "user", NO_SCOPE: "no-scope"}[hook]]


def test_results_are_the_generated_models(client: BadgeClient) -> None:
    badge, listed, deleted = client.batch(
        [Call.add("b2", TITLES, "V", BadgeType.SUCCESS), Call.list(), Call.delete("b2")]
    )
    assert isinstance(badge, Badge)
    assert isinstance(badge.title, LanguageMap)
    assert badge.title.to_dict() == TITLES  # brackets, &, =, %, +, # and spaces survive
    assert badge.type_ is BadgeType.SUCCESS
    assert isinstance(listed, list)
    assert [b.code for b in listed if isinstance(b, Badge)] == ["missedCall", "b2"]
    assert deleted is None


def test_a_sub_error_keeps_its_entry_and_command(client: BadgeClient) -> None:
    (error,) = client.batch([Call.get("nope")])
    assert isinstance(error, NotFound)
    assert error.entry == {"error": "NOT_FOUND", "error_description": "Not found."}
    assert error.command == "crm.activity.badge.get?code=nope"
    assert error.status_code == 200  # the batch's: a batch says no status per call
    assert "crm.activity.badge.get?code=nope in a batch: NOT_FOUND: Not found." in str(error)


def test_120_calls_are_three_requests_in_call_order(
    counted: tuple[RunningEmulator, dict[str, int]],
) -> None:
    running, counts = counted
    codes = [f"c{i:03}" for i in range(120)]
    with client_for(running) as client:
        added = client.batch([Call.add(code, code.upper(), "V", "primary") for code in codes])
        assert counts == {"batch": 3}
        # every third code is missing: errors and results interleave across the chunks
        asked = [code if i % 3 else f"missing-{code}" for i, code in enumerate(codes)]
        found = client.batch([Call.get(code) for code in asked])
    assert counts == {"batch": 6}
    assert [badge.code for badge in added if isinstance(badge, Badge)] == codes
    for i, (code, outcome) in enumerate(zip(asked, found, strict=True)):
        if i % 3:
            assert isinstance(outcome, Badge)
            assert (outcome.code, outcome.title) == (code, code.upper())
        else:
            assert isinstance(outcome, NotFound)
            assert outcome.command == f"crm.activity.badge.get?code={code}"


def test_an_empty_batch_sends_nothing(counted: tuple[RunningEmulator, dict[str, int]]) -> None:
    running, counts = counted
    with client_for(running) as client:
        assert client.batch([]) == []
        assert client.get_many([]) == {}
    assert counts == {}


def test_halt_ends_the_list_at_the_first_error_and_sends_no_more_requests(
    counted: tuple[RunningEmulator, dict[str, int]],
) -> None:
    running, counts = counted
    calls = [Call.add(f"h{i}", "T", "V", "primary") for i in range(60)]
    calls[45] = Call.get("nope")
    with client_for(running) as client:
        found = client.batch(calls, halt=True)
        assert len(found) == 46
        assert all(isinstance(item, Badge) for item in found[:45])
        assert isinstance(found[45], NotFound)
        assert counts == {"batch": 1}, "the second chunk was not sent"
        assert "h46" not in [b.code for b in client.list()], "the portal halted too"


def test_raise_errors_raises_the_first_error_after_the_calls_before_it_ran(
    counted: tuple[RunningEmulator, dict[str, int]],
) -> None:
    running, counts = counted
    calls = [
        Call.add("r1", "T", "V", "primary"),
        Call.delete("nope"),
        Call.add("r2", "T", "V", "primary"),
    ]
    with client_for(running) as client:
        with pytest.raises(NotFound) as caught:
            client.batch(calls, raise_errors=True)
        assert caught.value.command == "crm.activity.badge.delete?code=nope"
        assert counts == {"batch": 1}
        assert [b.code for b in client.list()] == ["missedCall", "r1"]
        (badge,) = client.batch([Call.get("r1")], raise_errors=True)
        assert badge.code == "r1"  # typed Badge: no error can be in the list


def test_get_many_by_code_without_raising_for_a_missing_one(client: BadgeClient) -> None:
    client.add("g1", "T", "V", "primary")
    found = client.get_many(["g1", "nope", "missedCall", "g1"])
    assert list(found) == ["g1", "nope", "missedCall"]  # in order, each code once
    assert isinstance(found["g1"], Badge)
    assert found["g1"].code == "g1"
    assert isinstance(found["nope"], NotFound)
    assert isinstance(found["missedCall"], Badge)
    with pytest.raises(NotFound, match="code=nope"):
        client.get_many(["g1", "nope"], raise_errors=True)
    assert client.get_many(["g1"], raise_errors=True) == {"g1": client.get("g1")}


def test_add_many_and_delete_many(client: BadgeClient) -> None:
    badges = [
        Badge(code="m1", title="One", value="1", type_=BadgeType.PRIMARY),
        Badge(code="missedCall", title="Taken", value="!", type_=BadgeType.FAILURE),
        Badge(code="m2", title=LanguageMap.from_dict(TITLES), value="2", type_=BadgeType.WARNING),
    ]
    added = client.add_many(badges)
    assert list(added) == ["m1", "missedCall", "m2"]
    assert added["m1"] == client.get("m1")
    assert type(added["missedCall"]) is BitrixError  # a taken code: no more specific class
    assert added["m2"] == client.get("m2")
    gone = client.delete_many(["m1", "nope", "m2", "m1"])  # each code once: m1's None stays
    assert gone["m1"] is None
    assert gone["m2"] is None
    assert isinstance(gone["nope"], NotFound)
    assert [b.code for b in client.list()] == ["missedCall"]
    with pytest.raises(NotFound):
        client.delete_many(["missedCall", "nope", "other"], raise_errors=True)
    assert client.list() == [], "missedCall went before the error; nothing after it ran"


def test_badges_copied_from_another_portal(emulator: RunningEmulator) -> None:
    with run_emulator(SETTINGS) as other, client_for(emulator) as source:
        source.add("copy1", TITLES, "V", "secondary")
        with client_for(other) as target:
            target.delete("missedCall")
            copied = target.add_many(source.list(), raise_errors=True)
            assert list(copied) == ["missedCall", "copy1"]
            assert target.list() == source.list()


def test_bad_input_is_refused_before_anything_is_sent(
    counted: tuple[RunningEmulator, dict[str, int]],
) -> None:
    running, counts = counted
    twice = [Badge(code="d", title="T", value="V", type_=BadgeType.PRIMARY)] * 2
    with client_for(running) as client:
        with pytest.raises(ValueError, match="repeated: \\['d'\\]"):
            client.add_many(twice)
        with pytest.raises(TypeError, match="not one string"):
            client.get_many("missedCall")
    assert counts == {}


def test_async_batch_and_helpers(counted: tuple[RunningEmulator, dict[str, int]]) -> None:
    running, counts = counted

    async def scenario() -> list[object]:
        async with AsyncBadgeClient.from_webhook(running.webhook_url(), rate_limit=None) as client:
            added = await client.add_many(
                [
                    Badge(code=f"a{i}", title="T", value="V", type_=BadgeType.PRIMARY)
                    for i in range(70)
                ]
            )
            assert all(isinstance(item, Badge) for item in added.values())
            found = await client.get_many(["a0", "nope", "a69"])
            assert isinstance(found["nope"], NotFound)
            with pytest.raises(NotFound):
                await client.get_many(["nope"], raise_errors=True)
            halted = await client.batch([Call.get("nope")] + [Call.get("a0")] * 60, halt=True)
            gone = await client.delete_many([f"a{i}" for i in range(70)], raise_errors=True)
            assert set(gone.values()) == {None}
            return [found["a0"], found["a69"], *halted]

    a0, a69, *halted = asyncio.run(scenario())
    assert isinstance(a0, Badge)
    assert isinstance(a69, Badge)
    assert (a0.code, a69.code) == ("a0", "a69")
    assert len(halted) == 1
    assert isinstance(halted[0], NotFound)
    # add_many 2 requests, get_many 1, raising get_many 1, halted batch 1, delete_many 2
    assert counts == {"batch": 7}


def test_oauth_batch(emulator: RunningEmulator) -> None:
    with BadgeClient.from_oauth(emulator.base_url, TOKEN.token, rate_limit=None) as client:
        badge, missing = client.batch([Call.get("missedCall"), Call.get("nope")])
    assert isinstance(badge, Badge)
    assert isinstance(missing, NotFound)
