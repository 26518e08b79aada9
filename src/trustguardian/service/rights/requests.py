"""Rights requests (GDPR arts. 15-22): intake, every step a ledger event, legal deadlines.

A request's row and the event of each step commit in one transaction. The person's words and
the reasons told to them are sealed with their key; the ledger gets only pseudonymous ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from trustguardian.domain.common import as_utc
from trustguardian.domain.errors import Conflict, FieldError, InvalidInput, NotFound
from trustguardian.domain.events import EventKind, PrivacyEvent
from trustguardian.domain.registry import Channel, ProofType
from trustguardian.domain.rights import (
    OPEN,
    RequestKind,
    RequestStatus,
    can_move,
    deadline,
)
from trustguardian.domain.subjects import Identifier
from trustguardian.service import fingerprints
from trustguardian.service.collect.evidence import ProofDraft
from trustguardian.service.context import Context
from trustguardian.service.events.recording import IdempotencyKeyReused, record_in_unit
from trustguardian.service.events.sealing import seal_text
from trustguardian.service.events.subjects import blind
from trustguardian.service.events.validate import EventDraft
from trustguardian.service.pagination import Page, decode_cursor, paginate
from trustguardian.service.rights.notify import tell, text

# Re-exported: callers read requests through this module.
from trustguardian.service.rights.views import RequestView as RequestView
from trustguardian.service.rights.views import aad as aad
from trustguardian.service.rights.views import view_of as view_of
from trustguardian.store.events import IdempotencyRecord
from trustguardian.store.rights import NewRequest, RequestChange, StoredRequest
from trustguardian.store.rights import Step as Step  # a request's or complaint's history
from trustguardian.store.uow import UnitOfWork

STEP_KIND = {
    RequestStatus.RECEIVED: EventKind.REQUEST_RECEIVED,
    RequestStatus.VERIFYING: EventKind.REQUEST_VERIFYING,
    RequestStatus.IN_PROGRESS: EventKind.REQUEST_IN_PROGRESS,
    RequestStatus.EXTENDED: EventKind.REQUEST_EXTENDED,
    RequestStatus.FULFILLED: EventKind.REQUEST_FULFILLED,
    RequestStatus.REJECTED: EventKind.REQUEST_REJECTED,
}
LANGUAGES = ("it", "en")


class BadMove(Conflict):
    code = "bad-request-move"
    title = "A rights request cannot move to that status"


def submit_request(
    ctx: Context,
    *,
    kind: RequestKind,
    touchpoint: str,
    channel: Channel,
    identifiers: Sequence[Identifier] = (),
    subject_id: str | None = None,
    details: str | None = None,
    language: str = "it",
    received_at: datetime | None = None,
    proofs: Sequence[ProofDraft] = (),
    actor: str = "api",
    idempotency_key: str | None = None,
    idempotency_scope: str = "rights:requests",
) -> RequestView:
    """Takes in a request: one `request.received` event and the request row, or nothing.

    A retry with the same idempotency key returns the request taken in the first time.
    """
    arguments = (kind, touchpoint, channel, identifiers, subject_id, details, language, received_at)
    fingerprint = fingerprints.Fingerprint.of(
        "rights.request",
        {
            "kind": kind.value,
            "touchpoint": touchpoint,
            "channel": channel.value,
            "identifiers": fingerprints.identifiers_of(identifiers),
            "subject_id": subject_id,
            "details": details,
            "language": language,
            "received_at": fingerprints.instant(received_at),
        },
        legacy_parts=arguments,
    )
    intake = Intake(kind, touchpoint, channel, identifiers, subject_id, details, language)
    with ctx.uow() as uow:
        uow.ledger.lock_head()
        view = submit_in_unit(
            ctx,
            uow,
            intake,
            received_at=received_at,
            proofs=proofs,
            actor=actor,
            idempotency=(
                (idempotency_scope, idempotency_key, fingerprint)
                if idempotency_key is not None
                else None
            ),
        )
        uow.commit()
    return view


@dataclass(frozen=True)
class Intake:
    """What a person asks for, as they asked it."""

    kind: RequestKind
    touchpoint: str
    channel: Channel
    identifiers: Sequence[Identifier] = ()
    subject_id: str | None = None
    details: str | None = None
    language: str = "it"


def submit_in_unit(
    ctx: Context,
    uow: UnitOfWork,
    intake: Intake,
    *,
    received_at: datetime | None = None,
    proofs: Sequence[ProofDraft] = (),
    actor: str = "api",
    idempotency: tuple[str, str, fingerprints.Fingerprint] | None = None,
) -> RequestView:
    """`submit_request`'s work in the caller's unit of work (which holds the ledger lock);
    `idempotency` is (scope, key, fingerprint of the request)."""
    if intake.language not in LANGUAGES:
        raise InvalidInput("language", errors=[FieldError("language", "use it or en")])
    now = ctx.clock.now()
    received = as_utc(received_at) if received_at is not None else now
    if received > now + timedelta(seconds=ctx.settings.clock_skew_seconds):
        raise InvalidInput(
            "a request cannot be received in the future",
            errors=[FieldError("received_at", "in the future")],
        )
    identifiers = intake.identifiers
    contact = next((i for i in identifiers if i.kind.value in ("email", "phone")), None)
    request_id = ctx.ids.new_id("req")
    due = deadline(received)
    if idempotency is not None:
        earlier = replayed(uow, *idempotency)
        if earlier is not None:
            found = uow.rights.by_step_event(earlier)
            row = uow.rights.get(found or "")
            assert row is not None
            return view_of(ctx, uow, row)
    [event] = record_in_unit(
        ctx,
        uow,
        [
            EventDraft(
                kind=EventKind.REQUEST_RECEIVED,
                touchpoint=intake.touchpoint,
                occurred_at=received,
                identifiers=tuple(identifiers),
                subject_id=intake.subject_id,
                proofs=tuple(proofs),
            )
        ],
    )
    uow.rights.add(
        NewRequest(
            id=request_id,
            kind=intake.kind.value,
            status=RequestStatus.RECEIVED.value,
            subject_id=event.subject_id,
            touchpoint_key=intake.touchpoint,
            channel=intake.channel.value,
            language=intake.language,
            contact_blind=blind(ctx, contact) if contact else None,
            received_at=received,
            due_on=due.due_on,
            due_at=due.ends_at,
            details_sealed=seal_text(
                ctx, uow, event.subject_id, intake.details, aad(request_id, "details")
            ),
            created_at=now,
            updated_at=now,
        )
    )
    uow.rights.add_step(request_id, RequestStatus.RECEIVED.value, event.id, actor, now)
    if idempotency is not None:
        scope, key, fingerprint = idempotency
        remember(uow, scope, key, fingerprint.value, event.id, now)
    row = uow.rights.get(request_id)
    assert row is not None
    return view_of(ctx, uow, row)


def replayed(
    uow: UnitOfWork, scope: str, key: str, fingerprint: fingerprints.Fingerprint
) -> str | None:
    """The event a key recorded before (None if new); a key reused for other content is refused."""
    earlier = uow.events.idempotent(scope, [key]).get(key)
    if earlier is None:
        return None
    if not fingerprint.matches(earlier[0]):
        raise IdempotencyKeyReused(f"idempotency key {key!r} was used for a different request")
    return earlier[1][0]


def remember(
    uow: UnitOfWork, scope: str, key: str, fingerprint: str, event_id: str, at: datetime
) -> None:
    uow.events.add_idempotency([IdempotencyRecord(scope, key, fingerprint, [event_id], at)])


def load(uow: UnitOfWork, request_id: str) -> StoredRequest:
    row = uow.rights.get(request_id, lock=True)
    if row is None:
        raise NotFound(f"no rights request {request_id!r}")
    return row


def step(
    ctx: Context,
    uow: UnitOfWork,
    row: StoredRequest,
    to: RequestStatus,
    actor: str,
    *,
    proofs: Sequence[ProofDraft] = (),
    before: Sequence[EventDraft] = (),
    after: Sequence[EventDraft] = (),
    changes: RequestChange | None = None,
) -> list[PrivacyEvent]:
    """Moves a request one step: its event (with any others of the step) and its row, together."""
    current = RequestStatus(row.status)
    if not can_move(current, to):
        raise BadMove(f"a request that is {current.value} cannot become {to.value}")
    now = ctx.clock.now()
    own = EventDraft(
        kind=STEP_KIND[to],
        touchpoint=row.touchpoint_key,
        occurred_at=now,
        subject_id=row.subject_id,
        proofs=(*proofs, ProofDraft(ProofType.OPERATOR, {"operator": actor})),
    )
    events = record_in_unit(ctx, uow, [*before, own, *after])
    change = replace(
        changes or RequestChange(),
        status=to.value,
        updated_at=now,
        closed_at=now if to not in OPEN else None,
    )
    uow.rights.update(row.id, change)
    uow.rights.add_step(row.id, to.value, events[len(before)].id, actor, now)
    return events


def advance_request(
    ctx: Context,
    *,
    request_id: str,
    to: RequestStatus,
    actor: str,
    outcome: str | None = None,
) -> RequestView:
    """Moves a request to `verifying`, `in_progress` or `rejected` (with the outcome told)."""
    if to in (RequestStatus.EXTENDED, RequestStatus.FULFILLED, RequestStatus.RECEIVED):
        raise InvalidInput(
            f"use the {to.value} action for this move", errors=[FieldError("status", to.value)]
        )
    if to is RequestStatus.REJECTED and not outcome:
        raise InvalidInput(
            "a rejection states its reasons (art. 12(4))",
            errors=[FieldError("outcome", "required when rejecting")],
        )
    with ctx.uow() as uow:
        uow.ledger.lock_head()
        row = load(uow, request_id)
        sealed = seal_text(ctx, uow, row.subject_id, outcome, aad(row.id, "outcome"))
        step(ctx, uow, row, to, actor, changes=RequestChange(handler=actor, outcome_sealed=sealed))
        if to is RequestStatus.REJECTED:
            # Sent last, inside the transaction: a failed send leaves the request as it was.
            message_id = tell_answer(ctx, uow, row, "rejected", outcome or "")
            uow.rights.update(row.id, RequestChange(answer_message_id=message_id))
        view = view_of(ctx, uow, load(uow, request_id))
        uow.commit()
    return view


def tell_answer(
    ctx: Context, uow: UnitOfWork, row: StoredRequest, name: str, outcome: str, link: str = ""
) -> str | None:
    """Tells the person the answer (art. 12(3)-(4)); the channel's message id, if reachable."""
    found = tell(
        ctx,
        uow,
        row.subject_id,
        row.contact_blind,
        row.language,
        subject=text(row.language, "answer_subject", ref=row.id),
        body=text(row.language, name, ref=row.id, outcome=outcome, link=link),
    )
    return found[:200] if found else None


def get_request(ctx: Context, *, request_id: str) -> RequestView:
    with ctx.uow(write=False) as uow:
        row = uow.rights.get(request_id)
        if row is None:
            raise NotFound(f"no rights request {request_id!r}")
        return view_of(ctx, uow, row)


def list_requests(
    ctx: Context,
    *,
    due_within: timedelta | None = None,
    overdue: bool = False,
    statuses: Sequence[RequestStatus] | None = None,
    subject_id: str | None = None,
    touchpoint: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page[RequestView]:
    """Lists requests by deadline, most urgent first; open ones only unless statuses are named.

    The person's words (details, reasons, outcome) are left out: read one request to see them.
    """
    size = ctx.limit(limit)
    now = ctx.clock.now()
    wanted = [s.value for s in statuses] if statuses else [s.value for s in OPEN]
    due_before = now if overdue else (now + due_within if due_within is not None else None)
    after = _cursor(cursor)
    with ctx.uow(write=False) as uow:
        rows = uow.rights.listing(
            statuses=wanted,
            due_before=due_before,
            subject_id=subject_id,
            touchpoint=touchpoint,
            after=after,
            limit=size + 1,
        )
        steps = uow.rights.steps_of([r.id for r in rows])
        views = [view_of(ctx, uow, r, texts=False, steps=steps.get(r.id, [])) for r in rows]
    return paginate(views, size, lambda v: f"{v.due_at.isoformat()}|{v.id}")


def _cursor(cursor: str | None) -> tuple[datetime, str] | None:
    text = decode_cursor(cursor)
    if text is None:
        return None
    moment, _, request_id = text.partition("|")
    try:
        return datetime.fromisoformat(moment), request_id
    except ValueError as exc:
        raise InvalidInput(
            "invalid cursor", errors=[FieldError("cursor", "not a cursor we issued")]
        ) from exc
