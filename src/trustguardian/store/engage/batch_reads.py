"""Reads for batches of checks: one statement per table for many thousand keys at a time.

A campaign list of millions is checked in batches of tens of thousands; the per-statement cost
of SQLAlchemy's expanding IN (a bound parameter compiled per key) would dominate, so these reads
send plain SQL: on SQLite an IN list of up to `SQLITE_KEYS` parameters (the limit is 32,766 per
statement), on PostgreSQL one array parameter (`= ANY(%s)`). Values come back converted by the
columns' own types, exactly as the repositories' reads give them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Connection

from trustguardian.domain.consent import ConsentState, ConsentStatus
from trustguardian.domain.registry import Channel
from trustguardian.store import tables as t
from trustguardian.store.types import UTCDateTime

SQLITE_KEYS = 30_000
_CHANNELS = {c.value: c for c in Channel}
_STATUSES = {s.value: s for s in ConsentStatus}

# What a keyed hash asked about leads to: its owner, and whether the owner is erased.
Owner = tuple[str, bool]

# SQLite's planner prefers a table's unique index for an equality, whose rows it must then read:
# the batch reads name the covering index (PostgreSQL's planner weighs them itself). A keyed
# hash needs none: its primary key holds the row (`subject_identifiers` is WITHOUT ROWID).
_SQLITE_INDEXES = {
    "by_blind": "",
    "by_subject": "INDEXED BY ix_subject_identifiers_subject",
    "shredded": "INDEXED BY ix_subjects_shredded",
}


class BatchReads:
    """Batch reads bound to a unit of work's connection (statements go through SQLAlchemy, so
    its events see them)."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection
        self._pg = connection.dialect.name == "postgresql"
        self._indexes = dict.fromkeys(_SQLITE_INDEXES, "") if self._pg else _SQLITE_INDEXES
        self._since = _processor(connection, t.consent_states.c.since)
        self._expires = _processor(connection, t.consent_states.c.expires_at)
        self._shredded = _processor(connection, t.subjects.c.shredded_at)
        self._register_date = _processor(connection, t.opposition_registers.c.register_date)

    def owners(self, blinds: Sequence[str]) -> dict[str, Owner]:
        """Maps each known keyed hash to its owner and whether the owner is erased."""
        sql = self._indexed(
            "SELECT a.blind, a.subject_id, s.id IS NOT NULL FROM subject_identifiers a {by_blind}"
            " LEFT JOIN subjects s {shredded} ON s.id = a.subject_id AND s.shredded_at IS NOT NULL"
            " WHERE a.blind {keys}"
        )
        return {
            blind: (subject_id, bool(shredded))
            for blind, subject_id, shredded in self._rows(sql, blinds)
        }

    def suppressed_subjects(self, subject_ids: Sequence[str]) -> set[str]:
        """The subjects among these with any identifier on the suppression list.

        Either each subject's identifiers are looked up, or, when the suppression list is the
        shorter (counted no further than that), each entry's owner: the same answer, with the
        fewer random lookups.
        """
        if not subject_ids:
            return set()
        half = len(subject_ids) // 2
        count = "SELECT count(*) FROM (SELECT 1 FROM suppression_entries LIMIT %d) AS entries"
        if half and self._c.exec_driver_sql(count % half).scalar_one() < half:
            # CROSS JOIN keeps SQLite's join order: the list's entries outside, each one's
            # owner looked up (the other way round reads every identifier).
            sql = self._indexed(
                "SELECT i.subject_id FROM suppression_entries e CROSS JOIN subject_identifiers i"
                " {by_blind} WHERE i.blind = e.blind"
            )
            asked = set(subject_ids)
            return {row[0] for row in self._c.exec_driver_sql(sql) if row[0] in asked}
        sql = self._indexed(
            "SELECT DISTINCT i.subject_id FROM subject_identifiers i {by_subject}"
            " JOIN suppression_entries e ON e.blind = i.blind WHERE i.subject_id {keys}"
        )
        return {row[0] for row in self._rows(sql, subject_ids)}

    def identifiers(self, subject_ids: Sequence[str]) -> dict[str, list[tuple[str, str]]]:
        """Each subject's identifiers (hash, kind)."""
        sql = self._indexed(
            "SELECT subject_id, blind, kind FROM subject_identifiers {by_subject}"
            " WHERE subject_id {keys}"
        )
        found: dict[str, list[tuple[str, str]]] = {}
        for subject_id, blind, kind in self._rows(sql, subject_ids):
            found.setdefault(subject_id, []).append((blind, kind))
        return found

    def subjects(self, subject_ids: Sequence[str]) -> tuple[set[str], set[str]]:
        """The subjects among these that exist, and those of them erased."""
        sql = "SELECT id, shredded_at FROM subjects WHERE id {keys}"
        known: set[str] = set()
        shredded: set[str] = set()
        convert = self._shredded
        for subject_id, shredded_at in self._rows(sql, subject_ids):
            known.add(subject_id)
            if (convert(shredded_at) if convert else shredded_at) is not None:
                shredded.add(subject_id)
        return known, shredded

    def states(
        self, subject_ids: Sequence[str], purposes: Sequence[str], channels: Sequence[str]
    ) -> dict[tuple[str, str, Channel], ConsentState]:
        """The consent states of these subjects for these purposes and channels."""
        sql = (
            "SELECT subject_id, purpose_key, channel, status, since, event_id, event_seq,"
            " purpose_version, notice_key, notice_version, expires_at FROM consent_states"
            " WHERE subject_id {keys} AND purpose_key {0} AND channel {1}"
        )
        since, expires = self._since, self._expires
        found: dict[tuple[str, str, Channel], ConsentState] = {}
        for (
            subject_id,
            purpose,
            channel_text,
            status,
            start,
            event_id,
            event_seq,
            purpose_version,
            notice,
            notice_version,
            end,
        ) in self._rows(sql, subject_ids, purposes, channels):
            channel = _CHANNELS[channel_text]
            found[subject_id, purpose, channel] = ConsentState(
                subject_id,
                purpose,
                channel,
                _STATUSES[status],
                since(start) if since else start,
                event_id,
                event_seq,
                purpose_version,
                notice,
                notice_version,
                expires(end) if expires and end is not None else end,
            )
        return found

    def suppressed(self, blinds: Sequence[str]) -> set[str]:
        """The keyed hashes on the suppression list."""
        sql = "SELECT blind FROM suppression_entries WHERE blind {keys}"
        return {row[0] for row in self._rows(sql, blinds)}

    def listed(self, register_ids: Sequence[str], blinds: Sequence[str]) -> dict[str, date]:
        """Maps each keyed hash in these registers to the latest date it was first seen on one
        of them (see `opposition_entries.first_seen`)."""
        if not register_ids:
            return {}
        sql = (
            "SELECT e.blind, COALESCE(e.first_seen, r.register_date) FROM opposition_entries e"
            " JOIN opposition_registers r ON r.id = e.register_id"
            " WHERE e.blind {keys} AND e.register_id {0}"
        )
        convert = self._register_date
        found: dict[str, date] = {}
        for blind, raw in self._rows(sql, blinds, register_ids):
            when = convert(raw) if convert else raw
            found[blind] = max(found.get(blind, when), when)
        return found

    def with_events_for(self, subject_ids: Sequence[str], purposes: Sequence[str]) -> set[str]:
        """The subjects with any event for one of these purposes."""
        if not purposes:
            return set()
        sql = "SELECT DISTINCT subject_id FROM events WHERE subject_id {keys} AND purpose_key {0}"
        return {row[0] for row in self._rows(sql, subject_ids, purposes)}

    def _indexed(self, sql: str) -> str:
        """The statement with `{by_blind}`, `{by_subject}` and `{shredded}` naming indexes."""
        for name, clause in self._indexes.items():
            sql = sql.replace("{" + name + "}", clause)
        return sql

    def _rows(self, sql: str, keys: Sequence[str], *lists: Sequence[str]) -> Iterator[Any]:
        """Runs `sql` over the keys, `{keys}` and `{0}`, `{1}`... standing for membership tests
        of the keys and of each further (short) list."""
        if not keys or any(not values for values in lists):
            return
        if self._pg:
            statement = sql.format(*(["= ANY(%s)"] * len(lists)), keys="= ANY(%s)")
            yield from self._c.exec_driver_sql(statement, (list(keys), *map(list, lists)))
            return
        extra = [v for values in lists for v in values]
        step = max(1, SQLITE_KEYS - len(extra))
        tests = [_marks(len(values)) for values in lists]
        for start in range(0, len(keys), step):
            chunk = [*keys[start : start + step]]
            # The driver keeps each distinct statement prepared (128 of them), and one with tens
            # of thousands of marks holds megabytes: a list of millions, whose chunks each have
            # their own count of keys, grew a worker by 350 MB. Padded to a power of two (the
            # last key repeated, which changes no membership test), a few statements serve all.
            chunk += chunk[-1:] * (_padded(len(chunk), step) - len(chunk))
            statement = sql.format(*tests, keys=_marks(len(chunk)))
            yield from self._c.exec_driver_sql(statement, (*chunk, *extra))


def _padded(count: int, limit: int) -> int:
    """The count of marks for `count` keys: the next power of two, at most `limit`."""
    return min(limit, 1 << (count - 1).bit_length())


def _marks(count: int) -> str:
    return f"IN ({','.join('?' * count)})"


def _processor(connection: Connection, column: Column[Any]) -> Callable[[Any], Any] | None:
    """The column type's own conversion of a raw driver value (None when there is none)."""
    dialect = connection.dialect
    processor: Callable[[Any], Any] | None = column.type.dialect_impl(dialect).result_processor(
        dialect, None
    )
    if processor is None or dialect.name != "sqlite" or not isinstance(column.type, UTCDateTime):
        return processor
    slow = processor

    def convert(value: Any) -> Any:
        # SQLite keeps the text SQLAlchemy wrote, "YYYY-MM-DD HH:MM:SS.ffffff" in UTC; C's
        # fromisoformat reads it five times faster than the dialect's pattern (same value),
        # and ten times faster told the offset than given the zone after (`replace`).
        if type(value) is str and len(value) == 26 and value[10] == " ":
            return datetime.fromisoformat(value + "+00:00")
        return slow(value)

    return convert
