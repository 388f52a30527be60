"""Nothing the command prints or writes carries a secret, however the run ends.

The run's texts are built from masked material; this module is the last line for what the
command itself controls:

* `scrubbed_console`: while the run goes on, `sys.stdout` and `sys.stderr` are streams that
  mask every secret of the run in each line before it reaches the terminal (pytest's own output,
  warnings and log records included, whatever wrote them);
* `write_report`: a report is written masked, to a temporary file beside it, then renamed into
  place, with Ctrl-C and SIGTERM held off: a report exists whole and masked, or not at all;
* `scratch_directory`: the one scratch directory a run needs (Hypothesis's home), inside
  `--report-dir` when there is one, removed at the end of every run the process survives, with
  signals held off while it goes.

A SIGKILL ends a process without any of this: its scratch directory stays (inside
`--report-dir` when given), and no report is written.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from b24_conformance.stopping import INTERRUPTING, handlers

Redact = Callable[[str], str]
SCRATCH_PREFIX = "b24-conformance-"


class Scrubber:
    """The run's redactions, in the order they became known (the URL's, then the target's)."""

    def __init__(self) -> None:
        self._redactions: list[Redact] = []

    def add(self, redact: Redact) -> None:
        """Mask what `redact` masks too, in everything written from now on (a partial line
        still waiting included); as soon as a secret is known, before anything can print it."""
        self._redactions.append(redact)

    def __call__(self, text: str) -> str:
        for redact in self._redactions:
            text = redact(text)
        return text


class _ScrubbedStream:
    """A text stream that masks each complete line before passing it on; a partial line waits
    for its end (a secret split across two writes is masked whole), or for `close`."""

    def __init__(self, inner: TextIO, scrub: Scrubber) -> None:
        self._inner = inner
        self._scrub = scrub
        self._pending = ""
        self._lock = threading.RLock()  # a signal handler that prints must not deadlock

    def write(self, text: str) -> int:
        with self._lock:
            self._pending += text
            done, newline, rest = self._pending.rpartition("\n")
            if newline:
                self._pending = rest
                self._inner.write(self._scrub(done + newline))
                self._inner.flush()
        return len(text)

    def flush(self) -> None:
        self._inner.flush()

    def close(self) -> None:
        """Pass on what is left of a partial line (masked)."""
        with self._lock:
            if self._pending:
                self._inner.write(self._scrub(self._pending))
                self._pending = ""
            self._inner.flush()

    def isatty(self) -> bool:
        return self._inner.isatty()

    def fileno(self) -> int:
        return self._inner.fileno()

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)  # encoding, errors, buffer, ...


@contextmanager
def scrubbed_console(scrub: Scrubber) -> Iterator[None]:
    """`sys.stdout` and `sys.stderr` mask the run's secrets for the block."""
    streams = _ScrubbedStream(sys.stdout, scrub), _ScrubbedStream(sys.stderr, scrub)
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = streams
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved
        for stream in streams:
            stream.close()


@contextmanager
def signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM do nothing during the block: it is short, and what it does (write a
    report, remove the scratch directory) is what an interrupted run still has to do. In the
    main thread only, where Python delivers signals."""
    with handlers(signal.SIG_IGN, INTERRUPTING):
        yield


def write_report(path: Path, text: str, scrub: Scrubber) -> None:
    """Write `text`, masked, to `path` atomically: a temporary file in the same directory,
    synced, then renamed over `path`; never a partial or unmasked file, whatever signal comes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    clean = scrub(text)
    with signals_held():
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            os.chmod(temporary, 0o644)  # a report, like any other file; it holds no secret
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(clean)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


@contextmanager
def scratch_directory(report_dir: Path | None) -> Iterator[Path]:
    """A scratch directory for the run: inside `report_dir` when given, else the system's temp
    folder; gone when the block ends, however it ends (Ctrl-C and SIGTERM wait for it)."""
    if report_dir is not None:
        report_dir.mkdir(parents=True, exist_ok=True)
    with signals_held():
        path = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX, dir=report_dir))
    try:
        yield path
    finally:
        with signals_held():
            shutil.rmtree(path, ignore_errors=True)
