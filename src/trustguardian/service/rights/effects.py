"""What fulfilling a right changes beyond the request itself: objections withdraw, a restriction
holds purposes until lifted, a rectification replaces identifiers. Each in the caller's unit of
work, so the change commits with the request's step or not at all."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime

from trustguardian.domain.errors import Conflict, FieldError, IdentifierTaken, InvalidInput
from trustguardian.domain.events import EventKind
from trustguardian.domain.holds import Hold, HoldCause
from trustguardian.domain.registry import LegalBasis, ProofType, Purpose, PurposeContent
from trustguardian.domain.rights import RequestKind, RequestStatus
from trustguardian.domain.subjects import Identifier, IdentifierKind
from trustguardian.service.collect.evidence import ProofDraft
from trustguardian.service.context import Context
from trustguardian.service.events.identifiers import normalise
from trustguardian.service.events.recording import record_in_unit
from trustguardian.service.events.subjects import blind, keyring, link_identifiers
from trustguardian.service.events.validate import EventDraft
from trustguardian.service.rights.requests import load, tell_answer
from trustguardian.store.rights import StoredRequest
from trustguardian.store.uow import UnitOfWork

PAGE = 500


def is_marketing(content: PurposeContent) -> bool:
    return content.marketing


def on_legitimate_interest(content: PurposeContent) -> bool:
    return content.legal_basis is LegalBasis.LEGITIMATE_INTEREST


def _purposes(uow: UnitOfWork) -> Iterator[Purpose]:
    cursor = None
    while True:
        page = uow.purposes.page(after=cursor, limit=PAGE)
        yield from page
        if len(page) < PAGE:
            return
        cursor = page[-1].key


def withdrawals(
    uow: UnitOfWork,
    subject_id: str,
    touchpoint: str,
    actor: str,
    at: datetime,
    *,
    wanted: Callable[[PurposeContent], bool],
    basis: str,
) -> list[EventDraft]:
    """One withdrawal per purpose `wanted` picks, on every channel it covers."""
    return [
        EventDraft(
            kind=EventKind.CONSENT_WITHDRAWN,
            touchpoint=touchpoint,
            occurred_at=at,
            subject_id=subject_id,
            purpose=purpose.key,
            channels=purpose.current.content.channels,
            proofs=(ProofDraft(ProofType.OPERATOR, {"operator": actor, "basis": basis}),),
        )
        for purpose in _purposes(uow)
        if wanted(purpose.current.content)
    ]


def objection_withdrawals(
    uow: UnitOfWork, row: StoredRequest, actor: str, at: datetime
) -> list[EventDraft]:
    """Art. 21(2)-(3) stops every marketing purpose; art. 21(1) every purpose resting on
    legitimate interest (the checks then answer `objected`)."""
    if RequestKind(row.kind) is RequestKind.OBJECTION_DIRECT_MARKETING:
        wanted, basis = is_marketing, "GDPR art. 21(2)-(3)"
    else:
        wanted, basis = on_legitimate_interest, "GDPR art. 21(1)"
    return withdrawals(
        uow, row.subject_id, row.touchpoint_key, actor, at, wanted=wanted, basis=basis
    )


def restriction_draft(
    uow: UnitOfWork, row: StoredRequest, purposes: Sequence[str] | None, actor: str, at: datetime
) -> EventDraft:
    """The `processing.restricted` event of a restriction of some purposes (None: all)."""
    if purposes is not None:
        known = {p.key for p in _purposes(uow)}
        unknown = sorted(set(purposes) - known)
        if unknown or not purposes:
            raise InvalidInput(
                "name the purposes to restrict, or none for all of them",
                errors=[
                    FieldError("purposes", f"unknown: {', '.join(unknown)}" if unknown else "empty")
                ],
            )
    return EventDraft(
        kind=EventKind.PROCESSING_RESTRICTED,
        touchpoint=row.touchpoint_key,
        occurred_at=at,
        subject_id=row.subject_id,
        proofs=(ProofDraft(ProofType.OPERATOR, {"operator": actor, "basis": "GDPR art. 18"}),),
        data={
            "request": row.id,
            "purposes": sorted(set(purposes)) if purposes is not None else "all",
        },
    )


def hold_purposes(
    ctx: Context,
    uow: UnitOfWork,
    row: StoredRequest,
    purposes: Sequence[str] | None,
    event_id: str,
    at: datetime,
) -> None:
    """Holds the restricted purposes on every channel from now until the restriction is lifted."""
    for purpose in sorted(set(purposes)) if purposes is not None else [None]:
        uow.holds.add(
            Hold(
                id=ctx.ids.new_id("hold"),
                subject_id=row.subject_id,
                purpose=purpose,
                channel=None,
                cause=HoldCause.RESTRICTION,
                source_id=row.id,
                started_at=at,
            ),
            event_id,
        )


def lift_restriction(
    ctx: Context, *, request_id: str, actor: str, reason: str | None = None
) -> list[Hold]:
    """Lifts a restriction (art. 18(3)): the person is told first, then a
    `processing.restriction_lifted` event; returns the holds as they now stand."""
    with ctx.uow() as uow:
        uow.ledger.lock_head()
        row = load(uow, request_id)
        live = [h for h in uow.holds.of_source(row.id) if h.lifted_at is None]
        if RequestKind(row.kind) is not RequestKind.RESTRICTION or not live:
            raise Conflict(f"request {request_id!r} holds no restriction to lift")
        if row.status != RequestStatus.FULFILLED.value:
            raise Conflict("a restriction is lifted once it was put in place")
        now = ctx.clock.now()
        [event] = record_in_unit(
            ctx,
            uow,
            [
                EventDraft(
                    kind=EventKind.RESTRICTION_LIFTED,
                    touchpoint=row.touchpoint_key,
                    occurred_at=now,
                    subject_id=row.subject_id,
                    proofs=(
                        ProofDraft(
                            ProofType.OPERATOR, {"operator": actor, "basis": "GDPR art. 18(3)"}
                        ),
                    ),
                    data={"request": row.id, "reason": reason or ""},
                )
            ],
        )
        uow.holds.lift(row.id, now, event.id)
        holds = uow.holds.of_source(row.id)
        # Art. 18(3): the person is informed before the restriction is lifted; sent last, so a
        # failed send leaves the restriction in place.
        tell_answer(ctx, uow, row, "lifted", reason or "")
        uow.commit()
    return holds


def identifiers_from(email: str | None, phone: str | None) -> list[Identifier]:
    """The identifiers an operator typed (an e-mail address, a phone number), normalised."""
    found = []
    if email:
        found.append(normalise(IdentifierKind.EMAIL, email, loc="email"))
    if phone:
        found.append(normalise(IdentifierKind.PHONE, phone, loc="phone"))
    return found


def rectification_draft(
    ctx: Context,
    uow: UnitOfWork,
    row: StoredRequest,
    identifiers: Sequence[Identifier],
    actor: str,
    at: datetime,
) -> EventDraft:
    """Replaces the person's identifiers of the kinds given with the ones given (art. 16).

    The old ones are unlinked, the new ones linked; the `data.updated` event names both by
    their keyed hashes only.
    """
    if not identifiers:
        raise InvalidInput(
            "a rectification names the corrected identifiers",
            errors=[FieldError("identifiers", "empty")],
        )
    new = {blind(ctx, i): i for i in identifiers}
    owners = uow.subjects.find_by_blind(list(new))
    if any(owner != row.subject_id for owner in owners.values()):
        raise IdentifierTaken("a corrected identifier belongs to someone else")
    replaced = {i.namespace for i in identifiers}
    removed = [
        s.blind
        for s in uow.subjects.identifiers(row.subject_id)
        if s.kind in replaced and s.blind not in new
    ]
    for old in removed:
        uow.subjects.remove_identifier(row.subject_id, old)
    fresh = {b: i for b, i in new.items() if b not in owners}
    link_identifiers(ctx, uow, keyring(ctx, uow), row.subject_id, fresh)
    return EventDraft(
        kind=EventKind.DATA_UPDATED,
        touchpoint=row.touchpoint_key,
        occurred_at=at,
        subject_id=row.subject_id,
        proofs=(ProofDraft(ProofType.OPERATOR, {"operator": actor, "basis": "GDPR art. 16"}),),
        data={"request": row.id, "added": sorted(set(new) - set(owners)), "removed": removed},
    )
