"""Check records on SQLite: a journal file per process first, the `checks` table moments later.

A single check writes a row that a contact may later cite. On SQLite a commit per check made
every other connection (the other server workers') drop its page cache and read the WAL anew:
in two workers a check cost 385 µs of CPU with its commit against 150 µs without. So the server
appends each row to its process's journal (one `write(2)` of one JSON line, which survives the
process being killed, as a commit in WAL mode with `synchronous=NORMAL` does: neither is
flushed to the disk) and a thread moves the journal into the table every `interval` seconds, in
one transaction.

- The engage repository (`store.engage`) `absorb`s every journal into the table inside the
  reader's write transaction before it reads checks (inserts that already happened are skipped),
  so nothing answered is ever missed; nothing else reads the table.
- A journal is one file until it is drained: the thread swaps in a new file, commits the old
  file's rows, then deletes it. Each file is locked (`flock`) by its process while it lives; a
  file nobody locks belongs to a process that died, and is `recover`ed (absorbed, then deleted)
  by the next process that opens the log or drains.
"""

from __future__ import annotations

import atexit
import fcntl
import json
import logging
import os
import secrets
import threading
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine

from trustguardian.store import tables as t
from trustguardian.store.bulk import bulk_insert
from trustguardian.store.engine import WRITE_OPTION

log = logging.getLogger(__name__)

SUFFIX = ".jsonl"
_TIMES = ("moment", "checked_at")
# Journals of dead processes are looked for at most this often by a draining process.
RECOVER_EVERY = 5.0


def directory_for(engine: Engine) -> Path | None:
    """Where a SQLite database's journals live (`<file>-checklog`); None for PostgreSQL or an
    in-memory database, whose checks are written straight to the table."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return journals_of(url.database)


def journals_of(database: str) -> Path:
    """The journal directory of a SQLite database file."""
    return Path(f"{database}-checklog")


class CheckLog:
    """This process's journal of check rows and the thread that drains it."""

    def __init__(self, engine: Engine, directory: Path, *, interval: float) -> None:
        self.engine = engine
        self.directory = directory
        self.interval = interval
        self._lock = threading.Lock()
        self._pid = -1
        self._file: tuple[int, Path] | None = None
        self._rows: list[dict[str, Any]] = []
        # Files whose rows are in `_rows` but no longer appended to (a drain failed).
        self._done: list[tuple[int, Path]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def append(self, row: Mapping[str, Any]) -> None:
        """Journals one check row; it reaches the table within `interval` seconds."""
        line = _line(row)
        with self._lock:
            if self._pid != os.getpid():
                self._start()
            assert self._file is not None
            if _write(self._file[0], line) != len(line):
                # A line cut short (a full disk) must not swallow the next one: later rows go to
                # a new file, and this check fails unanswered (its stub is skipped when read).
                self._done.append(self._file)
                self._file = _open(self.directory)
                raise OSError("check log: a journal line was cut short")
            self._rows.append(dict(row))

    def drain(self) -> int:
        """Moves the rows journalled so far into the table; returns how many."""
        with self._lock:
            if not self._rows or self._pid != os.getpid() or self._file is None:
                return 0
            # Later rows go to a new file while these are committed; theirs is deleted after.
            fresh = _open(self.directory)
            rows, self._rows = self._rows, []
            done, self._done = [*self._done, self._file], []
            self._file = fresh
        try:
            _commit(self.engine, rows)
        except BaseException:
            with self._lock:  # kept, files and all, for the next drain
                self._rows[:0] = rows
                self._done[:0] = done
            raise
        for file in done:
            _discard(file)
        return len(rows)

    def close(self) -> None:
        """Stops the thread and drains what is left (at exit)."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=30)
        if self._pid == os.getpid():
            self.drain()
            with self._lock:
                if self._file is not None and not self._rows and not self._done:
                    _discard(self._file)
                    self._file, self._pid = None, -1

    def _start(self) -> None:
        """Opens this process's journal and starts its drain thread (again in a forked child,
        which must not write to its parent's file)."""
        self._pid = os.getpid()
        self._rows, self._done = [], []
        self._file = _open(self.directory)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="check-log", daemon=True)
        self._thread.start()
        atexit.register(self.close)

    def _run(self) -> None:
        waited = 0.0
        while not self._stop.wait(self.interval):
            try:
                self.drain()
                waited += self.interval
                if waited >= RECOVER_EVERY:
                    waited = 0.0
                    recover(self.engine, self.directory)
            except Exception:
                log.exception("check log: drain failed, retrying")


def add(connection: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Inserts check rows, skipping those already in the table."""
    bulk_insert(connection, t.checks, rows, ignore_existing=("id",))


def _commit(engine: Engine, rows: Sequence[Mapping[str, Any]]) -> None:
    """Inserts check rows in a write transaction of their own."""
    with engine.connect() as connection:
        connection.execution_options(**{WRITE_OPTION: True})
        with connection.begin():
            add(connection, rows)


def absorb(connection: Connection, directory: Path | None) -> int:
    """Inserts every journalled row of every process into the table (in the caller's write
    transaction: under the write lock no drain can commit meanwhile); returns how many rows
    the journals held. Nothing is deleted: each journal's owner does that after its commit."""
    if directory is None:
        return 0
    rows = [row for path in _journals(directory) for row in _read(path)]
    add(connection, rows)
    return len(rows)


def backlog(directory: Path | None, now: float) -> tuple[int, float]:
    """The bytes journalled and not yet drained, and the age in seconds (at `now`, a Unix time)
    of the oldest journal holding any: a drain that keeps failing shows as a growing age."""
    size, oldest = 0, now
    for path in _journals(directory) if directory is not None else []:
        try:
            found = path.stat()
        except FileNotFoundError:
            continue
        if found.st_size:
            size += found.st_size
            oldest = min(oldest, found.st_mtime)
    return size, max(0.0, now - oldest)


def recover(engine: Engine, directory: Path) -> int:
    """Absorbs and deletes the journals of processes that died; returns how many rows."""
    count = 0
    for path in _journals(directory):
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            continue  # drained meanwhile
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # its process lives
            rows = list(_read(path))
            _commit(engine, rows)
            path.unlink(missing_ok=True)
            count += len(rows)
        finally:
            os.close(fd)
    return count


def _open(directory: Path) -> tuple[int, Path]:
    """A new journal file, locked before it shows under its name (else another process's
    `recover` could take it for a dead one's in between)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{os.getpid()}-{secrets.token_hex(6)}{SUFFIX}"
    hidden = path.with_name(f".{path.name}.new")
    fd = os.open(hidden, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_EXCL, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.rename(hidden, path)
    return fd, path


def _discard(file: tuple[int, Path]) -> None:
    """Deletes a journal file of this process, then lets its lock go."""
    fd, path = file
    path.unlink(missing_ok=True)
    os.close(fd)


def _write(fd: int, line: bytes) -> int:
    return os.write(fd, line)


def _journals(directory: Path) -> list[Path]:
    try:
        return sorted(p for p in directory.iterdir() if p.name.endswith(SUFFIX))
    except FileNotFoundError:
        return []


def _line(row: Mapping[str, Any]) -> bytes:
    values = {k: v.isoformat() if k in _TIMES else v for k, v in row.items()}
    return json.dumps(values, separators=(",", ":")).encode() + b"\n"


def _read(path: Path) -> Iterator[dict[str, Any]]:
    """A journal's rows; a line cut short by a crash mid-write is skipped (its check was never
    answered: the answer follows the write)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return
    for raw in data.splitlines():
        try:
            row = json.loads(raw)
            for key in _TIMES:
                row[key] = datetime.fromisoformat(row[key])
        except (ValueError, KeyError, TypeError):
            log.warning("check log: skipped an unreadable line in %s", path.name)
            continue
        yield row
