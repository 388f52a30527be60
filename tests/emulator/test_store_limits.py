"""Bounded storage: field sizes, badge size, store size, and so the size of every answer."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from b24_emulator.store import StoreLimits
from tests.emulator.conftest import SETTINGS, Portal, assert_error, assert_result, run_portal

LIST = "crm.activity.badge.list"


def test_a_code_longer_than_the_limit_is_an_invalid_value(portal: Portal) -> None:
    assert_error(portal.add("c" * 256), 400, "INVALID_ARG_VALUE")
    assert_result(portal.add("c" * 255))


def test_a_language_map_with_too_many_languages_is_an_invalid_value(portal: Portal) -> None:
    title = {f"l{index}": "T" for index in range(65)}
    assert_error(portal.add("many", title=title), 400, "INVALID_ARG_VALUE")
    assert "many" not in portal.codes()


@pytest.fixture
def small_portal() -> Iterator[Portal]:
    limits = StoreLimits(max_badge_bytes=2000, max_badges=3, max_store_bytes=4000)
    yield from run_portal(replace(SETTINGS, store=limits))


def test_a_badge_larger_than_the_limit_is_an_invalid_value(small_portal: Portal) -> None:
    body = assert_error(
        small_portal.add("big", title="x" * 1000, value="y" * 1000), 400, "INVALID_ARG_VALUE"
    )
    assert "2000" in body["error_description"]


def test_beyond_the_number_of_badges_an_add_is_refused_until_one_is_deleted(
    small_portal: Portal,
) -> None:
    assert_result(small_portal.add("one"))  # with the seed badge, two
    assert_result(small_portal.add("two"))
    assert_error(small_portal.add("three"), 400, "ERROR_BADGE_LIMIT_EXCEEDED")
    assert small_portal.codes() == ["missedCall", "one", "two"]
    small_portal.call("crm.activity.badge.delete", json={"code": "one"})
    assert_result(small_portal.add("three"))


def test_beyond_the_bytes_of_the_store_an_add_is_refused() -> None:
    limits = StoreLimits(max_badge_bytes=2000, max_store_bytes=4000)
    for portal in run_portal(replace(SETTINGS, store=limits)):
        assert_result(portal.add("a", title="x" * 1900))
        assert_result(portal.add("b", title="x" * 1900))  # about 3,900 bytes stored now
        assert_error(portal.add("c", title="x" * 200), 400, "ERROR_BADGE_LIMIT_EXCEEDED")
        assert_result(portal.add("d", title="x"))


def test_a_reopened_database_counts_what_it_holds(tmp_path: Path) -> None:
    settings = replace(SETTINGS, db=tmp_path / "b.sqlite", store=StoreLimits(max_badges=2))
    for portal in run_portal(settings):
        assert_result(portal.add("kept"))
    for portal in run_portal(settings):
        assert_error(portal.add("more"), 400, "ERROR_BADGE_LIMIT_EXCEEDED")


def peak_memory_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM in /proc")


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_a_full_store_keeps_answers_and_memory_bounded() -> None:
    """Adds until the store refuses, then lists and a batch of 50 lists: every answer stays
    within its documented bound and the process grows by far less than the data asked for."""
    limits = StoreLimits()
    command = [str(Path(sys.executable).with_name("b24-emulator")), "--no-rate-limit"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        process.stdout.readline()
        url = process.stdout.readline().strip().removeprefix("webhook URL: ")
        with httpx.Client(base_url=url, timeout=60) as http:
            start_kib = peak_memory_kib(process.pid)
            text = "Ж" * 4000  # 8,000 bytes of UTF-8 per text
            title = {f"l{index}": text for index in range(4)}  # about 32 KB per badge
            added = 0
            while True:
                badge = {"code": f"b{added}", "title": title, "value": "V", "type": "success"}
                answer = http.post("crm.activity.badge.add", json=badge)
                if answer.status_code != 200:
                    break
                added += 1
                assert added < 1000, "the store never filled up"
            assert answer.json()["error"] == "ERROR_BADGE_LIMIT_EXCEEDED"
            listed = http.post(LIST)
            assert listed.json()["total"] == added + 1
            assert len(listed.content) < limits.max_store_bytes + 100_000
            commands = {f"l{index}": LIST for index in range(50)}
            batch = http.post("batch", json={"cmd": commands})
            result = batch.json()["result"]
            assert len(batch.content) < limits.max_answer_bytes + 200_000
            too_large = {error["error"] for error in result["result_error"].values()}
            assert too_large == {"ERROR_BATCH_ANSWER_TOO_LARGE"}
            assert len(result["result"]) + len(result["result_error"]) == 50
            grown_mib = (peak_memory_kib(process.pid) - start_kib) / 1024
        # The store holds about 4 MB; 51 lists asked for about 200 MB of answers.
        assert grown_mib < 100, f"the emulator grew by {grown_mib:.0f} MiB"
    finally:
        process.kill()
        process.wait(10)
