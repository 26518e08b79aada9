"""Router for complaints: cases linked to the subject's timeline, every change an event."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool

from trustguardian.api.auth import confine, confined_touchpoint, get_context, require
from trustguardian.api.events import IdempotencyKey
from trustguardian.api.rights_schemas import ComplaintCreate, ComplaintRead, ComplaintUpdate
from trustguardian.api.schemas import PageRead
from trustguardian.api.subjects import to_identifiers
from trustguardian.domain.access import ApiKey, Reach, Scope, key_actor
from trustguardian.domain.complaints import ComplaintStatus
from trustguardian.domain.errors import FieldError, InvalidInput
from trustguardian.service.access.access_log import api_reader, log_read
from trustguardian.service.context import Context
from trustguardian.service.rights import complaints

router = APIRouter(prefix="/v1", tags=["complaints"])
Ctx = Annotated[Context, Depends(get_context)]
Lister = Annotated[ApiKey, Depends(require(Scope.RIGHTS_READ))]
Reader = Annotated[ApiKey, Depends(require(Scope.RIGHTS_READ, Reach.COMPLAINT))]
Opener = Annotated[ApiKey, Depends(require(Scope.RIGHTS_WRITE))]
Writer = Annotated[ApiKey, Depends(require(Scope.RIGHTS_WRITE, Reach.COMPLAINT))]


def _actor(key: ApiKey, given: str | None) -> str:
    """The key is the actor; an operator named in the body is recorded as the key's claim."""
    return key_actor(key, given)


@router.post("/complaints", operation_id="openComplaint", status_code=status.HTTP_201_CREATED)
def open_complaint(
    body: ComplaintCreate, ctx: Ctx, key: Opener, idempotency_key: IdempotencyKey = None
) -> ComplaintRead:
    """Opens a complaint about a person's contact or event (the person named or implied)."""
    confine(ctx, key, Reach.TOUCHPOINT, [body.touchpoint])
    confine(ctx, key, Reach.SUBJECT, [body.subject_id])
    confine(ctx, key, Reach.EVENT, [body.about_event_id])
    return ComplaintRead.of(
        complaints.open_complaint(
            ctx,
            touchpoint=body.touchpoint,
            channel=body.channel,
            summary=body.summary,
            actor=_actor(key, body.actor),
            identifiers=to_identifiers(ctx, body.identifiers),
            subject_id=body.subject_id,
            about_event_id=body.about_event_id,
            received_at=body.received_at,
            handler=body.handler,
            idempotency_key=idempotency_key,
            idempotency_scope=f"complaints:{key.id}",
            kind=body.kind,
            contact_channel=body.contact_channel,
        )
    )


@router.get("/complaints", operation_id="listComplaints")
def list_complaints(
    ctx: Ctx,
    key: Lister,
    status_: Annotated[list[ComplaintStatus] | None, Query(alias="status")] = None,
    subject_id: str | None = None,
    cursor: str | None = None,
    limit: Annotated[int | None, Query(ge=1)] = None,
) -> PageRead[ComplaintRead]:
    """Lists complaints, a page at a time, filtered by status or subject."""
    page = complaints.list_complaints(
        ctx,
        statuses=status_,
        subject_id=subject_id,
        touchpoint=confined_touchpoint(key),
        cursor=cursor,
        limit=limit,
    )
    return PageRead(items=[ComplaintRead.of(v) for v in page.items], next_cursor=page.next_cursor)


@router.get("/complaints/{complaint_id}", operation_id="getComplaint")
def get_complaint(complaint_id: str, ctx: Ctx, key: Reader) -> ComplaintRead:
    """A case with the subject's whole timeline, so Legal answers from facts (read logged)."""
    view = complaints.get_complaint(ctx, complaint_id=complaint_id)
    log_read(ctx, reader=api_reader(key), subject_id=view.subject_id, what="complaint")
    return ComplaintRead.of(view)


@router.patch("/complaints/{complaint_id}", operation_id="updateComplaint")
def update_complaint(
    complaint_id: str, body: ComplaintUpdate, ctx: Ctx, key: Writer
) -> ComplaintRead:
    """Changes status, handler or outcome (closing needs the outcome)."""
    return ComplaintRead.of(
        complaints.update_complaint(
            ctx,
            complaint_id=complaint_id,
            actor=_actor(key, body.actor),
            status=body.status,
            handler=body.handler,
            outcome=body.outcome,
        )
    )


@router.post(
    "/complaints/{complaint_id}/attachments",
    operation_id="attachToComplaint",
    status_code=status.HTTP_201_CREATED,
)
async def attach(
    complaint_id: str,
    request: Request,
    ctx: Ctx,
    key: Writer,
    name: Annotated[str, Query(min_length=1, max_length=200)],
) -> ComplaintRead:
    """Attaches the request body as a file (Content-Type kept), sealed with the subject's key."""
    content = await request.body()
    media_type = request.headers.get("content-type", "application/octet-stream")[:100]
    if not content:
        raise InvalidInput(
            "send the file as the request body", errors=[FieldError("body", "empty")]
        )
    view = await run_in_threadpool(
        complaints.attach_file,
        ctx,
        complaint_id=complaint_id,
        name=name,
        media_type=media_type,
        content=content,
        actor=_actor(key, None),
    )
    return ComplaintRead.of(view)


@router.get(
    "/complaints/{complaint_id}/attachments/{position}", operation_id="getComplaintAttachment"
)
def read_attachment(complaint_id: str, position: int, ctx: Ctx, _: Reader) -> Response:
    """Downloads an attachment of a complaint, unsealed, with its media type."""
    name, media_type, content = complaints.read_attachment(
        ctx, complaint_id=complaint_id, position=position
    )
    safe = "".join(c for c in name if c.isalnum() or c in "._-") or "attachment"
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{safe}"'},
    )
