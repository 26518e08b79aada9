"""Repository for holds: restrictions of processing and complaints that stop contacts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from trustguardian.domain.holds import Hold, HoldCause
from trustguardian.domain.registry import Channel
from trustguardian.store import tables as t

_h = t.processing_holds.c


def _hold(row: Any) -> Hold:
    return Hold(
        id=row.id,
        subject_id=row.subject_id,
        purpose=row.purpose_key,
        channel=None if row.channel is None else Channel(row.channel),
        cause=HoldCause(row.cause),
        source_id=row.source_id,
        started_at=row.started_at,
        lifted_at=row.lifted_at,
    )


class HoldRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, hold: Hold, event_id: str) -> None:
        self._c.execute(
            insert(t.processing_holds).values(
                id=hold.id,
                subject_id=hold.subject_id,
                purpose_key=hold.purpose,
                channel=None if hold.channel is None else hold.channel.value,
                cause=hold.cause.value,
                source_id=hold.source_id,
                started_at=hold.started_at,
                started_event_id=event_id,
            )
        )

    def lift(self, source_id: str, at: datetime, event_id: str) -> int:
        """Lifts every live hold a request or complaint set; how many were lifted."""
        result = self._c.execute(
            update(t.processing_holds)
            .where(_h.source_id == source_id, _h.lifted_at.is_(None))
            .values(lifted_at=at, lifted_event_id=event_id)
        )
        return int(result.rowcount)

    def of_source(self, source_id: str) -> list[Hold]:
        rows = self._c.execute(
            select(t.processing_holds).where(_h.source_id == source_id).order_by(_h.id)
        )
        return [_hold(r) for r in rows]

    def of_subject(self, subject_id: str) -> list[Hold]:
        rows = self._c.execute(
            select(t.processing_holds).where(_h.subject_id == subject_id).order_by(_h.started_at)
        )
        return [_hold(r) for r in rows]

    def live_of(self, subject_ids: Sequence[str]) -> dict[str, list[Hold]]:
        """The holds in force (not lifted) of some subjects, by subject."""
        if not subject_ids:
            return {}
        rows = self._c.execute(
            select(t.processing_holds).where(
                _h.subject_id.in_(sorted(set(subject_ids))), _h.lifted_at.is_(None)
            )
        )
        found: dict[str, list[Hold]] = {}
        for r in rows:
            found.setdefault(r.subject_id, []).append(_hold(r))
        return found

    def everyone(self) -> dict[str, tuple[Hold, ...]]:
        """Every hold, live or lifted, by subject (a check of a past moment sees lifted ones)."""
        found: dict[str, list[Hold]] = {}
        for r in self._c.execute(select(t.processing_holds).order_by(_h.started_at, _h.id)):
            found.setdefault(r.subject_id, []).append(_hold(r))
        return {s: tuple(h) for s, h in found.items()}
