"""Repository for imported source files: the file's shape and root, its rows' commitments, and
the events each row produced (store.tables_sources)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, select

from trustguardian.store import tables as t
from trustguardian.store.bulk import bulk_insert


@dataclass(frozen=True)
class StoredSource:
    """A source file as its ledger record commits to it."""

    id: str
    file_sha256: str
    name: str
    size: int
    encoding: str  # an IANA charset name
    bom: bool
    header: bytes  # the header record's exact bytes (a byte-order mark included)
    rows: int
    root: str  # hex Merkle tree hash of the rows' commitments
    touchpoint_key: str
    imported_by: str
    imported_at: datetime


class SourceRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, source: StoredSource, commitments: Sequence[str]) -> None:
        """Stores the file's record and its rows' commitments, in file order."""
        self._c.execute(t.source_files.insert().values(**vars(source)))
        bulk_insert(
            self._c,
            t.source_rows,
            [
                {"source_id": source.id, "position": n, "commitment": c}
                for n, c in enumerate(commitments)
            ],
        )

    def link(self, source_id: str, rows: Sequence[tuple[int, int]]) -> None:
        """Records which events (row position, event seq) the file's rows produced."""
        bulk_insert(
            self._c,
            t.source_row_events,
            [{"source_id": source_id, "position": p, "event_seq": s} for p, s in rows],
        )

    def get(self, source_id: str) -> StoredSource | None:
        row = self._c.execute(
            select(t.source_files).where(t.source_files.c.id == source_id)
        ).first()
        return None if row is None else _source(row)

    def all(self) -> list[StoredSource]:
        """Every source file, oldest import first."""
        f = t.source_files
        return [_source(r) for r in self._c.execute(select(f).order_by(f.c.imported_at, f.c.id))]

    def commitments(self, source_id: str) -> list[str]:
        """The rows' commitments in file order."""
        r = t.source_rows
        rows = self._c.execute(
            select(r.c.commitment).where(r.c.source_id == source_id).order_by(r.c.position)
        )
        return [str(c) for (c,) in rows]

    def row_events(self, source_id: str) -> dict[int, list[tuple[int, str, str]]]:
        """The events each row produced, by row position: (seq, event id, subject id)."""
        e, ev = t.source_row_events, t.events
        query = (
            select(e.c.position, ev.c.seq, ev.c.id, ev.c.subject_id)
            .join(ev, ev.c.seq == e.c.event_seq)
            .where(e.c.source_id == source_id)
            .order_by(e.c.position, ev.c.seq)
        )
        found: dict[int, list[tuple[int, str, str]]] = {}
        for position, seq, event_id, subject_id in self._c.execute(query):
            found.setdefault(int(position), []).append((int(seq), event_id, subject_id))
        return found


def _source(row: Row[Any]) -> StoredSource:
    return StoredSource(
        id=row.id,
        file_sha256=row.file_sha256,
        name=row.name,
        size=int(row.size),
        encoding=row.encoding,
        bom=bool(row.bom),
        header=bytes(row.header),
        rows=int(row.rows),
        root=row.root,
        touchpoint_key=row.touchpoint_key,
        imported_by=row.imported_by,
        imported_at=row.imported_at,
    )
