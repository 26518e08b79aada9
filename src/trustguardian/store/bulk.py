"""Bulk inserts for the ingest path, through the driver's own executemany.

SQLAlchemy's per-row parameter processing costs more than SQLite's whole insert on the hot
path; here each column's conversion is chosen once per statement, and values are written in
exactly the form SQLAlchemy itself would write them, so reads through the tables are unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from operator import itemgetter
from typing import Any

import orjson
from sqlalchemy import JSON, Connection, Table

from trustguardian.domain.events import timestamp
from trustguardian.store.types import UTCDateTime

Convert = Callable[[Any], Any]
# From this many rows PostgreSQL gets a COPY; a few rows (a check's record) stay one prepared
# INSERT, a single round trip.
COPY_FROM = 32


def driver_mark(connection: Connection) -> str:
    """The driver's placeholder for a bound value in plain SQL (`exec_driver_sql`): pysqlite's
    `?`, psycopg's `%s`."""
    return "?" if connection.dialect.name == "sqlite" else "%s"


def _same(value: Any) -> Any:
    return value


def _sqlite_time(value: datetime | None) -> str | None:
    # SQLAlchemy's SQLite DATETIME storage format, in UTC (see UTCDateTime): the leaf's RFC 3339
    # form of the same moment, which a batch has just formatted, with a space for its "T".
    if value is None:
        return None
    moment = timestamp(value)
    return f"{moment[:10]} {moment[11:26]}"


def _memoised(convert: Convert) -> Convert:
    """`convert` with a memo for one statement: a batch repeats its timestamps (`now`)."""
    memo: dict[Any, Any] = {}

    def run(value: Any) -> Any:
        try:
            return memo[value]
        except KeyError:
            memo[value] = converted = convert(value)
            return converted

    return run


def _json(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value).decode()


def _converter(column_type: Any, dialect: str) -> Convert:
    if isinstance(column_type, UTCDateTime):
        return _memoised(_sqlite_time) if dialect == "sqlite" else _same
    if isinstance(column_type, JSON):
        return _json
    return _same


def bulk_insert(
    connection: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    replace_on: Sequence[str] = (),
    ignore_existing: Sequence[str] = (),
) -> None:
    """Inserts rows (all with the same keys) in one executemany (PostgreSQL: one COPY).

    With `replace_on` (the primary key's columns), a row that exists is overwritten instead:
    `ON CONFLICT ... DO UPDATE`, the same SQL on SQLite and PostgreSQL.
    """
    if not rows:
        return
    dialect = connection.dialect.name
    names = list(rows[0])
    # Column names come from the table definition (table.c[name] refuses any other), never input.
    converters = [_converter(table.c[name].type, dialect) for name in names]
    mark = driver_mark(connection)
    columns, marks = ", ".join(names), ", ".join(mark for _ in names)
    sql = f"INSERT INTO {table.name} ({columns}) VALUES ({marks})"  # noqa: S608
    if ignore_existing:
        sql += f" ON CONFLICT ({', '.join(ignore_existing)}) DO NOTHING"
    if replace_on:
        updates = ", ".join(f"{n} = excluded.{n}" for n in names if n not in replace_on)
        sql += f" ON CONFLICT ({', '.join(replace_on)}) DO UPDATE SET {updates}"
    pick = itemgetter(*names)
    changes = [(i, f) for i, f in enumerate(converters) if f is not _same]
    params: list[tuple[Any, ...]] = []
    for row in rows:
        picked = pick(row)
        values = list(picked) if len(names) > 1 else [picked]
        for i, convert in changes:
            values[i] = convert(values[i])
        params.append(tuple(values))
    if dialect == "postgresql" and len(params) >= COPY_FROM and not (replace_on or ignore_existing):
        _copy(connection, table.name, names, params)
    else:
        connection.exec_driver_sql(sql, params)


def _copy(connection: Connection, table: str, names: list[str], params: list[Any]) -> None:
    """Plain inserts on PostgreSQL, by COPY: psycopg writes each row in C, where an executemany
    of INSERTs spends ~10 µs of Python per row (a batch of events writes eight rows each)."""
    driver: Any = connection.connection.driver_connection
    # The names come from the table definition (see bulk_insert), never input.
    statement = f"COPY {table} ({', '.join(names)}) FROM STDIN"
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for values in params:
            copy.write_row(values)
