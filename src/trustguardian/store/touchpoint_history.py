"""Reads of one touchpoint's history for its dossier: notices shown, events, sample proofs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select

from trustguardian.store import tables as t


@dataclass(frozen=True)
class NoticeShown:
    """A notice version the touchpoint's events cite, and over which span."""

    notice: str
    version: int
    events: int
    first: datetime
    last: datetime


@dataclass(frozen=True)
class SampleProof:
    """One proof of a recent consent event: its type and commitment, never its content."""

    event_id: str
    occurred_at: datetime
    kind: str
    proof_type: str
    commitment: str
    has_file: bool


class TouchpointHistoryReads:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def notices_shown(self, touchpoint: str) -> list[NoticeShown]:
        """Each notice version the touchpoint's events cite, by first occurrence."""
        e = t.events.c
        rows = self._c.execute(
            select(
                e.notice_key,
                e.notice_version,
                func.count(),
                func.min(e.occurred_at),
                func.max(e.occurred_at),
            )
            .where(e.touchpoint_key == touchpoint, e.notice_key.is_not(None))
            .group_by(e.notice_key, e.notice_version)
            .order_by(func.min(e.occurred_at), e.notice_key, e.notice_version)
        )
        return [NoticeShown(r[0], int(r[1] or 0), int(r[2]), r[3], r[4]) for r in rows]

    def events_by_kind(self, touchpoint: str) -> dict[str, int]:
        e = t.events.c
        rows = self._c.execute(
            select(e.kind, func.count())
            .where(e.touchpoint_key == touchpoint)
            .group_by(e.kind)
            .order_by(e.kind)
        )
        return {r[0]: int(r[1]) for r in rows}

    def sample_proofs(self, touchpoint: str, kinds: list[str], limit: int) -> list[SampleProof]:
        """The proofs of the touchpoint's latest `limit` events of these kinds."""
        e, p = t.events.c, t.event_proofs.c
        latest = (
            select(e.seq)
            .where(e.touchpoint_key == touchpoint, e.kind.in_(kinds))
            .order_by(e.seq.desc())
            .limit(limit)
            .subquery()
        )
        rows = self._c.execute(
            select(e.id, e.occurred_at, e.kind, p.type, p.commitment, p.blob_address.is_not(None))
            .select_from(t.events.join(t.event_proofs, p.event_seq == e.seq))
            .where(e.seq.in_(select(latest.c.seq)))
            .order_by(e.seq.desc(), p.position)
        )
        return [SampleProof(r[0], r[1], r[2], r[3], r[4], bool(r[5])) for r in rows]
