"""Fulfilling a rights request: what each kind does, in the same transaction as its event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from trustguardian.domain.errors import FieldError, InvalidInput
from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import ProofType
from trustguardian.domain.rights import RequestKind, RequestStatus
from trustguardian.service.collect.evidence import ProofDraft
from trustguardian.service.context import Context
from trustguardian.service.events.sealing import seal_text
from trustguardian.service.events.subjects import identifiers_of
from trustguardian.service.events.validate import EventDraft
from trustguardian.service.rights.erasure import (
    ErasureReport,
    erasure_draft,
    remove_message_files,
    shred_everything,
    systems_to_erase,
)
from trustguardian.service.rights.requests import (
    RequestView,
    aad,
    load,
    step,
    tell_answer,
    view_of,
)
from trustguardian.store.rights import RequestChange, StoredRequest
from trustguardian.store.uow import UnitOfWork


@dataclass(frozen=True)
class Fulfilled:
    request: RequestView
    withdrawn: tuple[str, ...] = ()
    erasure: ErasureReport | None = None


def marketing_withdrawals(
    uow: UnitOfWork, subject_id: str, touchpoint: str, actor: str, at: datetime
) -> list[EventDraft]:
    """Art. 21(2)-(3): one withdrawal per marketing purpose, on every channel it covers."""
    drafts = []
    cursor = None
    while True:
        page = uow.purposes.page(after=cursor, limit=500)
        for purpose in page:
            if purpose.current.content.marketing:
                drafts.append(
                    EventDraft(
                        kind=EventKind.CONSENT_WITHDRAWN,
                        touchpoint=touchpoint,
                        occurred_at=at,
                        subject_id=subject_id,
                        purpose=purpose.key,
                        channels=purpose.current.content.channels,
                        proofs=(
                            ProofDraft(
                                ProofType.OPERATOR,
                                {"operator": actor, "basis": "GDPR art. 21(2)-(3)"},
                            ),
                        ),
                    )
                )
        if len(page) < 500:
            return drafts
        cursor = page[-1].key


def fulfil_request(
    ctx: Context, *, request_id: str, actor: str, outcome: str | None = None
) -> Fulfilled:
    """Fulfils a request: objection to direct marketing withdraws every marketing purpose,
    erasure crypto-shreds the subject; the others record the answer given."""
    with ctx.uow() as uow:
        uow.ledger.lock_head()
        row = load(uow, request_id)
        if row.status not in (RequestStatus.IN_PROGRESS.value, RequestStatus.EXTENDED.value):
            raise InvalidInput(
                f"a request that is {row.status} cannot be fulfilled; verify it first",
                errors=[FieldError("status", row.status)],
            )
        kind = RequestKind(row.kind)
        now = ctx.clock.now()
        sealed = seal_text(ctx, uow, row.subject_id, outcome, aad(row.id, "outcome"))
        changes = RequestChange(handler=actor, outcome_sealed=sealed)
        withdrawn: tuple[str, ...] = ()
        erasure = None
        if kind is RequestKind.OBJECTION_DIRECT_MARKETING:
            before = marketing_withdrawals(uow, row.subject_id, row.touchpoint_key, actor, now)
            withdrawn = tuple(str(d.purpose) for d in before)
            step(ctx, uow, row, RequestStatus.FULFILLED, actor, before=before, changes=changes)
            _tell(ctx, uow, row, outcome)
        elif kind is RequestKind.ERASURE:
            values = [i.value for i in identifiers_of(ctx, uow, row.subject_id) if i.value]
            events = step(
                ctx,
                uow,
                row,
                RequestStatus.FULFILLED,
                actor,
                after=[erasure_draft(row.subject_id, row.touchpoint_key, actor, now)],
                changes=changes,
            )
            systems = systems_to_erase(uow, row.subject_id)
            # Told before the key goes: the erasure destroys the address too.
            _tell(ctx, uow, row, outcome)
            shred_everything(ctx, uow, row.subject_id)
            removed = remove_message_files(ctx.settings.outbox_dir, values)
            erasure = ErasureReport(row.subject_id, now, events[-1].id, systems, removed)
        else:
            step(ctx, uow, row, RequestStatus.FULFILLED, actor, changes=changes)
            _tell(ctx, uow, row, outcome)
        view = view_of(ctx, uow, load(uow, request_id))
        uow.commit()
    return Fulfilled(view, withdrawn, erasure)


def _tell(ctx: Context, uow: UnitOfWork, row: StoredRequest, outcome: str | None) -> None:
    """Sends the answer last in the transaction: a failed send leaves the request unanswered."""
    message_id = tell_answer(ctx, uow, row, "fulfilled", outcome or "")
    uow.rights.update(row.id, RequestChange(answer_message_id=message_id))
