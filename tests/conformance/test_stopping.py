"""Ctrl-C and SIGTERM stop a run even when Python drops the KeyboardInterrupt (stopping.py).

Python drops an exception raised inside a garbage-collector callback; a signal whose handler
runs there is lost. Seen: a SIGINT in the middle of a conformance run (Hypothesis registers a
gc callback), and the run went on to CONFORMS. The tests drop one on purpose, the same way.
"""

from __future__ import annotations

import gc
import os
import signal
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from b24_conformance import stopping
from b24_conformance.target import Budget, RunTransport

pytestmark = [
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
    pytest.mark.usefixtures("started_from_a_terminal"),
]


@pytest.fixture
def started_from_a_terminal() -> Iterator[None]:
    """The stopping signals at their defaults, as a terminal starts a program, whatever this
    test process inherited (run as a background job, it has SIGINT and SIGHUP ignored)."""
    defaults: dict[int, Any] = {signum: signal.SIG_DFL for signum in stopping.STOPPING}
    defaults[signal.SIGINT] = signal.default_int_handler
    previous = {signum: signal.signal(signum, handler) for signum, handler in defaults.items()}
    yield
    for signum, handler in previous.items():
        signal.signal(signum, handler)


def drop_a_signal(signum: int) -> None:
    """Deliver `signum` while a gc callback runs, where its KeyboardInterrupt is dropped: no
    KeyboardInterrupt comes out of this function."""
    fired: list[bool] = []

    def callback(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and not fired:
            fired.append(True)
            os.kill(os.getpid(), signum)
            sum(range(1000))  # bytecode to run: the handler runs here, inside the callback

    gc.callbacks.append(callback)
    try:
        gc.collect()
    finally:
        gc.callbacks.remove(callback)
    assert fired


def ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"result": True})


@pytest.mark.parametrize("signum", stopping.STOPPING, ids=lambda s: signal.Signals(s).name)
def test_a_dropped_stop_is_raised_before_the_next_request(signum: int) -> None:
    transport = RunTransport(Budget(None), None, inner=httpx.MockTransport(ok))
    request = httpx.Request("POST", "http://127.0.0.1/rest/1/x/batch")
    with stopping.handled():
        drop_a_signal(signum)
        assert stopping.requested()
        with pytest.raises(KeyboardInterrupt):
            transport.handle_request(request)
        sent = transport.budget.used
        assert sent == 0, "nothing was sent after the stop"


def test_the_cleanup_still_sends_after_a_stop() -> None:
    """The cleanup is the one thing an interrupted run still does (its own deadline cuts it)."""
    transport = RunTransport(Budget(None, exempt=True), None, inner=httpx.MockTransport(ok))
    with stopping.handled():
        drop_a_signal(signal.SIGINT)
        response = transport.handle_request(httpx.Request("POST", "http://127.0.0.1/x"))
    assert response.status_code == 200


def test_a_signal_ignored_from_the_start_stays_ignored() -> None:
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)  # as under nohup
    try:
        with stopping.handled():
            assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
            assert signal.getsignal(signal.SIGINT) is not signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, previous)


def test_the_handlers_are_restored_and_nothing_stays_requested() -> None:
    before = {signum: signal.getsignal(signum) for signum in stopping.STOPPING}
    with stopping.handled():
        drop_a_signal(signal.SIGINT)
    assert {signum: signal.getsignal(signum) for signum in stopping.STOPPING} == before
    assert not stopping.requested()
