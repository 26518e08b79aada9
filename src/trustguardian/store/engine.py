"""Engines for SQLite (embedded default) and PostgreSQL, configured the same way everywhere."""

from __future__ import annotations

import threading
import weakref
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine as Engine
from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import ConnectionPoolEntry

WRITE_OPTION = "tg_write"


def normalise_url(url: str) -> URL:
    """Parses a database URL; plain `postgresql://` means psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ValueError(
            f"unsupported database {parsed.get_backend_name()!r}: use sqlite or postgresql"
        )
    return parsed


def make_engine(
    url: str, *, pool_size: int = 5, max_overflow: int | None = None, pool_timeout: float = 30.0
) -> Engine:
    """Creates an engine: SQLite gets WAL, foreign keys and explicit transactions."""
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            parsed,
            connect_args={"check_same_thread": False, "timeout": 30},
            json_serializer=_dumps,
            json_deserializer=orjson.loads,
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(
        parsed,
        pool_size=pool_size,
        max_overflow=pool_size if max_overflow is None else max_overflow,
        pool_timeout=pool_timeout,
        pool_pre_ping=True,
        json_serializer=_dumps,
        json_deserializer=orjson.loads,
    )


def sqlite_file(database_url: str) -> Path | None:
    """The file of a SQLite URL (None for PostgreSQL and in-memory databases)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def redacted_url(database_url: str) -> str:
    """A database URL with its password hidden, to name the database in a message."""
    return make_url(database_url).render_as_string(hide_password=True)


def is_postgresql(engine: Engine) -> bool:
    """Whether the engine is on PostgreSQL (else SQLite)."""
    return engine.dialect.name == "postgresql"


def run_alone(engine: Engine, sql: str, params: Any = None) -> list[Any]:
    """Runs one statement on the driver's own cursor outside any transaction and returns the
    rows it answered (none for a write), on a connection kept for lone statements (see
    `_Kept`): autocommit on PostgreSQL, where a transaction would cost two more round trips and
    its rollback would make psycopg forget the statements it prepared (see store.uow); a lone
    SQLite statement commits by itself."""
    kept = _kept.get(engine.pool) or _keep(engine)
    raw = kept.take()
    try:
        rows = _execute(raw, sql, params)
    except BaseException as exc:
        stale = kept.went_stale(raw, exc)
        raw.close()  # a connection that failed a statement is not trusted with another
        if not stale:
            raise
        # The server closed it while it was kept (a restart, an idle timeout): the statement
        # did not run there. The pool's pre-ping would have replaced it; so does this.
        raw = kept.take(fresh=True)
        try:
            rows = _execute(raw, sql, params)
        except BaseException:
            raw.close()
            raise
    kept.give_back(raw)
    return rows


def _execute(raw: Any, sql: str, params: Any) -> list[Any]:
    cursor = raw.cursor()
    try:
        cursor.execute(sql) if params is None else cursor.execute(sql, params)
        return list(cursor.fetchall()) if cursor.description is not None else []
    finally:
        cursor.close()


class _Kept:
    """Connections kept out of the engine's pool for lone statements, opened by a pool of the
    same configuration and hooks (SQLite's pragmas), PostgreSQL's in autocommit for good.

    A lone statement leaves no transaction open, so a kept connection needs no reset, and the
    pool's checkout and return (locks, events, a ROLLBACK; on PostgreSQL the pre-ping's round
    trip) cost more than a contact check's read itself. At most `most` are kept: one per thread
    running a lone statement at a time; more at once are opened and closed."""

    def __init__(self, engine: Engine, most: int = 8) -> None:
        self.opener = engine.pool.recreate()
        self.pg = is_postgresql(engine)
        self.stale_error: type[BaseException] = engine.dialect.loaded_dbapi.OperationalError
        self.most = most
        self.spare: list[Any] = []

    def take(self, *, fresh: bool = False) -> Any:
        if not fresh:
            try:
                return self.spare.pop()  # atomic: a connection serves one thread at a time
            except IndexError:
                pass
        raw = self.opener.connect()
        if self.pg:
            driver: Any = raw.driver_connection
            driver.autocommit = True
        raw.detach()
        return raw

    def give_back(self, raw: Any) -> None:
        if len(self.spare) < self.most:
            self.spare.append(raw)
        else:
            raw.close()

    def went_stale(self, raw: Any, exc: BaseException) -> bool:
        return (
            self.pg
            and isinstance(exc, self.stale_error)
            and bool(getattr(raw.dbapi_connection, "broken", False))
        )


# Per pool: a disposed engine's kept connections are closed with its old pool.
_kept: weakref.WeakKeyDictionary[Any, _Kept] = weakref.WeakKeyDictionary()
_keeping = threading.Lock()


def _keep(engine: Engine) -> _Kept:
    with _keeping:
        kept = _kept.get(engine.pool)
        if kept is None:
            kept = _kept[engine.pool] = _Kept(engine)
            # Closed when the engine is disposed, or its pool collected (a test's engine).
            weakref.finalize(engine.pool, _close_all, kept.spare)
            event.listen(engine, "engine_disposed", lambda _engine: _close_all(kept.spare))
    return kept


def _close_all(spare: list[Any]) -> None:
    while spare:
        spare.pop().close()


def can_open_twice(engine: Engine) -> bool:
    """Whether a second process can open this engine's database (not an in-memory SQLite)."""
    url = engine.url
    return url.get_backend_name() != "sqlite" or url.database not in (None, "", ":memory:")


def url_text(engine: Engine) -> str:
    """The engine's URL in full, to open the same database in another process."""
    return engine.url.render_as_string(hide_password=False)


def snapshot_engine(url: str) -> Engine:
    """A one-connection engine whose transactions each read one snapshot (PostgreSQL: REPEATABLE
    READ, as SQLite's read transaction)."""
    engine = make_engine(url, pool_size=1)
    if engine.dialect.name == "postgresql":
        engine = engine.execution_options(isolation_level="REPEATABLE READ")
    return engine


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # pysqlite's own implicit BEGIN comes too late and too weak; we emit ours in `begin`.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        # 64 MiB of page cache: index maintenance on large ledgers stays in memory.
        cursor.execute("PRAGMA cache_size=-65536")
        # Reads map the file instead of copying each page through read(): checking a list of
        # millions probes the indexes at random, page after page.
        cursor.execute("PRAGMA mmap_size=1073741824")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A writer takes the single SQLite write lock up front (BEGIN IMMEDIATE) so two writers
        # never deadlock upgrading a read lock; readers start a plain snapshot.
        write = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
