"""Legal holds: while one stands on a subject, or on a touchpoint where the subject has events,
no defence copy of theirs is destroyed. Placing and releasing are ledger leaves."""

from __future__ import annotations

from trustguardian.domain.common import check_key
from trustguardian.domain.defence import LegalHold
from trustguardian.domain.errors import Conflict, FieldError, InvalidInput, NotFound
from trustguardian.domain.roles import Permission
from trustguardian.service.context import Context
from trustguardian.service.defence.reading import check_reason, user_allowed
from trustguardian.service.events.records import record_objects
from trustguardian.store.snapshots import LEGAL_HOLD

WHAT = "manage legal holds"


def place_legal_hold(
    ctx: Context,
    *,
    reason: str,
    by: str,
    subject_id: str | None = None,
    touchpoint: str | None = None,
) -> LegalHold:
    """Places a hold on a subject or on a touchpoint (exactly one of them)."""
    reason = check_reason(reason)
    if (subject_id is None) == (touchpoint is None):
        raise InvalidInput(
            "name a subject or a touchpoint, not both",
            errors=[FieldError("subject_id", "exactly one of subject_id and touchpoint")],
        )
    with ctx.uow() as uow:
        user = user_allowed(uow, by, Permission.MANAGE_LEGAL_HOLDS, WHAT)
        if subject_id is not None and uow.subjects.get(subject_id) is None:
            raise NotFound(f"no subject {subject_id!r}")
        if touchpoint is not None:
            check_key(touchpoint)
            if uow.touchpoints.get(touchpoint) is None:
                raise NotFound(f"no touchpoint {touchpoint!r}")
        hold = LegalHold(
            ctx.ids.new_id("lgh"), subject_id, touchpoint, reason, user.username, ctx.clock.now()
        )
        uow.defence.add_hold(hold)
        record_objects(ctx, uow, LEGAL_HOLD, [hold.id], "placed", actor=user.username)
        uow.commit()
    return hold


def release_legal_hold(ctx: Context, *, hold_id: str, by: str) -> LegalHold:
    """Releases a standing hold; destruction due meanwhile happens at the next purge."""
    with ctx.uow() as uow:
        user = user_allowed(uow, by, Permission.MANAGE_LEGAL_HOLDS, WHAT)
        hold = uow.defence.hold(hold_id)
        if hold is None:
            raise NotFound(f"no legal hold {hold_id!r}")
        if not hold.standing:
            raise Conflict(f"legal hold {hold_id!r} was released already")
        uow.defence.release(hold_id, user.username, ctx.clock.now())
        record_objects(ctx, uow, LEGAL_HOLD, [hold_id], "released", actor=user.username)
        released = uow.defence.hold(hold_id)
        uow.commit()
    assert released is not None
    return released


def list_legal_holds(ctx: Context, *, standing_only: bool = False) -> list[LegalHold]:
    """Lists legal holds, oldest first."""
    with ctx.uow(write=False) as uow:
        return uow.defence.holds(standing_only=standing_only)
