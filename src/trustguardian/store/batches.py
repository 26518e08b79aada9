"""Repository for sealing high-volume rows in batches: the checks answered and the access log.

A batch is the rows of one table, in (time, id) order, after the last batch sealed and before a
cut-off. Each row sealed keeps the ledger index of the record that sealed it, its position in
the batch and the leaf hash of its canonical form, so that `verify` can name the row that
changed, the position a removed row left empty and a row that no batch ever held.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, and_, bindparam, or_, select, update

from trustguardian.store import tables as t


@dataclass(frozen=True)
class Sealable:
    """A table whose rows are sealed in batches, and the column that orders them in time."""

    name: str  # "checks" or "access_log"
    table: Table
    time: str


SEALABLE = {
    "checks": Sealable("checks", t.checks, "checked_at"),
    "access_log": Sealable("access_log", t.subject_access_log, "at"),
}


@dataclass(frozen=True)
class Seal:
    """Where a row was sealed: the record's ledger index, its position, its leaf hash."""

    id: str
    seq: int
    position: int
    hash: bytes


class BatchRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def unsealed(
        self,
        kind: str,
        *,
        after: tuple[datetime, str] | None,
        before: datetime,
        limit: int,
    ) -> list[dict[str, Any]]:
        """Rows not sealed yet, dated after the last sealed row `after` and before `before`,
        in (time, id) order, at most `limit` of them."""
        s = SEALABLE[kind]
        time, row_id = s.table.c[s.time], s.table.c.id
        query = (
            select(s.table)
            .where(s.table.c.sealed_seq.is_(None), time < before)
            .order_by(time, row_id)
            .limit(limit)
        )
        if after is not None:
            query = query.where(or_(time > after[0], and_(time == after[0], row_id > after[1])))
        return [dict(r._mapping) for r in self._c.execute(query)]

    def mark_sealed(self, kind: str, seals: Sequence[Seal]) -> None:
        s = SEALABLE[kind]
        if not seals:
            return
        self._c.execute(
            update(s.table)
            .where(s.table.c.id == bindparam("row_id"))
            .values(
                sealed_seq=bindparam("seq"),
                sealed_position=bindparam("position"),
                sealed_hash=bindparam("hash"),
            ),
            [{"row_id": x.id, "seq": x.seq, "position": x.position, "hash": x.hash} for x in seals],
        )

    def sealed(self, kind: str) -> Iterator[dict[str, Any]]:
        """Every sealed row, by batch and position (for verification)."""
        s = SEALABLE[kind]
        rows = self._c.execution_options(yield_per=10_000).execute(
            select(s.table)
            .where(s.table.c.sealed_seq.is_not(None))
            .order_by(s.table.c.sealed_seq, s.table.c.sealed_position)
        )
        for r in rows:
            yield dict(r._mapping)

    def batch(self, kind: str, seq: int) -> list[dict[str, Any]]:
        """The rows one record sealed, by position."""
        s = SEALABLE[kind]
        rows = self._c.execute(
            select(s.table).where(s.table.c.sealed_seq == seq).order_by(s.table.c.sealed_position)
        )
        return [dict(r._mapping) for r in rows]

    def strays(self, kind: str, until: tuple[datetime, str]) -> list[dict[str, Any]]:
        """Rows no batch sealed, though dated at or before the last row sealed: no sealing
        pass leaves those behind, so each was inserted (or unsealed) since."""
        s = SEALABLE[kind]
        time, row_id = s.table.c[s.time], s.table.c.id
        rows = self._c.execute(
            select(s.table)
            .where(
                s.table.c.sealed_seq.is_(None),
                or_(time < until[0], and_(time == until[0], row_id <= until[1])),
            )
            .order_by(time, row_id)
        )
        return [dict(r._mapping) for r in rows]

    def records(self, object_type: str, size: int) -> list[tuple[int, str]]:
        """The ledger records of one batch type before `size`: (seq, content text), in order."""
        r = t.registry_records
        rows = self._c.execute(
            select(r.c.seq, r.c.content)
            .where(r.c.object_type == object_type, r.c.seq < size)
            .order_by(r.c.seq)
        )
        return [(int(seq), str(content)) for seq, content in rows]

    def last_record(self, object_type: str) -> str | None:
        """The content text of the newest record of one batch type, if any."""
        r = t.registry_records
        found = self._c.execute(
            select(r.c.content)
            .where(r.c.object_type == object_type)
            .order_by(r.c.seq.desc())
            .limit(1)
        ).scalar_one_or_none()
        return None if found is None else str(found)

    def get(self, kind: str, row_id: str) -> dict[str, Any] | None:
        s = SEALABLE[kind]
        found = self._c.execute(select(s.table).where(s.table.c.id == row_id)).first()
        return None if found is None else dict(found._mapping)
