"""What a complaint looks like to its readers: the case, its steps and attachments, opened with
the subject's key (sealed fields read as None once the subject is erased)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import orjson

from trustguardian.domain.complaints import ComplaintStatus
from trustguardian.domain.events import PrivacyEvent
from trustguardian.service.context import Context
from trustguardian.service.events.sealing import open_bytes, open_text
from trustguardian.store.rights import Step
from trustguardian.store.rights.complaints import StoredComplaint
from trustguardian.store.uow import UnitOfWork


@dataclass(frozen=True)
class AttachmentView:
    position: int
    name: str | None
    media_type: str | None
    size: int
    event_id: str


@dataclass(frozen=True)
class ComplaintView:
    id: str
    subject_id: str
    touchpoint: str
    channel: str
    about_event_id: str | None
    status: ComplaintStatus
    handler: str | None
    received_at: datetime
    summary: str | None
    outcome: str | None
    closed_at: datetime | None
    steps: tuple[Step, ...]
    attachments: tuple[AttachmentView, ...]
    timeline: tuple[PrivacyEvent, ...]
    kind: str = "other"
    due_at: datetime | None = None

    def overdue(self, now: datetime) -> bool:
        """Open past its deadline."""
        return self.status is not ComplaintStatus.CLOSED and (
            self.due_at is not None and now >= self.due_at
        )


def aad(complaint_id: str, field: str) -> str:
    return f"complaint:{complaint_id}:{field}"


def complaint_view(
    ctx: Context, uow: UnitOfWork, row: StoredComplaint, *, timeline: bool = False
) -> ComplaintView:
    attachments = []
    for a in uow.complaints.attachments(row.id):
        opened = open_bytes(ctx, uow, row.subject_id, a.sealed, aad(row.id, f"file:{a.position}"))
        meta: dict[str, str] = {}
        if opened is not None:
            head, _, _ = opened.partition(b"\n")
            meta = orjson.loads(head)
        attachments.append(
            AttachmentView(a.position, meta.get("name"), meta.get("media_type"), a.size, a.event_id)
        )
    events: tuple[PrivacyEvent, ...] = ()
    if timeline:
        events = tuple(
            sorted(uow.events.for_subject(row.subject_id), key=lambda e: (e.occurred_at, e.seq))
        )
    return ComplaintView(
        id=row.id,
        subject_id=row.subject_id,
        touchpoint=row.touchpoint_key,
        channel=row.channel,
        about_event_id=row.about_event_id,
        status=ComplaintStatus(row.status),
        handler=row.handler,
        received_at=row.received_at,
        summary=open_text(ctx, uow, row.subject_id, row.summary_sealed, aad(row.id, "summary")),
        outcome=open_text(ctx, uow, row.subject_id, row.outcome_sealed, aad(row.id, "outcome")),
        closed_at=row.closed_at,
        steps=tuple(uow.complaints.steps(row.id)),
        attachments=tuple(attachments),
        timeline=events,
        kind=row.kind,
        due_at=row.due_at,
    )
