"""The rate limit (503 QUERY_LIMIT_EXCEEDED) and the operating-time limit (429)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace

import pytest

from b24_emulator import RateLimit
from b24_emulator.limits import LeakyBucket, OperatingTime
from tests.emulator.conftest import ADMIN, NON_ADMIN, SETTINGS, Portal, assert_error, run_portal

LIST = "crm.activity.badge.list"
GET = "crm.activity.badge.get"


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def strict_portal() -> Iterator[Portal]:
    """A burst of 3 that drains by 1 every 100 s: the 4th quick request must be refused."""
    yield from run_portal(replace(SETTINGS, rate_limit=RateLimit(burst=3, per_second=0.01)))


def test_beyond_the_burst_is_query_limit_exceeded(strict_portal: Portal) -> None:
    for _ in range(3):
        assert strict_portal.call(LIST).status_code == 200
    assert_error(strict_portal.call(LIST), 503, "QUERY_LIMIT_EXCEEDED")


def test_the_rate_limit_is_per_portal_not_per_webhook(strict_portal: Portal) -> None:
    for _ in range(3):
        strict_portal.call(LIST, hook=ADMIN)
    assert_error(strict_portal.call(LIST, hook=NON_ADMIN), 503, "QUERY_LIMIT_EXCEEDED")


def test_the_bucket_drains_over_time() -> None:
    """Measured against a clock the test controls, not the wall clock."""
    clock = FakeClock()
    bucket = LeakyBucket(RateLimit(burst=2, per_second=2.0), clock)
    assert [bucket.admit() for _ in range(3)] == [True, True, False]
    clock.now += 0.5  # drains one request
    assert [bucket.admit() for _ in range(2)] == [True, False]
    clock.now += 60
    assert [bucket.admit() for _ in range(3)] == [True, True, False]


def test_the_cloud_default_refuses_the_51st_quick_request() -> None:
    bucket = LeakyBucket(RateLimit(), FakeClock())
    assert [bucket.admit() for _ in range(51)].count(False) == 1


@pytest.fixture
def heavy_portal() -> Iterator[Portal]:
    """Every call costs 0.6 s of operating time against a 1 s limit."""
    yield from run_portal(replace(SETTINGS, operating_limit=1.0, operating_cost=0.6))


def test_beyond_the_operating_limit_is_operation_time_limit(heavy_portal: Portal) -> None:
    first = heavy_portal.call(LIST).json()["time"]
    second = heavy_portal.call(LIST).json()["time"]
    assert second["operating"] > first["operating"] >= 0.6
    assert second["operating"] > 1.0
    assert second["operating_reset_at"] == first["operating_reset_at"]
    assert_error(heavy_portal.call(LIST), 429, "OPERATION_TIME_LIMIT")


def test_the_operating_limit_is_per_method_and_per_webhook(heavy_portal: Portal) -> None:
    for _ in range(2):
        heavy_portal.call(LIST)
    assert_error(heavy_portal.call(LIST), 429, "OPERATION_TIME_LIMIT")
    assert heavy_portal.call(GET, json={"code": "missedCall"}).status_code == 200
    assert heavy_portal.call(LIST, hook=NON_ADMIN).status_code == 200


def test_operating_time_frees_as_buckets_leave_the_window() -> None:
    clock = FakeClock(now=6000.0)
    operating = OperatingTime(limit_seconds=1.0, clock=clock)
    first = operating.charge("hook/list", 0.8)
    assert (first.seconds, first.reset_at) == (0.8, 6600)
    clock.now += 61  # the next minute's bucket
    second = operating.charge("hook/list", 0.5)
    assert second.seconds == pytest.approx(1.3)
    assert second.reset_at == 6600, "the oldest bucket sets operating_reset_at"
    assert operating.blocked("hook/list")
    clock.now = 6600.5  # the first bucket has left the 10-minute window
    assert not operating.blocked("hook/list")
    assert operating.charge("hook/list", 0.0).reset_at == 6661


def test_real_portal_pace_is_admitted_indefinitely() -> None:
    """At the drain rate a client never hits the limit (docs: "no more than Y per second")."""
    clock = FakeClock()
    bucket = LeakyBucket(RateLimit(burst=1, per_second=2.0), clock)
    results = []
    for _ in range(100):
        results.append(bucket.admit())
        clock.now += 0.5
    assert all(results)


def test_sleeping_lets_a_real_portal_recover() -> None:
    """The one wall-clock test: the default clock drains in real time. Only the direction is
    asserted (a slow machine sleeps longer, which can only drain more), never a speed."""
    bucket = LeakyBucket(RateLimit(burst=1, per_second=20.0))
    assert bucket.admit()
    time.sleep(0.2)  # four times what one request needs to drain
    assert bucket.admit()
