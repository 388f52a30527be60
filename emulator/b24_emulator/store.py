"""Badges in SQLite: in memory by default, in a file with `--db` so they survive a restart.

One connection guarded by a lock serves every request: each method is a single statement, so a
badge is never half-written, and the code's PRIMARY KEY makes "add if absent" atomic even when
two requests race for the same code. The store is bounded (StoreLimits): how many badges and how
many bytes, counted under the same lock, so that a list answer and the process stay small.
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
    """A badge as the portal stores and answers it (docs BADGES/index.md).

    `title` and `value` are a string or a language map (D-LOCALIZED-TEXT). Nothing is checked
    here: the add method validates what a client sends, and seeds are trusted.
    """

    code: str
    title: LocalizedText
    value: LocalizedText
    type: str

    def as_json(self) -> dict[str, Any]:
        """The badge as the methods answer it: its four fields, nothing added."""
        return {"code": self.code, "title": self.title, "value": self.value, "type": self.type}


class DuplicateCode(Exception):
    """BadgeStore.add found the code taken; the add method answers ERROR_BADGE_ALREADY_EXISTS."""


class StoreFull(Exception):
    """Adding the badge would pass StoreLimits.max_badges or max_store_bytes."""


@dataclass(frozen=True)
class StoreLimits:
    """How much the portal stores and answers: the emulator's own bounds, so memory stays bounded.

    The docs state no limit for badges; real portals keep badges in database columns whose sizes
    are not published. These are the emulator's choices, far above any real badge ("Статус
    звонка" / "Пропущен") and small enough that a full store's list answer stays a few MB.
    """

    max_code: int = 255  # characters of a code
    max_text: int = 4096  # characters of a title or value (of each language in a map)
    max_languages: int = 64  # entries of a title or value language map
    max_badge_bytes: int = 64 * 1024  # one badge, as stored (UTF-8 JSON)
    max_badges: int = 10_000
    max_store_bytes: int = 4 * 1024 * 1024  # all badges as stored: bounds a list answer
    max_answer_bytes: int = 8 * 1024 * 1024  # one batch answer's results


class BadgeStore:
    """The portal's badges, safe to share between requests and threads (see the module).

    `path` None keeps them in memory, gone with the store; a file keeps them across restarts.
    """

    def __init__(self, path: Path | None = None, limits: StoreLimits | None = None) -> None:
        self.limits = limits or StoreLimits()
        target = ":memory:" if path is None else str(path)
        self._db = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        with self._lock:
            if path is not None:
                self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(_SCHEMA)
            self.count, self.bytes = self._db.execute(
                f"SELECT count(*), coalesce(sum({_ROW_BYTES}), 0) FROM badges"
            ).fetchone()

    def add(self, badge: Badge) -> None:
        """Store a new badge; DuplicateCode if its code is taken, StoreFull if there is no room."""
        row = _row(badge)
        size = row_bytes(row)
        with self._lock:
            if self.count + 1 > self.limits.max_badges:
                raise StoreFull(f"the portal holds {self.limits.max_badges} badges at most")
            if self.bytes + size > self.limits.max_store_bytes:
                raise StoreFull(f"the badges may take {self.limits.max_store_bytes} bytes at most")
            try:
                self._db.execute(
                    "INSERT INTO badges VALUES (?, ?, ?, ?, "
                    "(SELECT coalesce(max(added), 0) + 1 FROM badges))",
                    row,
                )
            except sqlite3.IntegrityError:
                raise DuplicateCode(badge.code) from None
            self.count += 1
            self.bytes += size

    def seed(self, badges: Iterable[Badge]) -> None:
        """Add badges whose codes are free; a reopened database keeps what it had."""
        for badge in badges:
            with contextlib.suppress(DuplicateCode, StoreFull):
                self.add(badge)

    def get(self, code: str) -> Badge | None:
        """The badge with exactly this code (case-sensitive), or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT code, title, value, type FROM badges WHERE code = ?", (code,)
            ).fetchone()
        return None if row is None else _badge(row)

    def list(self) -> list[Badge]:
        """Every badge, in the order they were added; a reopened file keeps that order."""
        with self._lock:
            rows = self._db.execute(
                "SELECT code, title, value, type FROM badges ORDER BY added"
            ).fetchall()
        return [_badge(row) for row in rows]

    def delete(self, code: str) -> bool:
        """Remove the badge with this code; False when there was none."""
        with self._lock:
            deleted = self._db.execute(
                f"DELETE FROM badges WHERE code = ? RETURNING {_ROW_BYTES}", (code,)
            ).fetchone()
            if deleted is None:
                return False
            self.count -= 1
            self.bytes -= deleted[0]
            return True

    def clear(self) -> None:
        """Remove every badge, seeds included (Portal.reset seeds again)."""
        with self._lock:
            self._db.execute("DELETE FROM badges")
            self.count = self.bytes = 0

    def close(self) -> None:
        """Close the database when the app shuts down; the store is unusable afterwards."""
        with self._lock:
            self._db.close()


# A badge's size as stored: the UTF-8 bytes of its four columns (title and value as JSON).
_ROW_BYTES = (
    "length(CAST(code AS BLOB)) + length(CAST(title AS BLOB)) "
    "+ length(CAST(value AS BLOB)) + length(CAST(type AS BLOB))"
)


def row_bytes(row: tuple[str, str, str, str]) -> int:
    """A row's UTF-8 size: the measure `_ROW_BYTES` takes in SQL, so that the byte count kept
    in memory matches the one a reopened file is counted with."""
    return sum(len(column.encode("utf-8")) for column in row)


def badge_bytes(badge: Badge) -> int:
    """The size a badge takes in the store, the measure of StoreLimits' byte bounds."""
    return row_bytes(_row(badge))


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
