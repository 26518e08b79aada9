"""Fulfilling a rights request: what each kind does, in the same transaction as its event."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from trustguardian.domain.errors import FieldError, InvalidInput
from trustguardian.domain.holds import Hold
from trustguardian.domain.rights import RequestKind, RequestStatus
from trustguardian.domain.subjects import Identifier
from trustguardian.service.context import Context
from trustguardian.service.events.sealing import seal_text
from trustguardian.service.events.subjects import identifiers_of
from trustguardian.service.events.validate import EventDraft
from trustguardian.service.rights.answers import mint_answer_link
from trustguardian.service.rights.effects import (
    hold_purposes,
    is_marketing,
    objection_withdrawals,
    rectification_draft,
    restriction_draft,
    withdrawals,
)
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
    holds: tuple[Hold, ...] = ()


def marketing_withdrawals(
    uow: UnitOfWork, subject_id: str, touchpoint: str, actor: str, at: datetime
) -> list[EventDraft]:
    """Art. 21(2)-(3): one withdrawal per marketing purpose, on every channel it covers."""
    return withdrawals(
        uow,
        subject_id,
        touchpoint,
        actor,
        at,
        wanted=is_marketing,
        basis="GDPR art. 21(2)-(3)",
    )


def fulfil_request(
    ctx: Context,
    *,
    request_id: str,
    actor: str,
    outcome: str | None = None,
    purposes: Sequence[str] | None = None,
    identifiers: Sequence[Identifier] = (),
) -> Fulfilled:
    """Fulfils a request with its effect: an objection withdraws the purposes it stops (every
    marketing purpose, or every one on legitimate interest), a restriction holds `purposes`
    (None: all) until lifted, a rectification replaces the person's identifiers of the kinds in
    `identifiers`, erasure crypto-shreds the subject, and access and portability answer with a
    one-time download link."""
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
        holds: tuple[Hold, ...] = ()
        if kind in (RequestKind.OBJECTION_DIRECT_MARKETING, RequestKind.OBJECTION):
            before = objection_withdrawals(uow, row, actor, now)
            withdrawn = tuple(str(d.purpose) for d in before)
            step(ctx, uow, row, RequestStatus.FULFILLED, actor, before=before, changes=changes)
            _tell(ctx, uow, row, outcome)
        elif kind is RequestKind.RESTRICTION:
            draft = restriction_draft(uow, row, purposes, actor, now)
            events = step(
                ctx, uow, row, RequestStatus.FULFILLED, actor, after=[draft], changes=changes
            )
            hold_purposes(ctx, uow, row, purposes, events[-1].id, now)
            holds = tuple(uow.holds.of_source(row.id))
            _tell(ctx, uow, row, outcome)
        elif kind is RequestKind.RECTIFICATION:
            draft = rectification_draft(ctx, uow, row, identifiers, actor, now)
            step(ctx, uow, row, RequestStatus.FULFILLED, actor, after=[draft], changes=changes)
            _tell(ctx, uow, row, outcome)
        elif kind in (RequestKind.ACCESS, RequestKind.PORTABILITY):
            step(ctx, uow, row, RequestStatus.FULFILLED, actor, changes=changes)
            _tell(ctx, uow, row, outcome, link=mint_answer_link(ctx, uow, row))
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
    return Fulfilled(view, withdrawn, erasure, holds)


def _tell(
    ctx: Context, uow: UnitOfWork, row: StoredRequest, outcome: str | None, link: str = ""
) -> None:
    """Sends the answer last in the transaction: a failed send leaves the request unanswered."""
    name = "fulfilled_link" if link else "fulfilled"
    message_id = tell_answer(ctx, uow, row, name, outcome or "", link=link)
    uow.rights.update(row.id, RequestChange(answer_message_id=message_id))
