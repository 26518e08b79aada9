"""Repository for registry records: the ledger leaves that commit to registry changes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, select

from trustguardian.store import tables as t
from trustguardian.store.bulk import bulk_insert


@dataclass(frozen=True)
class StoredRecord:
    """A registry record as stored: its leaf and the columns it was written from."""

    seq: int
    kind: str
    object_type: str
    object_key: str
    content: str  # RFC 8785 text of the content the leaf commits to
    recorded_at: datetime
    actor: str
    leaf: bytes


class RecordRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add_many(self, records: Sequence[StoredRecord]) -> None:
        bulk_insert(
            self._c,
            t.registry_records,
            [
                {
                    "seq": r.seq,
                    "kind": r.kind,
                    "object_type": r.object_type,
                    "object_key": r.object_key,
                    "content": r.content,
                    "recorded_at": r.recorded_at,
                    "actor": r.actor,
                    "leaf": r.leaf,
                }
                for r in records
            ],
        )

    def latest(self, object_type: str | None = None) -> dict[tuple[str, str], StoredRecord]:
        """The latest record of each object (of one type, when given), by (type, key)."""
        r = t.registry_records
        last = select(r.c.object_type, r.c.object_key, func.max(r.c.seq).label("seq")).group_by(
            r.c.object_type, r.c.object_key
        )
        if object_type is not None:
            last = last.where(r.c.object_type == object_type)
        newest = last.subquery()
        rows = self._c.execute(select(r).join(newest, newest.c.seq == r.c.seq))
        return {(row.object_type, row.object_key): _record(row) for row in rows}

    def history(self, object_type: str, object_key: str) -> list[StoredRecord]:
        """Every record of one object, oldest first."""
        r = t.registry_records
        rows = self._c.execute(
            select(r)
            .where(r.c.object_type == object_type, r.c.object_key == object_key)
            .order_by(r.c.seq)
        )
        return [_record(row) for row in rows]

    def get(self, seq: int) -> StoredRecord | None:
        row = self._c.execute(
            select(t.registry_records).where(t.registry_records.c.seq == seq)
        ).first()
        return None if row is None else _record(row)

    def count(self) -> int:
        return int(
            self._c.execute(select(func.count()).select_from(t.registry_records)).scalar_one()
        )


def _record(row: Row[Any]) -> StoredRecord:
    return StoredRecord(
        seq=row.seq,
        kind=row.kind,
        object_type=row.object_type,
        object_key=row.object_key,
        content=row.content,
        recorded_at=row.recorded_at,
        actor=row.actor,
        leaf=bytes(row.leaf),
    )
