"""Whole-table reads for a campaign list checked by set: each table read once, in one sequential
scan, for the purpose and channel of the list (see service.engage.check_sets).

A probe per row costs the database a walk down an index at a random place; a list of a million
rows makes millions of them. Read whole, a table costs a fraction of a microsecond a row, and
every row of the list is then answered from memory. Values come back converted by the columns'
own types, as the repositories' reads give them, except in the two reads of a row per person
(`owners`, `states`): these come in parts, as the driver gives them, for the caller to turn into
columns without a Python call per row.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection

from trustguardian.domain.consent import ConsentStatus
from trustguardian.store import tables as t
from trustguardian.store.engage.batch_reads import _marks, _processor

# A consent state as a list needs it: owner, stored status ("!" appended when expired by the
# moment asked), deciding event.
StateRow = tuple[str, str, str]
_STATUSES = {s.value: s for s in ConsentStatus}
_FETCH = 50_000
_IN = 500  # subjects named in one statement


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

    def owners(self) -> Iterator[list[tuple[str, str]]]:
        """Every keyed hash and its owner, in parts."""
        return self._parts("SELECT blind, subject_id FROM subject_identifiers")

    def states(self, purpose: str, channel: str, now: datetime) -> Iterator[list[StateRow]]:
        """The consent states of a purpose on a channel, in parts: (owner, stored status with
        "!" appended when its expiry has come by `now`, deciding event id).

        Read apart from the owners (a join would walk an index twice per keyed hash: most of
        the read), and matched to them by the caller. The expiry is compared by the database,
        in the column's own stored form (see `contact_counts`)."""
        sql = (
            "SELECT subject_id, status || CASE WHEN expires_at <= ? THEN '!' ELSE '' END,"
            " event_id FROM consent_states WHERE purpose_key = ? AND channel = ?"
        )
        bound = _bind(self._c, t.consent_states.c.expires_at)
        return self._parts(sql, (bound(now), purpose, channel))

    def shredded(self) -> set[str]:
        """The erased subjects."""
        sql = "SELECT id FROM subjects WHERE shredded_at IS NOT NULL"
        return {row[0] for row in self._scan(sql)}

    def suppressed(self) -> set[str]:
        """The keyed hashes on the suppression list."""
        return {row[0] for row in self._scan("SELECT blind FROM suppression_entries")}

    def suppressed_owners(self) -> set[str]:
        """The subjects with any keyed hash on the suppression list."""
        sql = (
            "SELECT DISTINCT i.subject_id FROM suppression_entries e"
            " CROSS JOIN subject_identifiers i WHERE i.blind = e.blind"
        )  # CROSS: SQLite then probes the owners of the few hashes, not every owner
        return {row[0] for row in self._scan(sql)}

    def starts(
        self, purpose: str, channel: str, subjects: Sequence[str]
    ) -> dict[str, tuple[ConsentStatus, datetime]]:
        """The stored status and start of these subjects' consent states for a purpose on a
        channel (those that have one)."""
        since = _processor(self._c, t.consent_states.c.since)
        found: dict[str, tuple[ConsentStatus, datetime]] = {}
        for at in range(0, len(subjects), _IN):
            part = subjects[at : at + _IN]
            sql = (
                "SELECT subject_id, status, since FROM consent_states"  # noqa: S608
                f" WHERE purpose_key = ? AND channel = ? AND subject_id {_marks(len(part))}"
            )
            for subject_id, status, start in self._scan(sql, (purpose, channel, *part)):
                found[subject_id] = (_STATUSES[status], since(start) if since else start)
        return found

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
        for part in self._parts(sql, params):
            yield from part

    def _parts(self, sql: str, params: tuple[Any, ...] = ()) -> Iterator[list[Any]]:
        """The rows of a statement as the driver gives them, in lists of `_FETCH` rows."""
        driver = self._c.connection.driver_connection
        if self._pg:  # the statements are written with SQLite's marks
            sql = sql.replace("?", "%s")
            with driver.cursor(name=f"tg_set_{id(sql)}") as cursor:  # type: ignore[union-attr]
                cursor.execute(sql, params)
                while part := cursor.fetchmany(_FETCH):
                    yield part
            return
        cursor = driver.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(sql, params)
            while part := cursor.fetchmany(_FETCH):
                yield part
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
