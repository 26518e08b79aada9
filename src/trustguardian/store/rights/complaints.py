"""Repository for complaints, their steps and their sealed attachments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from trustguardian.store import tables as t
from trustguardian.store.rights import Step


@dataclass(frozen=True)
class StoredComplaint:
    id: str
    subject_id: str
    touchpoint_key: str
    channel: str
    about_event_id: str | None
    status: str
    handler: str | None
    received_at: datetime
    summary_sealed: bytes | None
    outcome_sealed: bytes | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    kind: str = "other"
    due_at: datetime | None = None


@dataclass(frozen=True)
class ComplaintChange:
    """What an update changes on a complaint; a field left None keeps its stored value."""

    status: str
    updated_at: datetime
    handler: str | None = None
    outcome_sealed: bytes | None = None
    closed_at: datetime | None = None


@dataclass(frozen=True)
class StoredAttachment:
    position: int
    size: int
    sealed: bytes
    event_id: str
    created_at: datetime


def _complaint(row: Any) -> StoredComplaint:
    values = dict(row._mapping)
    for name in ("summary_sealed", "outcome_sealed"):
        if values[name] is not None:
            values[name] = bytes(values[name])
    return StoredComplaint(**values)


@dataclass(frozen=True)
class NewComplaint:
    """A complaint as received."""

    id: str
    subject_id: str
    touchpoint_key: str
    channel: str
    about_event_id: str | None
    status: str
    handler: str | None
    received_at: datetime
    summary_sealed: bytes | None
    created_at: datetime
    updated_at: datetime
    kind: str = "other"
    due_at: datetime | None = None


@dataclass(frozen=True)
class NewAttachment:
    """A file attached to a complaint, sealed with its subject's key."""

    size: int
    sealed: bytes
    event_id: str
    created_at: datetime


class ComplaintRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, complaint: NewComplaint) -> None:
        self._c.execute(insert(t.complaints).values(**vars(complaint)))

    def get(self, complaint_id: str, *, lock: bool = False) -> StoredComplaint | None:
        query = select(t.complaints).where(t.complaints.c.id == complaint_id)
        if lock:
            query = query.with_for_update()
        row = self._c.execute(query).first()
        return None if row is None else _complaint(row)

    def update(self, complaint_id: str, change: ComplaintChange) -> None:
        values = {name: v for name, v in vars(change).items() if v is not None}
        self._c.execute(
            update(t.complaints).where(t.complaints.c.id == complaint_id).values(**values)
        )

    def listing(
        self,
        *,
        statuses: Sequence[str] | None = None,
        subject_id: str | None = None,
        touchpoint: str | None = None,
        after: str | None = None,
        limit: int = 100,
    ) -> list[StoredComplaint]:
        c = t.complaints.c
        query = select(t.complaints)
        if statuses is not None:
            query = query.where(c.status.in_(list(statuses)))
        if subject_id is not None:
            query = query.where(c.subject_id == subject_id)
        if touchpoint is not None:
            query = query.where(c.touchpoint_key == touchpoint)
        if after is not None:
            query = query.where(c.id > after)
        return [_complaint(r) for r in self._c.execute(query.order_by(c.id).limit(limit))]

    def add_step(
        self, complaint_id: str, status: str, event_id: str, actor: str, at: datetime
    ) -> None:
        c = t.complaint_steps.c
        position = self._c.execute(
            select(func.coalesce(func.max(c.position), -1)).where(c.complaint_id == complaint_id)
        ).scalar_one()
        self._c.execute(
            insert(t.complaint_steps).values(
                complaint_id=complaint_id,
                position=int(position) + 1,
                status=status,
                event_id=event_id,
                actor=actor,
                at=at,
            )
        )

    def by_step_event(self, event_id: str) -> str | None:
        """The complaint one of whose steps is this event."""
        c = t.complaint_steps.c
        found = self._c.execute(select(c.complaint_id).where(c.event_id == event_id)).first()
        return None if found is None else str(found.complaint_id)

    def steps(self, complaint_id: str) -> list[Step]:
        c = t.complaint_steps.c
        rows = self._c.execute(
            select(c.position, c.status, c.event_id, c.actor, c.at)
            .where(c.complaint_id == complaint_id)
            .order_by(c.position)
        )
        return [Step(r.position, r.status, r.event_id, r.actor, r.at) for r in rows]

    def add_attachment(self, complaint_id: str, attachment: NewAttachment) -> int:
        c = t.complaint_attachments.c
        position = (
            int(
                self._c.execute(
                    select(func.coalesce(func.max(c.position), -1)).where(
                        c.complaint_id == complaint_id
                    )
                ).scalar_one()
            )
            + 1
        )
        self._c.execute(
            insert(t.complaint_attachments).values(
                complaint_id=complaint_id, position=position, **vars(attachment)
            )
        )
        return position

    def attachments(self, complaint_id: str) -> list[StoredAttachment]:
        c = t.complaint_attachments.c
        rows = self._c.execute(
            select(c.position, c.size, c.sealed, c.event_id, c.created_at)
            .where(c.complaint_id == complaint_id)
            .order_by(c.position)
        )
        return [
            StoredAttachment(r.position, r.size, bytes(r.sealed), r.event_id, r.created_at)
            for r in rows
        ]
