"""A rights request as an authorised reader sees it: the person's words opened with their key."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from trustguardian.domain.rights import OPEN, RequestKind, RequestStatus
from trustguardian.service.context import Context
from trustguardian.service.events.sealing import open_text
from trustguardian.store.rights import Step, StoredRequest
from trustguardian.store.uow import UnitOfWork


@dataclass(frozen=True)
class RequestView:
    """A request as an authorised reader sees it; sealed texts are None once erased."""

    id: str
    kind: RequestKind
    status: RequestStatus
    subject_id: str
    touchpoint: str
    channel: str
    language: str
    received_at: datetime
    due_on: date
    due_at: datetime
    overdue: bool
    extended_at: datetime | None
    extension_reason: str | None
    extension_message_id: str | None
    answer_message_id: str | None
    details: str | None
    outcome: str | None
    handler: str | None
    closed_at: datetime | None
    steps: tuple[Step, ...]


def aad(request_id: str, field: str) -> str:
    return f"rights-request:{request_id}:{field}"


def view_of(
    ctx: Context,
    uow: UnitOfWork,
    row: StoredRequest,
    *,
    texts: bool = True,
    steps: Sequence[Step] | None = None,
) -> RequestView:
    """A request's view; without `texts`, the person's words stay sealed (lists need none)."""

    def opened(field: str, sealed: bytes | None) -> str | None:
        if not texts:
            return None
        return open_text(ctx, uow, row.subject_id, sealed, aad(row.id, field))

    closed = row.status not in OPEN
    return RequestView(
        id=row.id,
        kind=RequestKind(row.kind),
        status=RequestStatus(row.status),
        subject_id=row.subject_id,
        touchpoint=row.touchpoint_key,
        channel=row.channel,
        language=row.language,
        received_at=row.received_at,
        due_on=row.due_on,
        due_at=row.due_at,
        overdue=not closed and ctx.clock.now() >= row.due_at,
        extended_at=row.extended_at,
        extension_reason=opened("extension", row.extension_sealed),
        extension_message_id=row.extension_message_id,
        answer_message_id=row.answer_message_id,
        details=opened("details", row.details_sealed),
        outcome=opened("outcome", row.outcome_sealed),
        handler=row.handler,
        closed_at=row.closed_at,
        steps=tuple(uow.rights.steps(row.id) if steps is None else steps),
    )
