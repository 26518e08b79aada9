"""Whole-table scans for verification: every row of the ledger's tables, as the driver gives it.

Verification reads every row of the largest tables and compares each with the leaf it must agree
with; SQLAlchemy's rows and type processing would cost more than the checks themselves. These
scans send plain SQL through the driver's own cursor (PostgreSQL: a server-side cursor) and
stream plain tuples in chunks, so values arrive in the driver's own form: text for SQLite times
and JSON, native objects on PostgreSQL. `time_text` and `json_value` normalise them.

Each row type below names its columns in order; readers index them by position. A scan may be
limited to a share of the events (`first` to `stop`) or to a half of the subjects (`Half`), so
that two processes can share the work.
"""

from __future__ import annotations

from collections.abc import Collection, Generator, Iterator
from datetime import UTC, datetime
from itertools import count
from typing import Any

import orjson
from sqlalchemy import Connection

from trustguardian.domain.events import EventKind, timestamp

# seq, id, kind, touchpoint_key, subject_id, identifiers, purpose_key, purpose_version, channels,
# notice_key, notice_version, notice_sha256, occurred_at, recorded_at, corrects,
# data_commitment, leaf, campaign, check_id, confirm_by, confirms, correction_by,
# correction_reason
EventRow = tuple[Any, ...]
# event_seq, position, type, commitment, claimed_by
ProofRow = tuple[int, int, str, str, str | None]
# subject_id, purpose_key, channel, status, since, event_id, event_seq, purpose_version,
# notice_key, notice_version, expires_at
StateRow = tuple[Any, ...]
# seq, id, kind, subject_id, purpose_key, purpose_version, channels, notice_key, notice_version,
# occurred_at, corrects, confirm_by (the consent-deciding columns, in `consent_fact` order)
FactRow = tuple[Any, ...]
# seq, kind, object_type, object_key, content, recorded_at, actor, leaf
RecordRow = tuple[Any, ...]
# level, idx, hash
NodeRow = tuple[int, int, bytes]
# event_seq, position, commitment, sealed, blob_address, event id, subject_id
SealedProofRow = tuple[int, int, str, bytes, str | None, str, str]
# seq, id, subject_id, data_commitment, data_sealed
SealedDataRow = tuple[int, str, str, str | None, bytes | None]
# blind, subject_id, kind, sealed
IdentifierRow = tuple[str, str, str, bytes | None]
# subject id, shredded_at, wrapped data key (None when missing)
SubjectKeyRow = tuple[str, Any, bytes | None]
# subject_id, address, media_type, size, sealed
BlobRow = tuple[str, str, str, int, bytes]
# The subjects a scan covers: those whose id sorts below the pivot (True) or the others.
Half = tuple[str, bool]

EVENT_COLUMNS = (
    "seq, id, kind, touchpoint_key, subject_id, identifiers, purpose_key, purpose_version, "
    "channels, notice_key, notice_version, notice_sha256, occurred_at, recorded_at, corrects, "
    "data_commitment, leaf, campaign, check_id, confirm_by, confirms, correction_by, "
    "correction_reason"
)
EVENTS = f"SELECT {EVENT_COLUMNS} FROM events WHERE {{seq}} ORDER BY seq"  # noqa: S608 (constant)
PROOFS = (
    "SELECT event_seq, position, type, commitment, claimed_by FROM event_proofs "
    "WHERE {event_seq} "
    "ORDER BY event_seq, position"
)
STATES = (
    "SELECT subject_id, purpose_key, channel, status, since, event_id, event_seq, purpose_version, "
    "notice_key, notice_version, expires_at FROM consent_states"
)
FACTS = (
    "SELECT seq, id, kind, subject_id, purpose_key, purpose_version, channels, notice_key, "
    "notice_version, occurred_at, corrects, confirm_by FROM events WHERE seq < {size}{kinds} "
    "ORDER BY seq"
)
RECORDS = (
    "SELECT seq, kind, object_type, object_key, content, recorded_at, actor, leaf "
    "FROM registry_records ORDER BY seq"
)
NODES = "SELECT level, idx, hash FROM tree_nodes ORDER BY level, idx"
HEAD = "SELECT size FROM ledger_head WHERE id = 1"
SEALED_PROOFS = (
    "SELECT p.event_seq, p.position, p.commitment, p.sealed, p.blob_address, e.id, e.subject_id "
    "FROM event_proofs p JOIN events e ON e.seq = p.event_seq WHERE {e.subject_id} "
    "ORDER BY p.event_seq, p.position"
)
SEALED_DATA = (
    "SELECT seq, id, subject_id, data_commitment, data_sealed FROM events "
    "WHERE (data_commitment IS NOT NULL OR data_sealed IS NOT NULL) AND {subject_id} ORDER BY seq"
)
IDENTIFIERS = (
    "SELECT blind, subject_id, kind, sealed FROM subject_identifiers WHERE {subject_id} "
    "ORDER BY subject_id, blind"
)
SUBJECT_KEYS = (
    "SELECT s.id, s.shredded_at, k.wrapped FROM subjects s "
    "LEFT JOIN subject_keys k ON k.subject_id = s.id WHERE {s.id}"
)
BLOBS = (
    "SELECT subject_id, address, media_type, size, sealed FROM evidence_blobs WHERE {subject_id}"
)
PIVOT = "SELECT id FROM subjects ORDER BY id LIMIT 1 OFFSET {offset}"
_KINDS = {k.value for k in EventKind}
_CURSORS = count()


class VerifyScans:
    """The scans of verification, bound to a unit of work's connection (and its snapshot)."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection
        self._pg = connection.dialect.name == "postgresql"

    def events(
        self, size: int | None = None, *, first: int = 0, stop: int | None = None
    ) -> Generator[EventRow, None, None]:
        """Every event row in seq order; with a `size`, those from `first` to `stop` (the size
        by default), the first share also taking stray rows below and the last those above."""
        return self._stream(EVENTS.replace("{seq}", _within("seq", size, first, stop)))

    def proofs(
        self, size: int | None = None, *, first: int = 0, stop: int | None = None
    ) -> Generator[ProofRow, None, None]:
        """Every proof row in (event_seq, position) order; bounds as in `events`."""
        return self._stream(PROOFS.replace("{event_seq}", _within("event_seq", size, first, stop)))

    def states(self) -> Generator[StateRow, None, None]:
        """Every stored consent state, in no particular order."""
        return self._stream(STATES)

    def facts(
        self, size: int, kinds: Collection[str] | None = None
    ) -> Generator[FactRow, None, None]:
        """The consent-deciding columns of the events before `size`, in seq order; with `kinds`,
        only the events of those kinds and the corrections."""
        only = ""
        if kinds is not None:
            if not set(kinds) <= _KINDS:  # inlined below: only event kinds, never input
                raise ValueError(f"not event kinds: {sorted(set(kinds) - _KINDS)}")
            listed = ", ".join(f"'{k}'" for k in sorted(kinds))
            only = f" AND (kind IN ({listed}) OR corrects IS NOT NULL)"
        return self._stream(FACTS.format(size=int(size), kinds=only))

    def records(self) -> Generator[RecordRow, None, None]:
        """Every registry record in seq order (they are few: one per registry change)."""
        return self._stream(RECORDS)

    def nodes(self) -> Generator[NodeRow, None, None]:
        """Every stored tree node in (level, index) order."""
        return self._stream(NODES)

    def head_size(self) -> int:
        """The ledger head's size (plain SQL: a new process has no compiled statements)."""
        return int(self._c.exec_driver_sql(HEAD).scalar_one())

    def pivot(self) -> str | None:
        """The subject id that parts the subjects in two halves (None when there are none)."""
        total = self._c.exec_driver_sql("SELECT count(*) FROM subjects").scalar_one()
        found: str | None = self._c.exec_driver_sql(PIVOT.format(offset=int(total) // 2)).scalar()
        return found

    def subject_keys(self, half: Half | None) -> Iterator[SubjectKeyRow]:
        """Each subject (of `half`, when given) with its erasure time and wrapped data key."""
        return self._half(SUBJECT_KEYS, half)

    def sealed_proofs(self, half: Half | None) -> Iterator[SealedProofRow]:
        """Every proof's sealed content with its event, in (event_seq, position) order."""
        return self._half(SEALED_PROOFS, half)

    def sealed_data(self, half: Half | None) -> Iterator[SealedDataRow]:
        """Every event holding data or a data commitment, in seq order."""
        return self._half(SEALED_DATA, half)

    def identifiers(self, half: Half | None) -> Iterator[IdentifierRow]:
        """Every stored identifier, by subject and keyed hash."""
        return self._half(IDENTIFIERS, half)

    def blobs(self, half: Half | None) -> Iterator[BlobRow]:
        """Every evidence file."""
        return self._half(BLOBS, half)

    def _half(self, sql: str, half: Half | None) -> Iterator[Any]:
        """The rows of `sql`, its `{column}` standing for the test of that subject id column."""
        column = sql[sql.index("{") + 1 : sql.index("}")]
        if half is None:
            return self._stream(sql.replace("{" + column + "}", "1 = 1"))
        mark = "%s" if self._pg else "?"
        test = f"COALESCE({column}, '') {'<' if half[1] else '>='} {mark}"
        return self._stream(sql.replace("{" + column + "}", test), (half[0],))

    def _stream(self, sql: str, params: tuple[Any, ...] = ()) -> Generator[Any, None, None]:
        """Streams a query's rows as plain tuples from the driver's cursor, in chunks."""
        driver: Any = self._c.connection.driver_connection
        named = f"tg_verify_{next(_CURSORS)}" if self._pg else None
        cursor = driver.cursor(name=named) if named else driver.cursor()
        try:
            cursor.execute(sql, params)
            while rows := cursor.fetchmany(5000):
                yield from rows
        finally:  # also when the reader stops early: a server-side cursor must not be left open
            cursor.close()


def _within(column: str, size: int | None, first: int, stop: int | None) -> str:
    """The bounds of a share of the events (integers only: the SQL holds no input)."""
    if size is None:
        return "1 = 1"
    stop = size if stop is None else stop
    bounds = []
    if first > 0:
        bounds.append(f"{column} >= {int(first)}")
    if stop < size:
        bounds.append(f"{column} < {int(stop)}")
    return " AND ".join(bounds) or "1 = 1"


def time_text(value: Any) -> str | None:
    """A scanned time as a leaf writes it."""
    if value is None:
        return None
    if isinstance(value, str):  # SQLite keeps naive UTC text
        return value.replace(" ", "T") + "Z"
    moment: datetime = value
    return timestamp(moment.astimezone(UTC))


def json_value(value: Any) -> Any:
    """A scanned JSON value as Python values (SQLite keeps the text)."""
    return orjson.loads(value) if isinstance(value, str | bytes) else value
