"""Ctrl-C, SIGTERM and SIGHUP stop a run, even where Python would drop the interruption.

A signal handler raises KeyboardInterrupt wherever the main thread happens to be. When that is
inside a garbage-collector callback (Hypothesis registers one, and a conformance run spends most
of its time generating data), Python reports the exception as unraisable and drops it: the run
went on to the end as if no one had asked it to stop (seen: 1 SIGINT in about 10). So the
handler also notes the signal, and the run's transport raises KeyboardInterrupt before its next
request (`raise_if_requested`): a stop is at most one request late.

A signal the process was started with ignored (`nohup`, a background job of a script) stays
ignored, as it does for every program.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

STOPPING = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)  # a closed terminal sends SIGHUP
INTERRUPTING = (signal.SIGINT, signal.SIGTERM)  # Ctrl-C, and what CI sends on a cancel

Handler = Callable[[int, FrameType | None], Any] | int | signal.Handlers | None

_requested: list[str] = []  # process-wide, as signals are: the names of those that came


def _stop(signum: int, frame: FrameType | None) -> None:
    _requested.append(signal.Signals(signum).name)
    raise KeyboardInterrupt


def requested() -> bool:
    """Whether a stop was asked for since `handled()` began."""
    return bool(_requested)


def raise_if_requested() -> None:
    """KeyboardInterrupt if a stop was asked for: for the places a run passes often (every
    request), so that a dropped interruption is raised again there."""
    if _requested:
        raise KeyboardInterrupt


@contextmanager
def handlers(handler: Handler, signums: Iterable[int], *, restore: bool = True) -> Iterator[None]:
    """`handler` for each of `signums` during the block; afterwards the handlers they had
    (unless not `restore`: the process ends with the block, and `handler` stays). In the main
    thread only, where Python delivers signals; elsewhere the block runs as it is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, handler) for signum in signums}
    try:
        yield
    finally:
        for signum, earlier in previous.items() if restore else ():
            signal.signal(signum, earlier)


@contextmanager
def handled(restore: bool = True) -> Iterator[None]:
    """Within the block the stopping signals raise KeyboardInterrupt and are noted (`handlers`:
    in the main thread, restored afterwards unless not `restore`)."""
    _requested.clear()
    heeded = [s for s in STOPPING if signal.getsignal(s) is not signal.SIG_IGN]
    try:
        with handlers(_stop, heeded, restore=restore):
            yield
    finally:
        _requested.clear()
