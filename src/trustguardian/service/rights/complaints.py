"""Complaints (contestazioni): cases linked to the subject's timeline; every change is an event.

The person's words, the outcome and attachments are sealed with the subject's key; the ledger
records that the case was opened or changed, committing to the change without showing it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

import orjson

from trustguardian.domain.common import as_utc
from trustguardian.domain.complaints import (
    COMPLAINT_MOVES,
    ComplaintKind,
    ComplaintStatus,
    complaint_due,
)
from trustguardian.domain.errors import (
    Conflict,
    Erased,
    FieldError,
    InvalidInput,
    NotFound,
    TooLarge,
)
from trustguardian.domain.events import EventKind, PrivacyEvent
from trustguardian.domain.registry import Channel, ProofType
from trustguardian.domain.subjects import Identifier
from trustguardian.service import fingerprints
from trustguardian.service.collect.evidence import ProofDraft, is_declared_type
from trustguardian.service.context import Context
from trustguardian.service.events.recording import record_in_unit
from trustguardian.service.events.sealing import open_bytes, seal_bytes, seal_text
from trustguardian.service.events.validate import EventDraft
from trustguardian.service.pagination import Page, decode_cursor, paginate
from trustguardian.service.rights import complaint_effects as effects
from trustguardian.service.rights.complaint_effects import kind_of

# Re-exported: callers read complaints through this module.
from trustguardian.service.rights.complaint_views import AttachmentView as AttachmentView
from trustguardian.service.rights.complaint_views import ComplaintView as ComplaintView
from trustguardian.service.rights.complaint_views import aad as _aad
from trustguardian.service.rights.complaint_views import complaint_view as complaint_view
from trustguardian.service.rights.requests import remember, replayed
from trustguardian.store.rights.complaints import (
    ComplaintChange,
    NewAttachment,
    NewComplaint,
    StoredComplaint,
)
from trustguardian.store.uow import UnitOfWork


def _event(
    kind: EventKind,
    touchpoint: str,
    subject_id: str | None,
    actor: str,
    *,
    identifiers: Sequence[Identifier] = (),
    occurred_at: datetime,
    data: dict[str, object],
) -> EventDraft:
    return EventDraft(
        kind=kind,
        touchpoint=touchpoint,
        occurred_at=occurred_at,
        identifiers=tuple(identifiers),
        subject_id=subject_id,
        proofs=(ProofDraft(ProofType.OPERATOR, {"operator": actor}),),
        data=data,
    )


def open_complaint(
    ctx: Context,
    *,
    touchpoint: str,
    channel: Channel,
    summary: str,
    actor: str,
    identifiers: Sequence[Identifier] = (),
    subject_id: str | None = None,
    about_event_id: str | None = None,
    received_at: datetime | None = None,
    handler: str | None = None,
    idempotency_key: str | None = None,
    idempotency_scope: str = "complaints",
    kind: ComplaintKind | None = None,
    contact_channel: Channel | None = None,
) -> ComplaintView:
    """Opens a case: a `complaint.opened` event and the case row, or nothing (a retry with the
    same idempotency key returns the case opened the first time).

    Its deadline follows its kind (`contact` when it names a contact or the channel of one); a
    complaint about a contact holds that channel for the person until it is closed."""
    if not summary.strip():
        raise InvalidInput(
            "say what the complaint is about", errors=[FieldError("summary", "empty")]
        )
    now = ctx.clock.now()
    received = as_utc(received_at) if received_at else now
    complaint_id = ctx.ids.new_id("cmp")
    arguments = (touchpoint, channel, summary, identifiers, subject_id, about_event_id, received_at)
    fingerprint = fingerprints.Fingerprint.of(
        "rights.complaint",
        {
            "touchpoint": touchpoint,
            "channel": channel.value,
            "summary": summary,
            "identifiers": fingerprints.identifiers_of(identifiers),
            "subject_id": subject_id,
            "about_event_id": about_event_id,
            "received_at": fingerprints.instant(received_at),
            # Named only when given: a retry of a complaint filed before kinds keeps its print.
            **({"kind": kind.value} if kind is not None else {}),
            **({"contact_channel": contact_channel.value} if contact_channel else {}),
        },
        legacy_parts=arguments,
    )
    with ctx.uow() as uow:
        uow.ledger.lock_head()
        if idempotency_key is not None:
            earlier = replayed(uow, idempotency_scope, idempotency_key, fingerprint)
            if earlier is not None:
                return complaint_view(
                    ctx, uow, _load(uow, uow.complaints.by_step_event(earlier) or "")
                )
        about_subject: str | None = None
        about_event: PrivacyEvent | None = None
        if about_event_id is not None:
            about = uow.events.get(about_event_id)
            if about is None:
                raise InvalidInput(
                    f"no event {about_event_id!r}",
                    errors=[FieldError("about_event_id", "unknown event")],
                )
            about_event = about[0]
            about_subject = about_event.subject_id
            if subject_id is None and not identifiers:
                subject_id = about_subject
        kind = kind_of(kind, about_event, contact_channel)
        held = effects.contact_channel(kind, about_event, contact_channel)
        [event] = record_in_unit(
            ctx,
            uow,
            [
                _event(
                    EventKind.COMPLAINT_OPENED,
                    touchpoint,
                    subject_id,
                    actor,
                    identifiers=identifiers,
                    occurred_at=received,
                    data={"complaint": complaint_id, "about": about_event_id},
                )
            ],
        )
        if about_subject is not None and about_subject != event.subject_id:
            raise InvalidInput(
                "the event is about another subject",
                errors=[FieldError("about_event_id", "another subject's event")],
            )
        uow.complaints.add(
            NewComplaint(
                id=complaint_id,
                subject_id=event.subject_id,
                touchpoint_key=touchpoint,
                channel=channel.value,
                about_event_id=about_event_id,
                status=ComplaintStatus.OPEN.value,
                handler=handler,
                received_at=received,
                summary_sealed=seal_text(
                    ctx, uow, event.subject_id, summary, _aad(complaint_id, "summary")
                ),
                created_at=now,
                updated_at=now,
                kind=kind.value,
                due_at=complaint_due(received, kind),
            )
        )
        if held is not None:
            effects.hold_channel(
                ctx,
                uow,
                complaint_id=complaint_id,
                subject_id=event.subject_id,
                channel=held,
                event_id=event.id,
                at=received,
            )
        uow.complaints.add_step(complaint_id, ComplaintStatus.OPEN.value, event.id, actor, now)
        if idempotency_key is not None:
            remember(uow, idempotency_scope, idempotency_key, fingerprint.value, event.id, now)
        view = complaint_view(ctx, uow, _load(uow, complaint_id))
        uow.commit()
    return view


def _load(uow: UnitOfWork, complaint_id: str) -> StoredComplaint:
    row = uow.complaints.get(complaint_id, lock=True)
    if row is None:
        raise NotFound(f"no complaint {complaint_id!r}")
    return row


def update_complaint(
    ctx: Context,
    *,
    complaint_id: str,
    actor: str,
    status: ComplaintStatus | None = None,
    handler: str | None = None,
    outcome: str | None = None,
) -> ComplaintView:
    """Changes a case's status, handler or outcome; the change is a `complaint.updated` event."""
    if status is None and handler is None and outcome is None:
        raise InvalidInput("nothing to change", errors=[FieldError("status", "missing")])
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.ledger.lock_head()
        row = _load(uow, complaint_id)
        current = ComplaintStatus(row.status)
        target = status or current
        if status is not None and status is not current and status not in COMPLAINT_MOVES[current]:
            raise Conflict(f"a complaint that is {current.value} cannot become {status.value}")
        if current is ComplaintStatus.CLOSED:
            raise Conflict("a closed complaint cannot change; open a new one")
        if target is ComplaintStatus.CLOSED and not (outcome or row.outcome_sealed):
            raise InvalidInput(
                "a complaint is closed with its outcome",
                errors=[FieldError("outcome", "required to close")],
            )
        change = ComplaintChange(
            status=target.value,
            updated_at=now,
            handler=handler,
            outcome_sealed=None
            if outcome is None
            else seal_text(ctx, uow, row.subject_id, outcome, _aad(row.id, "outcome")),
            closed_at=now if target is ComplaintStatus.CLOSED else None,
        )
        digest = hashlib.sha256((outcome or "").encode()).hexdigest() if outcome else None
        [event] = record_in_unit(
            ctx,
            uow,
            [
                _event(
                    EventKind.COMPLAINT_UPDATED,
                    row.touchpoint_key,
                    row.subject_id,
                    actor,
                    occurred_at=now,
                    data={
                        "complaint": row.id,
                        "status": target.value,
                        "handler": handler,
                        "outcome_sha256": digest,
                    },
                )
            ],
        )
        uow.complaints.update(row.id, change)
        uow.complaints.add_step(row.id, target.value, event.id, actor, now)
        if target is ComplaintStatus.CLOSED:
            uow.holds.lift(row.id, now, event.id)  # the channel a contact was held on reopens
        view = complaint_view(ctx, uow, _load(uow, complaint_id))
        uow.commit()
    return view


def attach_file(
    ctx: Context,
    *,
    complaint_id: str,
    name: str,
    media_type: str,
    content: bytes,
    actor: str,
) -> ComplaintView:
    """Adds an attachment sealed with the subject's key; the event commits to its hash."""
    if len(content) > ctx.settings.max_evidence_bytes:
        raise TooLarge(
            f"the file is {len(content)} bytes; the limit is {ctx.settings.max_evidence_bytes}"
        )
    if not content:
        raise InvalidInput("the file is empty", errors=[FieldError("file", "empty")])
    if not is_declared_type(media_type, content):
        raise InvalidInput(
            f"the file is not a {media_type} file: its first bytes say otherwise",
            errors=[FieldError("file", f"content does not match {media_type}")],
        )
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.ledger.lock_head()
        row = _load(uow, complaint_id)
        if row.status == ComplaintStatus.CLOSED.value:
            raise Conflict("a closed complaint cannot change; open a new one")
        [event] = record_in_unit(
            ctx,
            uow,
            [
                _event(
                    EventKind.COMPLAINT_UPDATED,
                    row.touchpoint_key,
                    row.subject_id,
                    actor,
                    occurred_at=now,
                    data={
                        "complaint": row.id,
                        "attachment_sha256": hashlib.sha256(content).hexdigest(),
                        "size": len(content),
                    },
                )
            ],
        )
        position = len(uow.complaints.attachments(row.id))
        meta = orjson.dumps({"name": name, "media_type": media_type})
        sealed = seal_bytes(
            ctx, uow, row.subject_id, meta + b"\n" + content, _aad(row.id, f"file:{position}")
        )
        uow.complaints.add_attachment(row.id, NewAttachment(len(content), sealed, event.id, now))
        uow.complaints.add_step(row.id, row.status, event.id, actor, now)
        view = complaint_view(ctx, uow, _load(uow, complaint_id))
        uow.commit()
    return view


def read_attachment(ctx: Context, *, complaint_id: str, position: int) -> tuple[str, str, bytes]:
    """Opens an attachment: (name, media type, content); refused once the subject is erased."""
    with ctx.uow(write=False) as uow:
        row = uow.complaints.get(complaint_id)
        if row is None:
            raise NotFound(f"no complaint {complaint_id!r}")
        found = next(
            (a for a in uow.complaints.attachments(row.id) if a.position == position), None
        )
        if found is None:
            raise NotFound(f"complaint {complaint_id!r} has no attachment {position}")
        opened = open_bytes(
            ctx, uow, row.subject_id, found.sealed, _aad(row.id, f"file:{position}")
        )
    if opened is None:
        raise Erased("the subject was erased: this file can no longer be read")
    head, _, content = opened.partition(b"\n")
    meta = orjson.loads(head)
    return str(meta["name"]), str(meta["media_type"]), content


def get_complaint(ctx: Context, *, complaint_id: str) -> ComplaintView:
    with ctx.uow(write=False) as uow:
        row = uow.complaints.get(complaint_id)
        if row is None:
            raise NotFound(f"no complaint {complaint_id!r}")
        return complaint_view(ctx, uow, row, timeline=True)


def list_complaints(
    ctx: Context,
    *,
    statuses: Sequence[ComplaintStatus] | None = None,
    subject_id: str | None = None,
    touchpoint: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page[ComplaintView]:
    size = ctx.limit(limit)
    with ctx.uow(write=False) as uow:
        rows = uow.complaints.listing(
            statuses=[s.value for s in statuses] if statuses else None,
            subject_id=subject_id,
            touchpoint=touchpoint,
            after=decode_cursor(cursor),
            limit=size + 1,
        )
        views = [complaint_view(ctx, uow, r) for r in rows]
    return paginate(views, size, lambda v: v.id)
