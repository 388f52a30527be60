"""Badges in SQLite: in memory by default, in a file with `--db` so they survive a restart.

One connection guarded by a lock serves every request: each method is a single statement, so a
badge is never half-written, and the code's PRIMARY KEY makes "add if absent" atomic even when
two requests race for the same code.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LocalizedText = str | dict[str, str]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS badges (
    code  TEXT PRIMARY KEY,
    title TEXT NOT NULL,  -- JSON: a string or a language map
    value TEXT NOT NULL,  -- JSON: a string or a language map
    type  TEXT NOT NULL,
    added INTEGER NOT NULL  -- insertion order, for a stable list
)
"""


@dataclass(frozen=True)
class Badge:
    code: str
    title: LocalizedText
    value: LocalizedText
    type: str

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "title": self.title, "value": self.value, "type": self.type}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Badge:
        return cls(data["code"], data["title"], data["value"], data["type"])


class DuplicateCode(Exception):
    pass


class BadgeStore:
    def __init__(self, path: Path | None = None) -> None:
        target = ":memory:" if path is None else str(path)
        self._db = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        with self._lock:
            if path is not None:
                self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(_SCHEMA)

    def add(self, badge: Badge) -> None:
        try:
            with self._lock:
                self._db.execute(
                    "INSERT INTO badges VALUES (?, ?, ?, ?, "
                    "(SELECT coalesce(max(added), 0) + 1 FROM badges))",
                    _row(badge),
                )
        except sqlite3.IntegrityError:
            raise DuplicateCode(badge.code) from None

    def seed(self, badges: Iterable[Badge]) -> None:
        """Add badges whose codes are free; a reopened database keeps what it had."""
        for badge in badges:
            with contextlib.suppress(DuplicateCode):
                self.add(badge)

    def get(self, code: str) -> Badge | None:
        with self._lock:
            row = self._db.execute(
                "SELECT code, title, value, type FROM badges WHERE code = ?", (code,)
            ).fetchone()
        return None if row is None else _badge(row)

    def list(self) -> list[Badge]:
        with self._lock:
            rows = self._db.execute(
                "SELECT code, title, value, type FROM badges ORDER BY added"
            ).fetchall()
        return [_badge(row) for row in rows]

    def delete(self, code: str) -> bool:
        with self._lock:
            return self._db.execute("DELETE FROM badges WHERE code = ?", (code,)).rowcount == 1

    def clear(self) -> None:
        with self._lock:
            self._db.execute("DELETE FROM badges")

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _row(badge: Badge) -> tuple[str, str, str, str]:
    return (
        badge.code,
        json.dumps(badge.title, ensure_ascii=False),
        json.dumps(badge.value, ensure_ascii=False),
        badge.type,
    )


def _badge(row: tuple[str, str, str, str]) -> Badge:
    code, title, value, badge_type = row
    return Badge(code, json.loads(title), json.loads(value), badge_type)
