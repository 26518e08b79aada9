"""The state of a witness (trustguardian.witness), in its own SQLite file, not the instance's
database: per origin, the latest cosigned checkpoint; every cosigned (size, root) kept, so that
a second root for a size is refused even against a stale latest. WAL and synchronous=FULL: a
transaction that committed survives a crash or a power cut."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from trustguardian.ledger import EMPTY_ROOT

_SCHEMA = """
CREATE TABLE IF NOT EXISTS latest (
    origin TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    root BLOB NOT NULL,
    note TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cosigned (
    origin TEXT NOT NULL,
    size INTEGER NOT NULL,
    root BLOB NOT NULL,
    PRIMARY KEY (origin, size)
);
"""


@dataclass(frozen=True)
class Latest:
    """The latest checkpoint a witness cosigned for one origin (note: with its cosignature)."""

    size: int
    root: bytes
    note: str


class Refused(Exception):
    """A checkpoint the witness will not cosign: HTTP status and one sentence."""

    def __init__(self, status: int, message: str, *, size: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.size = size


class WitnessState:
    """One SQLite file; one connection, used under a lock (the server's threads share it)."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._lock = threading.Lock()
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def latest(self, origin: str) -> Latest | None:
        with self._lock:
            row = self._db.execute(
                "SELECT size, root, note FROM latest WHERE origin = ?", (origin,)
            ).fetchone()
        return None if row is None else Latest(int(row[0]), bytes(row[1]), str(row[2]))

    def cosigned(self, origin: str) -> list[tuple[int, bytes]]:
        """Every (size, root) ever cosigned for `origin`, by size."""
        with self._lock:
            rows = self._db.execute(
                "SELECT size, root FROM cosigned WHERE origin = ? ORDER BY size", (origin,)
            ).fetchall()
        return [(int(size), bytes(root)) for size, root in rows]

    def advance(
        self,
        origin: str,
        old_size: int,
        size: int,
        root: bytes,
        consistent: Callable[[int, bytes], bool],
        cosign: Callable[[], tuple[str, str]],
    ) -> str:
        """Checks `old_size` against the recorded state and `consistent(old size, old root)`,
        records (size, root) and returns `cosign()`'s lines, all in one write transaction.

        `cosign` returns (the signature lines, the note carrying them). Raises Refused (409
        with the recorded size, or 422) and then records nothing.
        """
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                lines = self._advance(origin, old_size, size, root, consistent, cosign)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        return lines

    def _advance(
        self,
        origin: str,
        old_size: int,
        size: int,
        root: bytes,
        consistent: Callable[[int, bytes], bool],
        cosign: Callable[[], tuple[str, str]],
    ) -> str:
        row = self._db.execute(
            "SELECT size, root FROM latest WHERE origin = ?", (origin,)
        ).fetchone()
        known_size, known_root = (0, EMPTY_ROOT) if row is None else (int(row[0]), bytes(row[1]))
        if old_size != known_size:
            raise Refused(409, f"the latest cosigned size is {known_size}", size=known_size)
        if not consistent(known_size, known_root):
            raise Refused(422, "the consistency proof does not verify")
        earlier = self._db.execute(
            "SELECT root FROM cosigned WHERE origin = ? AND size = ?", (origin, size)
        ).fetchone()
        if earlier is not None and bytes(earlier[0]) != root:
            raise Refused(422, f"another root was cosigned for size {size}")
        lines, note = cosign()
        self._db.execute(
            "INSERT INTO latest (origin, size, root, note) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (origin) DO UPDATE SET size = excluded.size, root = excluded.root, "
            "note = excluded.note",
            (origin, size, root, note),
        )
        self._db.execute(
            "INSERT OR IGNORE INTO cosigned (origin, size, root) VALUES (?, ?, ?)",
            (origin, size, root),
        )
        return lines
