"""Securing a touchpoint: a person's sign-off after an examination, never automatic."""

from __future__ import annotations

import dataclasses

from trustguardian.domain.errors import Conflict, FieldError, InvalidInput, NotFound
from trustguardian.domain.registry import Touchpoint, TouchpointStatus
from trustguardian.domain.roles import Permission
from trustguardian.service.context import Context
from trustguardian.service.registry.census import check_can_secure
from trustguardian.store.accountability import SignOff as SignOff  # what callers get
from trustguardian.store.uow import UnitOfWork

NOTE_LENGTH = 2000


def secure_touchpoint(ctx: Context, *, key: str, by: str, note: str) -> tuple[Touchpoint, SignOff]:
    """Signs an examined touchpoint off as secured, in the name of a console user.

    Refused while the touchpoint was never examined or has an open high-severity finding, and
    for a user who may not edit touchpoints; the sign-off is kept with who, why and when.
    """
    note = note.strip()
    if not note or len(note) > NOTE_LENGTH:
        raise InvalidInput(
            "a sign-off says why the touchpoint is secured",
            errors=[FieldError("note", f"1 to {NOTE_LENGTH} characters")],
        )
    now = ctx.clock.now()
    with ctx.uow() as uow:
        tp = uow.touchpoints.get(key)
        if tp is None:
            raise NotFound(f"no touchpoint {key!r}")
        actor = _signer(uow, by)
        if tp.status not in (TouchpointStatus.EXAMINED, TouchpointStatus.SECURED):
            raise Conflict(
                f"touchpoint {key!r} is {tp.status.value}: only an examined touchpoint is secured"
            )
        check_can_secure(uow, tp)
        examined_at = uow.accountability.examined_at(key)
        assert examined_at is not None  # check_can_secure refuses a touchpoint never examined
        signoff = SignOff(
            id=ctx.ids.new_id("sgn"),
            touchpoint_key=key,
            actor=actor,
            note=note,
            signed_at=now,
            examined_at=examined_at,
        )
        uow.accountability.add_signoff(signoff)
        secured = dataclasses.replace(tp, status=TouchpointStatus.SECURED, updated_at=now)
        uow.touchpoints.save(secured)
        uow.commit()
    return secured, signoff


def touchpoint_signoffs(ctx: Context, *, key: str) -> list[SignOff]:
    """The sign-offs of a touchpoint, oldest first."""
    with ctx.uow(write=False) as uow:
        if uow.touchpoints.get(key) is None:
            raise NotFound(f"no touchpoint {key!r}")
        return uow.accountability.signoffs(key)


def _signer(uow: UnitOfWork, username: str) -> str:
    found = uow.admin.user_by_name(username)
    user = found[0] if found else None
    if user is None or not user.can(Permission.EDIT_TOUCHPOINTS):
        raise InvalidInput(
            f"{username!r} is not a console user who may edit touchpoints",
            errors=[FieldError("by", "an active console user with touchpoints:edit")],
        )
    return f"user:{user.username} ({user.role.value})"
