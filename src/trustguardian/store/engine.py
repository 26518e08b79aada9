"""Engines for SQLite (embedded default) and PostgreSQL, configured the same way everywhere."""

from __future__ import annotations

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
    rows it answered (none for a write): autocommit on PostgreSQL, where a transaction would
    cost two more round trips and its rollback, when the connection returns to the pool, makes
    psycopg forget the statements it prepared on it (see store.uow); a lone SQLite statement
    commits by itself, on a connection kept aside for lone statements (see `_spares`)."""
    if not is_postgresql(engine):
        return _run_aside(engine, sql, params)
    raw = engine.raw_connection()
    driver: Any = raw.driver_connection
    try:
        driver.autocommit = True
        cursor = raw.cursor()
        try:
            cursor.execute(sql) if params is None else cursor.execute(sql, params)
            return list(cursor.fetchall()) if cursor.description is not None else []
        finally:
            cursor.close()
            if not driver.closed:
                driver.autocommit = False
    finally:
        raw.close()


# SQLite connections kept out of the pool for lone statements, per pool (a disposed engine's
# go with its pool), at most this many: one per thread running such a statement at a time.
_MAX_SPARES = 8
_spares: weakref.WeakKeyDictionary[Any, list[Any]] = weakref.WeakKeyDictionary()


def _run_aside(engine: Engine, sql: str, params: Any) -> list[Any]:
    """A lone SQLite statement on a connection of its own: the pool's checkout and return
    (locks, events and a ROLLBACK) cost twice the ~10 µs of a contact check's read. It leaves
    no transaction open, so the connection needs no reset to serve the next statement."""
    spares = _spares.get(engine.pool)
    if spares is None:
        spares = _spares.setdefault(engine.pool, [])
    try:
        raw = spares.pop()  # atomic: each connection serves one thread at a time
    except IndexError:
        raw = engine.raw_connection()  # configured by the pool's connect hook, then ours
        raw.detach()
    try:
        cursor = raw.cursor()
        try:
            cursor.execute(sql) if params is None else cursor.execute(sql, params)
            rows = list(cursor.fetchall()) if cursor.description is not None else []
        finally:
            cursor.close()
    except BaseException:
        raw.close()  # a connection that failed a statement is not trusted with another
        raise
    if len(spares) < _MAX_SPARES:
        spares.append(raw)
    else:
        raw.close()
    return rows


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
