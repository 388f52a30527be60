"""HTTP at the edges: every verb and target, the parser's refusals, timeouts, caps, shutdown.

Requests no HTTP client would send go over raw sockets (tests/emulator/raw.py). Timeouts are set
short and only their direction is asserted (the server closes, or answers 408, at some point
within raw.WAIT), never how fast: a busy machine waits longer, and still passes.
"""

from __future__ import annotations

import resource
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path

import pytest

from b24_emulator import RunningEmulator, run_emulator
from b24_emulator.config import HttpLimits
from tests.emulator.conftest import ADMIN, SETTINGS
from tests.emulator.raw import (
    assert_envelope,
    assert_refused,
    closed_by_server,
    connect,
    exchange,
    read_answer,
    request,
)
from tests.emulator.test_server import emulator_process

LIST = f"/rest/{ADMIN.user_id}/{ADMIN.code}/crm.activity.badge.list"
SHORT = HttpLimits(header_timeout=0.5, body_timeout=0.5, keep_alive_timeout=0.5)


@pytest.fixture(scope="module")
def emulator() -> Iterator[RunningEmulator]:
    with run_emulator(replace(SETTINGS, http=SHORT)) as running:
        yield running


# Every answer the app gives is the envelope, whatever the verb or the request target.


@pytest.mark.parametrize("verb", ["TRACE", "PROPFIND", "FOO", "CONNECT", "PRI", "M-SEARCH"])
def test_an_unknown_verb_gets_405_with_the_envelope(emulator: RunningEmulator, verb: str) -> None:
    answer = exchange(emulator.base_url, request(verb, LIST))
    assert_envelope(answer, 405, "ERROR_METHOD_NOT_ALLOWED")


def test_an_absolute_form_target_is_served_as_its_path(emulator: RunningEmulator) -> None:
    """RFC 9112 3.2.2: a server must accept the absolute form."""
    answer = exchange(emulator.base_url, request("POST", f"http://portal.example{LIST}"))
    assert answer.status == 200, answer
    assert answer.json()["result"]["badges"][0]["code"] == "missedCall"


@pytest.mark.parametrize(
    ("verb", "target", "status", "code"),
    [
        ("OPTIONS", "*", 405, "ERROR_METHOD_NOT_ALLOWED"),  # asterisk form
        ("GET", "*", 404, "ERROR_METHOD_NOT_FOUND"),
        ("CONNECT", "portal.example:443", 405, "ERROR_METHOD_NOT_ALLOWED"),  # authority form
        ("GET", "portal.example:443", 404, "ERROR_METHOD_NOT_FOUND"),
        ("POST", "https://portal.example", 404, "ERROR_METHOD_NOT_FOUND"),
        ("POST", "ftp://portal.example/rest/1/x/m", 404, "ERROR_METHOD_NOT_FOUND"),
    ],
)
def test_odd_request_targets_get_the_envelope(
    emulator: RunningEmulator, verb: str, target: str, status: int, code: str
) -> None:
    assert_envelope(exchange(emulator.base_url, request(verb, target)), status, code)


def test_head_answers_405_without_a_body_as_http_requires(emulator: RunningEmulator) -> None:
    with connect(emulator.base_url) as sock:
        sock.sendall(request("HEAD", LIST))
        answer = read_answer_head(sock)
    assert answer.status == 405
    assert answer.headers["content-type"] == "application/json"


def read_answer_head(sock: socket.socket) -> RawHead:
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head = data.partition(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in head[1:])}
    return RawHead(int(head[0].split()[1]), headers)


class RawHead:
    def __init__(self, status: int, headers: dict[str, str]) -> None:
        self.status = status
        self.headers = headers


# Where the HTTP parser refuses before the app runs: still the envelope, then a close.


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"GARBAGE\r\n\r\n", id="no-request-line"),
        pytest.param(b"GET /rest HTTP/1.1\r\n\r\n", id="http11-without-host"),
        pytest.param(b"GET /rest HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n", id="header-no-colon"),
        pytest.param(b"GET /r\x00est HTTP/1.1\r\nHost: x\r\n\r\n", id="nul-in-target"),
        pytest.param(b"GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", id="space-in-target"),
        pytest.param(
            b"POST /rest HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            id="conflicting-lengths",
        ),
        pytest.param(
            b"POST " + LIST.encode() + b" HTTP/1.1\r\nHost: x\r\n"
            b"Transfer-Encoding: chunked\r\n\r\nnot-a-chunk-size\r\n",
            id="broken-chunked-body",
        ),
        pytest.param(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" * 4, id="tls-hello-on-http"),
    ],
)
def test_what_the_parser_refuses_gets_400_with_the_envelope(
    emulator: RunningEmulator, raw: bytes
) -> None:
    assert_refused(emulator.base_url, raw, status=400, code="INVALID_REQUEST")


def test_a_head_too_large_for_the_parser_says_so(emulator: RunningEmulator) -> None:
    with connect(emulator.base_url) as sock:
        sock.sendall(b"GET " + LIST.encode() + b" HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20_000)
        answer = read_answer(sock)
    assert_envelope(answer, 400, "INVALID_REQUEST")
    assert "larger than the server accepts" in answer.json()["error_description"]


# Timeouts: nothing holds a connection forever.


def test_a_connection_that_sends_nothing_is_closed(emulator: RunningEmulator) -> None:
    with connect(emulator.base_url) as sock:
        assert closed_by_server(sock)


def test_a_head_that_never_ends_gets_408(emulator: RunningEmulator) -> None:
    head = f"POST {LIST} HTTP/1.1\r\nHost: x\r\n".encode()
    assert_refused(emulator.base_url, head, status=408, code="REQUEST_TIMEOUT")


def test_a_body_that_never_ends_gets_408(emulator: RunningEmulator) -> None:
    head = request("POST", LIST, Content_Length="100", Content_Type="application/json")
    assert_refused(emulator.base_url, head, b'{"code":', status=408, code="REQUEST_TIMEOUT")


def test_an_idle_kept_alive_connection_is_closed(emulator: RunningEmulator) -> None:
    with connect(emulator.base_url) as sock:
        sock.sendall(request("POST", LIST))
        assert read_answer(sock).status == 200
        assert closed_by_server(sock)


def test_a_next_request_on_a_kept_alive_connection_is_served(emulator: RunningEmulator) -> None:
    with connect(emulator.base_url) as sock:
        for _ in range(3):
            sock.sendall(request("POST", LIST))
            assert read_answer(sock).status == 200


# Caps: concurrency and connections.


def held_in_the_app(base_url: str) -> socket.socket:
    """A connection whose request is inside the portal, waiting for its body.

    `Expect: 100-continue` makes the server say "100 Continue" exactly when the app first asks
    for the body: from then on the request counts as in flight, with no guessing about timing.
    """
    sock = connect(base_url)
    sock.sendall(request("POST", LIST, Content_Length="50", Expect="100-continue"))
    assert sock.recv(1024).startswith(b"HTTP/1.1 100 "), "the app asked for the body"
    return sock


def test_beyond_the_concurrency_limit_is_503_with_the_envelope() -> None:
    limits = HttpLimits(max_concurrency=2)
    with run_emulator(replace(SETTINGS, http=limits)) as running, ExitStack() as held:
        for _ in range(2):
            held.enter_context(held_in_the_app(running.base_url))
        answer = exchange(running.base_url, request("POST", LIST))
        assert_envelope(answer, 503, "QUERY_LIMIT_EXCEEDED")
    assert "concurrent" in answer.json()["error_description"]


def test_a_new_connection_beyond_the_cap_closes_the_longest_idle() -> None:
    limits = HttpLimits(max_connections=3)
    with run_emulator(replace(SETTINGS, http=limits)) as running, ExitStack() as stack:
        idle = [stack.enter_context(connect(running.base_url)) for _ in range(3)]
        for sock in idle:  # each has been served: all three are open and idle, oldest first
            sock.sendall(request("POST", LIST))
            assert read_answer(sock).status == 200
        assert exchange(running.base_url, request("POST", LIST)).status == 200
        assert closed_by_server(idle[0]), "the longest idle made room"
        idle[2].sendall(request("POST", LIST))
        assert read_answer(idle[2]).status == 200, "the newest idle one is still served"


def test_a_new_connection_when_all_are_busy_gets_503_with_the_envelope() -> None:
    limits = HttpLimits(max_connections=2)
    with run_emulator(replace(SETTINGS, http=limits)) as running, ExitStack() as held:
        for _ in range(2):
            held.enter_context(held_in_the_app(running.base_url))
        with connect(running.base_url) as sock:
            answer = read_answer(sock)  # answered at once, before any request is read
            assert_envelope(answer, 503, "QUERY_LIMIT_EXCEEDED")
            assert "connections" in answer.json()["error_description"]
            assert closed_by_server(sock)


# Whole processes: SIGTERM, and thousands of idle connections.


def test_sigterm_ends_the_process_while_a_client_holds_a_request_mid_body() -> None:
    with emulator_process("--webhook", f"1:{ADMIN.code}") as (process, lines):
        base_url = lines[0].removeprefix("b24-emulator listening on ")
        with held_in_the_app(base_url) as sock:
            sock.sendall(b'{"code":')  # and never the rest
            began = time.monotonic()
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=5) == 0
        assert time.monotonic() - began < 5
        assert process.stderr is not None
        assert "Traceback" not in process.stderr.read()


def _descriptor_limit(limit: int) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))

    return apply


@pytest.mark.slow
@pytest.mark.parametrize("held", [b"", b"POST /rest/1/x/crm.activity.badge.list HTTP/1.1\r\n"])
def test_5000_idle_connections_do_not_stop_a_fresh_request(held: bytes) -> None:
    """Idle (nothing sent) or slow (half a head) connections, more than the process may open:
    past the connection cap the longest idle are closed, so a fresh request is accepted and
    answered at once, and accept() never meets EMFILE."""
    command = [str(Path(sys.executable).with_name("b24-emulator")), "--webhook", f"1:{ADMIN.code}"]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_descriptor_limit(4096),  # 5,000 connections would not fit
    )
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip().removeprefix("b24-emulator listening on ")
        with ExitStack() as stack:
            for _ in range(5000):
                sock = stack.enter_context(connect(base_url))
                if held:
                    sock.sendall(held)
            # One request first: once it is answered, the server has taken every connection
            # above off its queue, so the next one meets the 5,000 already there.
            assert exchange(base_url, request("POST", LIST)).status == 200
            began = time.monotonic()
            answer = exchange(base_url, request("POST", LIST))
            elapsed = time.monotonic() - began
        assert answer.status == 200
        assert elapsed < 1.0, f"a fresh request took {elapsed:.2f} s"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)
    assert process.stderr is not None
    errors = process.stderr.read()
    assert "Traceback" not in errors
    assert "Too many open files" not in errors
