"""Reads for the evidence archive: the ledger leaves, checkpoints, stamps and sealed blobs of a
time range, as they are stored (nothing opened)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select, tuple_

from trustguardian.store import tables as t
from trustguardian.store.ledger import StoredCheckpoint


@dataclass(frozen=True)
class ArchivedLeaf:
    seq: int
    leaf: bytes
    subject_id: str | None  # an event's subject; None for a registry record


@dataclass(frozen=True)
class SealedBlob:
    """A sealed value as stored: a proof's content or an evidence file, still encrypted."""

    path: str
    sealed: bytes


class ArchiveReads:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def leaves_between(self, start: datetime, end: datetime) -> list[ArchivedLeaf]:
        """Every leaf recorded in [start, end), events and registry records, by index."""
        e, r = t.events, t.registry_records
        events = self._c.execute(
            select(e.c.seq, e.c.leaf, e.c.subject_id).where(
                e.c.recorded_at >= start, e.c.recorded_at < end
            )
        )
        records = self._c.execute(
            select(r.c.seq, r.c.leaf).where(r.c.recorded_at >= start, r.c.recorded_at < end)
        )
        found = [ArchivedLeaf(row.seq, bytes(row.leaf), row.subject_id) for row in events]
        found += [ArchivedLeaf(row.seq, bytes(row.leaf), None) for row in records]
        return sorted(found, key=lambda leaf: leaf.seq)

    def checkpoints_between(self, start: datetime, end: datetime) -> list[StoredCheckpoint]:
        c = t.checkpoints
        rows = self._c.execute(
            select(c).where(c.c.created_at >= start, c.c.created_at < end).order_by(c.c.tree_size)
        )
        return [
            StoredCheckpoint(r.tree_size, bytes(r.root_hash), r.note, r.created_at) for r in rows
        ]

    def stamps(self, sizes: Sequence[int]) -> dict[int, bytes]:
        """The RFC 3161 tokens over these checkpoints (those stamped)."""
        s = t.checkpoint_timestamps
        rows = self._c.execute(select(s.c.tree_size, s.c.token).where(s.c.tree_size.in_(sizes)))
        return {row.tree_size: bytes(row.token) for row in rows}

    def sealed_blobs(self, seqs: Sequence[int]) -> list[SealedBlob]:
        """The sealed proofs of these events and the sealed evidence files they name."""
        p, b, e = t.event_proofs, t.evidence_blobs, t.events
        proofs = self._c.execute(
            select(p.c.event_seq, p.c.position, p.c.sealed, p.c.blob_address, e.c.subject_id)
            .join(e, e.c.seq == p.c.event_seq)
            .where(p.c.event_seq.in_(seqs))
            .order_by(p.c.event_seq, p.c.position)
        ).all()
        found = [
            SealedBlob(f"sealed/proofs/{r.event_seq:08d}-{r.position}.bin", bytes(r.sealed))
            for r in proofs
        ]
        named = sorted({(r.subject_id, r.blob_address) for r in proofs if r.blob_address})
        if named:
            rows = self._c.execute(
                select(b.c.subject_id, b.c.address, b.c.sealed).where(
                    tuple_(b.c.subject_id, b.c.address).in_(named)
                )
            )
            found += [
                SealedBlob(f"sealed/evidence/{r.subject_id}-{r.address}.bin", bytes(r.sealed))
                for r in rows
            ]
        return found
