"""Serving: the command line, the library entry points, storage that persists and holds up."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from b24_emulator import run_emulator
from b24_emulator.server import bind
from tests.conftest import REPO
from tests.emulator.conftest import SETTINGS, Portal, assert_result, run_portal

LIST = "crm.activity.badge.list"


@contextmanager
def emulator_process(
    *args: str, command: list[str] | None = None
) -> Iterator[tuple[subprocess.Popen[str], list[str]]]:
    """The console script in a child process; yields it and the lines it printed first."""
    argv = command or [str(Path(sys.executable).with_name("b24-emulator"))]
    process = subprocess.Popen(
        [*argv, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    lines = [process.stdout.readline().strip(), process.stdout.readline().strip()]
    try:
        yield process, lines
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)


def test_the_command_prints_a_webhook_url_that_works() -> None:
    with emulator_process() as (_, lines):
        assert lines[0].startswith("b24-emulator listening on http://127.0.0.1:")
        assert lines[1].startswith("webhook URL: http://127.0.0.1:")
        url = lines[1].removeprefix("webhook URL: ")
        answer = httpx.post(url + "crm.activity.badge.get", json={"code": "missedCall"})
        assert answer.json()["result"]["badge"]["code"] == "missedCall"


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_the_command_stops_cleanly_on_a_signal(signum: int) -> None:
    with emulator_process() as (process, _):
        process.send_signal(signum)
        assert process.wait(10) == 0
        assert process.stderr is not None
        assert "Traceback" not in process.stderr.read()


def test_the_command_takes_its_options() -> None:
    args = [
        "--webhook",
        "7:secret-code:crm",
        "--no-seed",
        "--seed-badge",
        json.dumps({"code": "s", "title": "T", "value": "V", "type": "primary"}),
    ]
    with emulator_process(*args) as (_, lines):
        assert lines[1].endswith("/rest/7/<code>/ (scopes: crm)"), "a given secret is not echoed"
        base = lines[0].removeprefix("b24-emulator listening on ")
        answer = httpx.post(f"{base}/rest/7/secret-code/{LIST}").json()
        assert [b["code"] for b in answer["result"]["badges"]] == ["s"]


def test_a_port_in_use_is_a_clear_error() -> None:
    with run_emulator(SETTINGS) as running:
        port = running.base_url.rsplit(":", 1)[1]
        done = subprocess.run(
            [Path(sys.executable).with_name("b24-emulator"), "--port", port],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
    assert done.returncode == 2
    assert "cannot listen on 127.0.0.1:" in done.stderr


def test_the_script_from_a_clone_passes_its_arguments() -> None:
    done = subprocess.run(
        [REPO / "scripts/emulator", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "--webhook USER_ID:CODE[:SCOPES]" in done.stdout


def test_badges_survive_a_restart_with_a_database_file(tmp_path: Path) -> None:
    settings = replace(SETTINGS, db=tmp_path / "badges.sqlite")
    for portal in run_portal(settings):
        assert_result(portal.add("kept", title={"en": "Kept"}))
    for portal in run_portal(settings):
        assert portal.codes() == ["missedCall", "kept"], "kept, and the seed not added twice"
        badge = portal.call("crm.activity.badge.get", json={"code": "kept"}).json()
        assert badge["result"]["badge"]["title"] == {"en": "Kept"}


def test_concurrent_adds_of_one_code_store_it_once(portal: Portal) -> None:
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: portal.add("race").status_code, range(16)))
    assert sorted(statuses) == [200] + [400] * 15
    assert portal.codes().count("race") == 1


def test_concurrent_adds_of_many_codes_store_them_all(portal: Portal) -> None:
    codes = [f"c{i}" for i in range(40)]
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda code: portal.add(code).status_code, codes))
    assert statuses == [200] * 40
    assert sorted(portal.codes()) == sorted(["missedCall", *codes])


def test_the_context_manager_serves_on_a_free_port() -> None:
    with run_emulator() as first, run_emulator() as second:
        assert first.base_url != second.base_url
        assert len(first.settings.webhooks) == 1, "one generated admin webhook"
        for running in (first, second):
            assert httpx.post(running.webhook_url() + LIST).status_code == 200
    with pytest.raises(httpx.ConnectError):
        httpx.post(first.webhook_url() + LIST)


def test_the_emulator_logs_no_secrets(capfd: pytest.CaptureFixture[str], portal: Portal) -> None:
    portal.call(LIST)
    portal.http.post(portal.emulator.base_url + "/rest/1/wrong-secret-xyz/" + LIST)
    out, err = capfd.readouterr()
    assert "admin-hook-code" not in out + err
    assert "wrong-secret-xyz" not in out + err


def test_the_listening_socket_is_tcp_so_answers_are_not_delayed() -> None:
    """asyncio sets TCP_NODELAY only on connections of sockets whose proto is TCP (see bind)."""
    sock = bind()
    try:
        assert sock.proto == socket.IPPROTO_TCP
    finally:
        sock.close()
