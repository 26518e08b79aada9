"""Repository for legal defence: defence copies, their readings, and legal holds."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, Select, insert, or_, select, update

from trustguardian.domain.defence import DefenceCopy, DefenceRead, LegalHold
from trustguardian.store import tables as t

_d = t.defence_copies.c
_h = t.legal_holds.c
R = TypeVar("R")


def _copy(row: Any) -> DefenceCopy:
    return DefenceCopy(
        subject_id=row.subject_id,
        purposes=tuple(row.purposes),
        events=tuple(row.events),
        sealed_sha256=row.sealed_sha256,
        retain_until=row.retain_until,
        created_at=row.created_at,
        wrapped_key=None if row.wrapped_key is None else bytes(row.wrapped_key),
        sealed=None if row.sealed is None else bytes(row.sealed),
        destroyed_at=row.destroyed_at,
    )


def _hold(row: Any) -> LegalHold:
    return LegalHold(
        id=row.id,
        subject_id=row.subject_id,
        touchpoint=row.touchpoint_key,
        reason=row.reason,
        placed_by=row.placed_by,
        placed_at=row.placed_at,
        released_by=row.released_by,
        released_at=row.released_at,
    )


class DefenceRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add_copy(self, copy: DefenceCopy) -> None:
        self._c.execute(
            insert(t.defence_copies).values(
                subject_id=copy.subject_id,
                purposes=list(copy.purposes),
                events=list(copy.events),
                sealed_sha256=copy.sealed_sha256,
                retain_until=copy.retain_until,
                created_at=copy.created_at,
                wrapped_key=copy.wrapped_key,
                sealed=copy.sealed,
            )
        )

    def _first(self, query: Select[Any], read: Callable[[Any], R]) -> R | None:
        """The first row `query` finds, read into a record (None: no row)."""
        row = self._c.execute(query).first()
        return None if row is None else read(row)

    def _all(self, query: Select[Any], read: Callable[[Any], R]) -> list[R]:
        """Every row `query` finds, read into records, in its order."""
        return [read(row) for row in self._c.execute(query)]

    def copy(self, subject_id: str) -> DefenceCopy | None:
        return self._first(select(t.defence_copies).where(_d.subject_id == subject_id), _copy)

    def copies(self, *, kept_only: bool = False) -> list[DefenceCopy]:
        query = select(t.defence_copies).order_by(_d.subject_id)
        if kept_only:
            query = query.where(_d.destroyed_at.is_(None))
        return self._all(query, _copy)

    def due(self, now: datetime) -> list[DefenceCopy]:
        """Copies still kept whose retention has ended (holds are the caller's to weigh)."""
        query = (
            select(t.defence_copies)
            .where(_d.destroyed_at.is_(None), _d.retain_until <= now)
            .order_by(_d.retain_until, _d.subject_id)
        )
        return self._all(query, _copy)

    def destroy(self, subject_id: str, at: datetime) -> None:
        """Deletes the wrapped key and the sealed proofs: nothing of the copy can be read."""
        self._c.execute(
            update(t.defence_copies)
            .where(_d.subject_id == subject_id)
            .values(wrapped_key=None, sealed=None, destroyed_at=at)
        )

    def set_wrapped(self, subject_id: str, wrapped: bytes) -> None:
        self._c.execute(
            update(t.defence_copies)
            .where(_d.subject_id == subject_id, _d.destroyed_at.is_(None))
            .values(wrapped_key=wrapped)
        )

    def add_read(self, read: DefenceRead) -> None:
        self._c.execute(
            insert(t.defence_reads).values(
                id=read.id,
                subject_id=read.subject_id,
                opened_by=read.opened_by,
                via=read.via,
                reason=read.reason,
                at=read.at,
            )
        )

    def add_hold(self, hold: LegalHold) -> None:
        self._c.execute(
            insert(t.legal_holds).values(
                id=hold.id,
                subject_id=hold.subject_id,
                touchpoint_key=hold.touchpoint,
                reason=hold.reason,
                placed_by=hold.placed_by,
                placed_at=hold.placed_at,
            )
        )

    def hold(self, hold_id: str) -> LegalHold | None:
        return self._first(select(t.legal_holds).where(_h.id == hold_id), _hold)

    def release(self, hold_id: str, by: str, at: datetime) -> None:
        self._c.execute(
            update(t.legal_holds)
            .where(_h.id == hold_id, _h.released_at.is_(None))
            .values(released_by=by, released_at=at)
        )

    def holds(self, *, standing_only: bool = False) -> list[LegalHold]:
        query = select(t.legal_holds).order_by(_h.placed_at, _h.id)
        if standing_only:
            query = query.where(_h.released_at.is_(None))
        return self._all(query, _hold)

    def standing_holds(self, subject_id: str, touchpoints: Sequence[str]) -> list[LegalHold]:
        """The holds standing on this subject or on any of these touchpoints."""
        query = (
            select(t.legal_holds)
            .where(
                _h.released_at.is_(None),
                or_(_h.subject_id == subject_id, _h.touchpoint_key.in_(list(touchpoints))),
            )
            .order_by(_h.placed_at, _h.id)
        )
        return self._all(query, _hold)
