"""Securing a touchpoint: a person's sign-off after an examination, never automatic.

A sign-off is a registry record (`registry.touchpoint_signoff.signed`, object type
`touchpoint_signoff`, keyed by the touchpoint): one ledger leaf committing to who signed, why,
and the examination it rests on, written in the same unit of work as the status it sets.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import datetime

from trustguardian.domain.common import as_utc
from trustguardian.domain.errors import Conflict, FieldError, InvalidInput, NotFound
from trustguardian.domain.events import timestamp
from trustguardian.domain.registry import Touchpoint, TouchpointStatus
from trustguardian.domain.roles import Permission
from trustguardian.service.context import Context
from trustguardian.service.events.records import record_registry_change
from trustguardian.service.registry.census import check_can_secure
from trustguardian.store.records import StoredRecord
from trustguardian.store.uow import UnitOfWork

NOTE_LENGTH = 2000
KIND = "registry.touchpoint_signoff.signed"
OBJECT_TYPE = "touchpoint_signoff"


@dataclass(frozen=True)
class SignOff:
    """A person's statement that a touchpoint is secured, as its ledger leaf commits to it."""

    seq: int  # the leaf's index in the ledger
    touchpoint_key: str
    actor: str
    note: str
    signed_at: datetime
    examined_at: datetime


def secure_touchpoint(ctx: Context, *, key: str, by: str, note: str) -> tuple[Touchpoint, SignOff]:
    """Signs an examined touchpoint off as secured, in the name of a console user.

    Refused while the touchpoint was never examined or has an open high-severity finding, and
    for a user who may not edit touchpoints; the sign-off is a ledger leaf.
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
        secured = dataclasses.replace(tp, status=TouchpointStatus.SECURED, updated_at=now)
        uow.touchpoints.save(secured)
        record = record_registry_change(
            ctx,
            uow,
            KIND,
            OBJECT_TYPE,
            key,
            {
                "touchpoint": key,
                "note": note,
                "examined_at": timestamp(examined_at),
                "status_before": tp.status.value,
            },
            actor,
        )
        uow.commit()
    return secured, _signoff(record)


def touchpoint_signoffs(ctx: Context, *, key: str) -> list[SignOff]:
    """The sign-offs of a touchpoint, oldest first."""
    with ctx.uow(write=False) as uow:
        if uow.touchpoints.get(key) is None:
            raise NotFound(f"no touchpoint {key!r}")
        return signoffs_of(uow, key)


def signoffs_of(uow: UnitOfWork, key: str) -> list[SignOff]:
    """A touchpoint's sign-offs, read in the caller's unit of work."""
    return [_signoff(r) for r in uow.records.history(OBJECT_TYPE, key) if r.kind == KIND]


def _signoff(record: StoredRecord) -> SignOff:
    content = json.loads(record.content)
    return SignOff(
        seq=record.seq,
        touchpoint_key=record.object_key,
        actor=record.actor,
        note=str(content["note"]),
        signed_at=as_utc(record.recorded_at),
        examined_at=datetime.fromisoformat(str(content["examined_at"])),
    )


def _signer(uow: UnitOfWork, username: str) -> str:
    found = uow.admin.user_by_name(username)
    user = found[0] if found else None
    if user is None or not user.can(Permission.EDIT_TOUCHPOINTS):
        raise InvalidInput(
            f"{username!r} is not a console user who may edit touchpoints",
            errors=[FieldError("by", "an active console user with touchpoints:edit")],
        )
    return f"user:{user.username} ({user.role.value})"
