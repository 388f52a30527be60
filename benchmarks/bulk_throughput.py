"""Bulk throughput against a portal at the cloud limit: our client's batch and fast_bitrix24's,
each as a ratio to the physical limit, in one run on one emulator.

    python -m benchmarks.bulk_throughput [--rounds N] [--sustained N]

The emulator runs in this process with the cloud's rate limit (a leaky bucket of 50 requests,
draining at 2 per second) and 1,000 seeded badges. Each contender starts on fresh limits
(`RunningEmulator.reset()`) and does 1,000 badge gets, then 200 adds and 200 deletes; each result
is checked, so that no contender is timed for work it did not do. Then, again on fresh limits,
`--sustained` gets (default 5,000: 100 requests), which run past the burst: there the 2/s drain,
not the machine, sets the pace.

The physical limit of a task is the least time any client could take: its calls in requests of
50 (the portal's most), each request sent as soon as the bucket admits it (the burst at once,
then one per 1/2 s, counting the requests the contender sent before on the same bucket), and
each answered as fast as this emulator answers a bare request. That last part is measured in the
same run: a bare client (httpx posting the same batch bodies, prepared beforehand, and reading
nothing back) times each kind of request. Within the burst the rate limit costs nothing, so the
limit there is the emulator's own time; past it, the drain rate.

Targets: our client no slower than fast_bitrix24 on every task, and within 10% of the physical
limit (ratio at most 1.10).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass

import httpx
from fast_bitrix24 import Bitrix  # type: ignore[import-untyped]  # no py.typed

from b24_badge_client import Badge, BadgeClient, BadgeType, LanguageMap
from b24_emulator import RunningEmulator, Settings, Webhook, run_emulator
from b24_emulator.config import MISSED_CALL
from b24_emulator.store import Badge as PortalBadge

TARGET = 1.10
PER_REQUEST = 50  # commands per batch request (docs batch.md)
BURST, PER_SECOND = 50, 2.0  # the cloud's leaky bucket, the emulator's default
GETS, WRITES = 1000, 200
HOOK = Webhook(1, "bulk-benchmark-code")
TITLE = {"ru": "Срок", "en": "Due"}


def codes(prefix: str, count: int) -> list[str]:
    return [f"{prefix}{i:05}" for i in range(count)]


def stored_codes(portal: RunningEmulator) -> set[str]:
    return {badge.code for badge in portal.portal.store.list()}


@dataclass(frozen=True)
class Task:
    """One bulk job, as a contender's code does it; `requests` is the fewest it takes."""

    name: str
    requests: int


def gets_task(count: int) -> Task:
    return Task(f"{count:,} gets", math.ceil(count / PER_REQUEST))


WRITES_TASK = Task(f"{WRITES} adds + {WRITES} deletes", 2 * math.ceil(WRITES / PER_REQUEST))


class Contender:
    """A client doing the tasks; each method returns its wall time, having checked the work."""

    name = ""

    def gets(self, portal: RunningEmulator, wanted: list[str]) -> float:
        raise NotImplementedError

    def writes(self, portal: RunningEmulator, new: list[str]) -> float:
        raise NotImplementedError


class Ours(Contender):
    """b24_badge_client: get_many, add_many, delete_many, paced by the client itself."""

    name = "b24-badge-client"

    def __init__(self, url: str) -> None:
        self.url = url
        self.client: BadgeClient | None = None

    def start(self) -> None:
        self.client = BadgeClient.from_webhook(self.url)  # a fresh pacer, like fresh limits

    def stop(self) -> None:
        assert self.client is not None
        self.client.close()

    def gets(self, portal: RunningEmulator, wanted: list[str]) -> float:
        assert self.client is not None
        start = time.perf_counter()
        found = self.client.get_many(wanted, raise_errors=True)
        elapsed = time.perf_counter() - start
        assert [badge.code for badge in found.values()] == wanted
        return elapsed

    def writes(self, portal: RunningEmulator, new: list[str]) -> float:
        assert self.client is not None
        title = LanguageMap.from_dict(TITLE)
        badges = [Badge(code=code, title=title, value="!", type_=BadgeType.WARNING) for code in new]
        start = time.perf_counter()
        added = self.client.add_many(badges, raise_errors=True)
        stored = stored_codes(portal)
        self.client.delete_many(new, raise_errors=True)
        elapsed = time.perf_counter() - start
        assert list(added) == new
        assert set(new) <= stored
        assert not set(new) & stored_codes(portal)
        return elapsed


class FastBitrix(Contender):
    """fast_bitrix24: `call` with a list of items, which it packs into batches of 50."""

    name = "fast_bitrix24"

    def __init__(self, url: str) -> None:
        self.url = url
        self.bitrix: Bitrix | None = None

    def start(self) -> None:
        self.bitrix = Bitrix(self.url, verbose=False)  # a fresh throttler, like fresh limits

    def stop(self) -> None:
        self.bitrix = None

    def gets(self, portal: RunningEmulator, wanted: list[str]) -> float:
        assert self.bitrix is not None
        start = time.perf_counter()
        found = self.bitrix.call("crm.activity.badge.get", [{"code": code} for code in wanted])
        elapsed = time.perf_counter() - start
        # in the order its concurrent batches came back, not in call order
        assert sorted(badge["code"] for badge in found) == wanted
        return elapsed

    def writes(self, portal: RunningEmulator, new: list[str]) -> float:
        assert self.bitrix is not None
        items = [{"code": code, "title": TITLE, "value": "!", "type": "warning"} for code in new]
        start = time.perf_counter()
        added = self.bitrix.call("crm.activity.badge.add", items)
        stored = stored_codes(portal)
        deleted = self.bitrix.call("crm.activity.badge.delete", [{"code": c} for c in new])
        elapsed = time.perf_counter() - start
        assert sorted(badge["code"] for badge in added) == new
        assert set(new) <= stored
        assert list(deleted) == [True] * len(new)
        assert not set(new) & stored_codes(portal)
        return elapsed


def bare_times(portal: RunningEmulator, wanted: list[str], new: list[str]) -> dict[str, float]:
    """Seconds per request of each kind, as the emulator answers them to a client that does
    nothing else: the service-time part of the physical limit."""
    url = portal.webhook_url() + "batch"
    title = "&".join(f"title[{lang}]={text}" for lang, text in TITLE.items())

    def body(commands: list[str]) -> bytes:
        return json.dumps({"cmd": commands, "halt": 0}).encode()

    def chunked(commands: list[str]) -> list[bytes]:
        return [body(commands[i : i + PER_REQUEST]) for i in range(0, len(commands), PER_REQUEST)]

    kinds = {
        "get": chunked([f"crm.activity.badge.get?code={code}" for code in wanted]),
        "add": chunked(
            [f"crm.activity.badge.add?code={c}&{title}&value=!&type=warning" for c in new]
        ),
        "delete": chunked([f"crm.activity.badge.delete?code={code}" for code in new]),
    }
    portal.reset()
    before = stored_codes(portal)
    headers = {"content-type": "application/json"}
    times: dict[str, float] = {}
    with httpx.Client(headers=headers) as http:
        for kind, bodies in kinds.items():
            start = time.perf_counter()
            for content in bodies:
                http.post(url, content=content).read()
            times[kind] = (time.perf_counter() - start) / len(bodies)
    assert stored_codes(portal) == before, "the bare adds and deletes did their work"
    return times


def physical(services: Sequence[float], sent_before: int) -> float:
    """The least time for requests with these service times: each sent when the leaky bucket
    admits it (after `sent_before` requests on the same bucket, all at time 0) and when the one
    before it is answered."""
    finish = 0.0
    for index, service in enumerate(services):
        admitted = max(0.0, (sent_before + index + 1 - BURST) / PER_SECOND)
        finish = max(finish, admitted) + service
    return finish


@dataclass
class Row:
    task: Task
    limit: float
    times: dict[str, list[float]]


def run(rounds: int, sustained: int) -> list[Row]:
    wanted, new, many = codes("bench", GETS), codes("new", WRITES), codes("bench", sustained)
    seed = (MISSED_CALL, *(PortalBadge(code, "Title", "Value", "primary") for code in many))
    settings = Settings(webhooks=(HOOK,), seed=seed)  # the cloud's 50, then 2/s, by default
    with run_emulator(settings) as portal:
        url = portal.webhook_url()
        contenders: list[Ours | FastBitrix] = [Ours(url), FastBitrix(url)]
        bare: list[dict[str, float]] = []
        small: dict[str, dict[str, list[float]]] = {"gets": {}, "writes": {}}
        for round_ in range(rounds):
            bare.append(bare_times(portal, wanted, new))
            for contender in contenders[:: 1 if round_ % 2 == 0 else -1]:  # alternate who starts
                portal.reset()
                contender.start()
                small["gets"].setdefault(contender.name, []).append(contender.gets(portal, wanted))
                small["writes"].setdefault(contender.name, []).append(contender.writes(portal, new))
                contender.stop()
        long: dict[str, list[float]] = {}
        for contender in contenders:
            portal.reset()
            contender.start()
            long[contender.name] = [contender.gets(portal, many)]
            contender.stop()
    service = {kind: statistics.median(t[kind] for t in bare) for kind in bare[0]}
    gets, sustained_task = gets_task(GETS), gets_task(sustained)
    half = WRITES_TASK.requests // 2
    return [
        Row(gets, physical([service["get"]] * gets.requests, 0), small["gets"]),
        Row(
            WRITES_TASK,
            physical([service["add"]] * half + [service["delete"]] * half, gets.requests),
            small["writes"],
        ),
        Row(sustained_task, physical([service["get"]] * sustained_task.requests, 0), long),
    ]


def report(rows: list[Row], rounds: int) -> bool:
    names = list(rows[0].times)
    print(
        f"bulk throughput at the cloud limit ({BURST} requests at once, then {PER_SECOND:g}/s; "
        f"{PER_REQUEST} calls per request), emulator in this process; medians of {rounds} "
        "rounds (the sustained run: 1)"
    )
    header = f"  {'task':<28}{'requests':>9}{'physical':>11}"
    print(header + "".join(f"{name:>26}" for name in names))
    good = True
    for row in rows:
        line = f"  {row.task.name:<28}{row.task.requests:>9}{row.limit:>10.3f}s"
        medians = {name: statistics.median(times) for name, times in row.times.items()}
        for name in names:
            line += f"{medians[name]:>15.3f}s  x{medians[name] / row.limit:<6.2f}"
        print(line)
        ours, theirs = medians[names[0]], medians[names[1]]
        good = good and ours <= theirs and ours / row.limit <= TARGET
    print(
        f"  targets: {names[0]} no slower than {names[1]}, and at most x{TARGET:.2f} the "
        f"physical limit: {'met' if good else 'NOT met'}"
    )
    return good


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the burst-sized tasks")
    parser.add_argument(
        "--sustained", type=int, default=5000, help="gets of the run past the burst"
    )
    args = parser.parse_args()
    if args.sustained < GETS:
        parser.error(f"--sustained must be at least {GETS} (the seeded badges include them)")
    return 0 if report(run(args.rounds, args.sustained), args.rounds) else 1


if __name__ == "__main__":
    raise SystemExit(main())
