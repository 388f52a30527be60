"""The journal: every code a run sends to add, written down before it is sent.

A run that is killed (SIGKILL, a lost machine) cannot clean up; the journal is what it leaves
instead. `b24-conformance --cleanup` deletes the journaled codes of earlier runs on the same
portal, lists them, and nothing else: a customer's badge that merely looks like a run's code is
never touched. One JSON object per line, `{"portal", "code", "state"}`, appended and flushed
before the add goes out; `portal` is the masked webhook URL (`https://portal/rest/1/***`), so
the file holds no secret. Runs against the bundled emulator keep no journal: their portal dies
with them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

SENT, DELETED = "sent", "deleted"


def default_path() -> Path:
    """`$B24_CONFORMANCE_JOURNAL`, else `$XDG_STATE_HOME/b24-conformance/journal.jsonl` (by
    default under `~/.local/state`)."""
    if explicit := os.environ.get("B24_CONFORMANCE_JOURNAL"):
        return Path(explicit)
    state = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(state) / "b24-conformance" / "journal.jsonl"


class Journal:
    """The codes sent to add on one portal, in a file shared by every run."""

    def __init__(self, path: Path, portal: str) -> None:
        self.path = path
        self.portal = portal

    def record(self, code: str) -> None:
        """Note `code` before it is sent to add (durably: flushed and synced)."""
        self._append([code], SENT)

    def forget(self, codes: Iterable[str]) -> None:
        """Note that `codes` are deleted: a later `--cleanup` leaves them alone."""
        self._append(codes, DELETED)

    def pending(self) -> list[str]:
        """Codes sent to add on this portal and not known to be deleted, oldest first."""
        if not self.path.exists():
            return []
        state: dict[str, str] = {}
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # a line cut short by a killed run
            if isinstance(entry, dict) and entry.get("portal") == self.portal:
                state.pop(str(entry.get("code")), None)
                state[str(entry.get("code"))] = str(entry.get("state"))
        return [code for code, last in state.items() if last == SENT]

    def _append(self, codes: Iterable[str], state: str) -> None:
        lines = [
            json.dumps({"portal": self.portal, "code": code, "state": state}, ensure_ascii=False)
            for code in codes
        ]
        if not lines:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as stream:
            stream.write("".join(line + "\n" for line in lines))
            stream.flush()
            os.fsync(stream.fileno())
