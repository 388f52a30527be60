"""When a batch's requests may be in flight together, and when they must go in order.

A portal runs the commands of one request in order; across requests only the client keeps the
order. Requests go together only when their order cannot change an outcome; the outcomes come
back in call order either way, and an error ends the batch as a direct call's would.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from b24_badge_client import (
    AsyncBadgeClient,
    Badge,
    BadgeClient,
    BadgeType,
    Call,
    NotFound,
    PortalError,
)
from b24_badge_client._batch import chunks, in_any_order
from b24_emulator import RunningEmulator, run_emulator
from tests.client.conftest import SETTINGS
from tests.portals import Answer, Exchange, intercepting, json_answer


class InFlight:
    """Counts the batch requests in flight at once. Each waits, up to `patience` seconds, for a
    second one to arrive: requests sent together then overlap for certain, and requests sent
    one after another never do."""

    def __init__(self, app: ASGIApp, patience: float) -> None:
        self.app = app
        self.patience = patience
        self.now = 0
        self.most = 0
        self.arrived: asyncio.Event | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope["path"]).endswith("/batch"):
            await self.app(scope, receive, send)
            return
        self.arrived = self.arrived or asyncio.Event()
        self.now += 1
        self.most = max(self.most, self.now)
        if self.now > 1:
            self.arrived.set()
        with suppress(TimeoutError):
            await asyncio.wait_for(self.arrived.wait(), self.patience)
        try:
            await self.app(scope, receive, send)
        finally:
            self.now -= 1


@contextmanager
def watched(patience: float) -> Iterator[tuple[RunningEmulator, InFlight]]:
    holder: list[InFlight] = []

    def wrap(app: Any) -> ASGIApp:
        holder.append(InFlight(app, patience))
        return holder[0]

    with run_emulator(SETTINGS, wrap=wrap) as running:
        yield running, holder[0]


def client_of(running: RunningEmulator) -> BadgeClient:
    return BadgeClient.from_webhook(running.webhook_url(), rate_limit=None)


def badges(prefix: str, count: int) -> list[Badge]:
    return [
        Badge(code=f"{prefix}{i}", title="T", value="V", type_=BadgeType.PRIMARY)
        for i in range(count)
    ]


def test_the_bulk_helpers_requests_are_in_flight_together() -> None:
    with watched(patience=10.0) as (running, flight), client_of(running) as client:
        added = client.add_many(badges("f", 200))
        assert flight.most >= 2
        found = client.get_many([f"f{i}" for i in range(200)])
        gone = client.delete_many([f"f{i}" for i in range(200)])
    assert [badge.code for badge in added.values() if isinstance(badge, Badge)] == list(added)
    assert list(found) == [f"f{i}" for i in range(200)]  # call order, whatever came back first
    assert all(isinstance(badge, Badge) and badge.code == code for code, badge in found.items())
    assert set(gone.values()) == {None}


def test_requests_whose_order_matters_go_one_after_another() -> None:
    """o1 is added in the first request and deleted in the second: together, the delete could
    run first. patience=0.3: requests sent together would overlap within it."""
    calls: list[Call[Any]] = [Call.add("o1", "T", "V", "primary"), *[Call.get("missedCall")] * 59]
    calls.append(Call.delete("o1"))
    with watched(patience=0.3) as (running, flight), client_of(running) as client:
        found = client.batch(calls)
    assert flight.most == 1
    assert isinstance(found[0], Badge)
    assert found[-1] is None


def test_async_requests_are_in_flight_together_too() -> None:
    async def scenario(url: str) -> dict[str, Badge | Any]:
        async with AsyncBadgeClient.from_webhook(url, rate_limit=None) as client:
            await client.add_many(badges("a", 150))
            return await client.get_many([f"a{i}" for i in range(150)])

    with watched(patience=10.0) as (running, flight):
        found = asyncio.run(scenario(running.webhook_url()))
        assert flight.most >= 2
    assert list(found) == [f"a{i}" for i in range(150)]
    assert all(isinstance(badge, Badge) for badge in found.values())


def failing_second_batch() -> Any:
    seen: list[int] = []
    broken = {"error": "INTERNAL_SERVER_ERROR", "error_description": "Internal server error"}

    def before(exchange: Exchange) -> Answer | None:
        if exchange.method != "batch":
            return None
        seen.append(1)
        return json_answer(500, broken) if len(seen) == 2 else None

    return intercepting(before)


def test_a_failing_request_raises_its_own_error() -> None:
    with (
        run_emulator(SETTINGS, wrap=failing_second_batch()) as running,
        client_of(running) as client,
        pytest.raises(PortalError),
    ):
        client.get_many([f"x{i}" for i in range(200)])


def test_a_failing_async_request_raises_its_own_error() -> None:
    async def scenario(url: str) -> None:
        async with AsyncBadgeClient.from_webhook(url, rate_limit=None) as client:
            await client.get_many([f"y{i}" for i in range(200)])

    with (
        run_emulator(SETTINGS, wrap=failing_second_batch()) as running,
        pytest.raises(PortalError),  # not an ExceptionGroup of the requests in flight
    ):
        asyncio.run(scenario(running.webhook_url()))


def order(*requests: list[Call[Any]]) -> bool:
    return in_any_order(requests)


def test_which_requests_may_go_in_any_order() -> None:
    get, add, delete, listing = Call.get, Call.add, Call.delete, Call.list
    assert order([get("a"), get("b")], [get("a"), get("c")])  # reads commute
    assert order([add("a", "T", "V", "primary")], [delete("b")])  # other badges
    assert order([add("a", "T", "V", "primary"), listing()], [get("b")])
    assert order([listing()], [get("a")], [listing()])
    assert not order([add("a", "T", "V", "primary")], [delete("a")])
    assert not order([get("a")], [delete("a")])
    assert not order([add("a", "T", "V", "primary")], [listing()])
    assert not order([delete("a"), listing()], [delete("b")])
    assert not in_any_order(chunks([get("a")] * 50)), "one request: nothing to overlap"
    assert [len(chunk) for chunk in chunks([get("a")] * 120)] == [50, 50, 20]


def test_halt_keeps_requests_in_order(emulator: RunningEmulator) -> None:
    with client_of(emulator) as client:
        found = client.batch([Call.get(f"h{i}") for i in range(120)], halt=True)
    assert len(found) == 1
    assert isinstance(found[0], NotFound)


def test_the_worker_threads_are_made_once_and_end_with_the_client(
    emulator: RunningEmulator,
) -> None:
    client = client_of(emulator)
    client.get_many([f"w{i}" for i in range(200)])
    pool = client._pool
    assert pool is not None
    threads = set(pool._threads)
    assert 1 <= len(threads) <= 4
    client.get_many([f"w{i}" for i in range(200)])
    assert client._pool is pool, "the next batch reuses them"
    client.close()
    assert not any(thread.is_alive() for thread in threads)
