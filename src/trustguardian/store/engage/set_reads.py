"""Whole-table reads for a campaign list checked by set: each table read once, in one sequential
scan, for the purpose and channel of the list (see service.engage.check_sets).

A probe per row costs the database a walk down an index at a random place; a list of a million
rows makes millions of them. Read whole, a table costs a fraction of a microsecond a row, and
every row of the list is then answered from memory. Values come back converted by the columns'
own types, as the repositories' reads give them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection

from trustguardian.domain.consent import ConsentStatus
from trustguardian.store import tables as t
from trustguardian.store.engage.batch_reads import _processor

# One consent state as a list needs it: owner, stored status, start, deciding event, expiry.
StateRow = tuple[str, ConsentStatus, datetime, str, datetime | None]
_STATUSES = {s.value: s for s in ConsentStatus}
_FETCH = 50_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _epoch(_: object) -> datetime:
    return _EPOCH


class SetReads:
    """Set reads bound to a unit of work's connection."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection
        self._pg = connection.dialect.name == "postgresql"

    def identifier_count(self) -> int:
        """About how many keyed hashes the blind index holds (SQLite: a count, which reads the
        narrowest index, ~40 ms per million on this machine, as the table has no row ids;
        PostgreSQL's estimate, else a count)."""
        if not self._pg:
            sql = "SELECT count(*) FROM subject_identifiers"
            return int(self._c.exec_driver_sql(sql).scalar_one())
        sql = "SELECT reltuples FROM pg_class WHERE oid = 'subject_identifiers'::regclass"
        estimate = self._c.exec_driver_sql(sql).scalar()
        if estimate is not None and estimate >= 0:
            return int(estimate)
        return int(self._c.exec_driver_sql("SELECT count(*) FROM subject_identifiers").scalar_one())

    def owners_by_subject(self) -> Iterator[tuple[str, str]]:
        """Every keyed hash and its owner, in the order of the owners' ids (code point order,
        as Python compares strings)."""
        if self._pg:
            sql = (
                'SELECT blind, subject_id FROM subject_identifiers ORDER BY subject_id COLLATE "C"'
            )
        else:
            sql = (
                "SELECT blind, subject_id FROM subject_identifiers"
                " INDEXED BY ix_subject_identifiers_subject ORDER BY subject_id"
            )
        return self._scan(sql)

    def shredded(self) -> set[str]:
        """The erased subjects."""
        sql = "SELECT id FROM subjects WHERE shredded_at IS NOT NULL"
        return {row[0] for row in self._scan(sql)}

    def suppressed(self) -> set[str]:
        """The keyed hashes on the suppression list."""
        return {row[0] for row in self._scan("SELECT blind FROM suppression_entries")}

    def states(self, purpose: str, channel: str, *, since_too: bool) -> Iterator[StateRow]:
        """The consent states of a purpose on a channel, in the order of `owners_by_subject`;
        the start only when `since_too` (else the epoch: converting a million of them costs a
        good part of the read)."""
        since = _processor(self._c, t.consent_states.c.since) if since_too else _epoch
        expires = _processor(self._c, t.consent_states.c.expires_at)
        sql = (
            "SELECT subject_id, status, since, event_id, expires_at FROM consent_states"
            " WHERE purpose_key = ? AND channel = ? ORDER BY subject_id"
        )
        if self._pg:
            sql += ' COLLATE "C"'
        statuses = _STATUSES
        for subject_id, status, start, event_id, end in self._scan(sql, (purpose, channel)):
            yield (
                subject_id,
                statuses[status],
                since(start) if since else start,
                event_id,
                expires(end) if expires and end is not None else end,
            )

    def customers(self, purposes: Sequence[str]) -> set[str]:
        """The subjects with any event for one of these purposes."""
        if not purposes:
            return set()
        marks = ", ".join("?" * len(purposes))
        sql = f"SELECT DISTINCT subject_id FROM events WHERE purpose_key IN ({marks})"  # noqa: S608
        return {row[0] for row in self._scan(sql, tuple(purposes)) if row[0] is not None}

    def oppositions(self, registers: Sequence[str], kind: str) -> dict[str, date]:
        """Per subject, the latest date one of its identifiers of this kind was first seen on
        one of these registers (see `BatchReads.listed`)."""
        if not registers:
            return {}
        marks = ", ".join("?" * len(registers))
        sql = _OPPOSITIONS.replace("{marks}", marks)
        convert = _processor(self._c, t.opposition_registers.c.register_date)
        found: dict[str, date] = {}
        for subject_id, raw in self._scan(sql, (*registers, kind)):
            when = convert(raw) if convert else raw
            found[subject_id] = max(found.get(subject_id, when), when)
        return found

    def contact_counts(
        self, channel: str, since: datetime, until: datetime, purpose: str | None
    ) -> dict[str, int]:
        """Contacts made per subject on a channel from `since` up to (not at) `until`; only
        those for `purpose` when one is named (see `EngageRepository.contact_counts`)."""
        bound = _bind(self._c, t.contacts.c.occurred_at)
        sql = (
            "SELECT subject_id, count(*) FROM contacts WHERE channel = ?"
            " AND occurred_at >= ? AND occurred_at < ?"
        )
        params: tuple[Any, ...] = (channel, bound(since), bound(until))
        if purpose is not None:
            sql += " AND purpose_key = ?"
            params += (purpose,)
        sql += " GROUP BY subject_id"
        return {subject_id: int(count) for subject_id, count in self._scan(sql, params)}

    def _scan(self, sql: str, params: tuple[Any, ...] = ()) -> Iterator[Any]:
        """The rows of a statement as the driver gives them, fetched in parts (a server-side
        cursor on PostgreSQL): no row object is made for a table read whole."""
        driver = self._c.connection.driver_connection
        if self._pg:  # the statements are written with SQLite's marks
            sql = sql.replace("?", "%s")
            with driver.cursor(name=f"tg_set_{id(sql)}") as cursor:  # type: ignore[union-attr]
                cursor.itersize = _FETCH
                cursor.execute(sql, params)
                yield from cursor
            return
        cursor = driver.cursor()  # type: ignore[union-attr]
        try:
            yield from cursor.execute(sql, params)
        finally:
            cursor.close()


_OPPOSITIONS = (
    "SELECT i.subject_id, COALESCE(e.first_seen, r.register_date) FROM opposition_entries e"
    " JOIN opposition_registers r ON r.id = e.register_id"
    " JOIN subject_identifiers i ON i.blind = e.blind"
    " WHERE e.register_id IN ({marks}) AND i.kind = ?"
)


def _bind(connection: Connection, column: Any) -> Any:
    """The column type's own conversion of a value into what the driver is sent."""
    dialect = connection.dialect
    processor = column.type.dialect_impl(dialect).bind_processor(dialect)
    return processor if processor is not None else lambda value: value
