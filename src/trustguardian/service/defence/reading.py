"""Opening a defence copy: the DPO alone, for a stated reason, logged before anything is shown.

Each opening is a row of the subject access log and a ledger leaf naming the DPO, the way in
(the command line's account or the API key) and the hash of the reason. The proofs are checked
against the commitments their events' leaves carry, so what is shown is what was recorded.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from trustguardian.domain.defence import DefenceRead
from trustguardian.domain.errors import Erased, FieldError, Forbidden, InvalidInput, NotFound
from trustguardian.domain.roles import AccessRecord, AdminUser, Permission
from trustguardian.service.context import Context
from trustguardian.service.defence.keeping import copy_aad
from trustguardian.service.events.records import record_objects
from trustguardian.store.snapshots import DEFENCE_READ
from trustguardian.store.uow import UnitOfWork
from trustguardian.vault import open_sealed, verify_commitment
from trustguardian.vault.keys import PURPOSE_DEFENCE_WRAP, unwrap_with_any

REASON_MAX = 2000


@dataclass(frozen=True)
class OpenedDefenceCopy:
    subject_id: str
    read_id: str
    retain_until: datetime
    purposes: tuple[str, ...]
    # Each event with its proofs (content as recorded, salt and file in base64) and, per proof,
    # whether it still matches the commitment in the event's row.
    events: tuple[dict[str, Any], ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "subject_id": self.subject_id,
            "read_id": self.read_id,
            "retain_until": self.retain_until.isoformat(),
            "purposes": list(self.purposes),
            "events": list(self.events),
        }


def user_allowed(uow: UnitOfWork, username: str, permission: Permission, what: str) -> AdminUser:
    """The console user named, if active and holding `permission`; Forbidden otherwise."""
    found = uow.admin.user_by_name(username)
    if found is None or not found[0].can(permission):
        raise Forbidden(f"{username!r} is not an active console user who may {what}")
    return found[0]


def check_reason(reason: str) -> str:
    """A reason, stripped; InvalidInput when empty or too long."""
    reason = reason.strip()
    if not reason or len(reason) > REASON_MAX:
        raise InvalidInput(
            "state the reason", errors=[FieldError("reason", f"1 to {REASON_MAX} characters")]
        )
    return reason


def open_defence_copy(
    ctx: Context, *, subject_id: str, by: str, reason: str, via: str
) -> OpenedDefenceCopy:
    """Opens an erased subject's defence copy for a DPO; logged and recorded in the ledger."""
    reason = check_reason(reason)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        dpo = user_allowed(uow, by, Permission.OPEN_DEFENCE_COPY, "open defence copies")
        copy = uow.defence.copy(subject_id)
        if copy is None:
            raise NotFound(f"no defence copy of subject {subject_id!r}")
        if copy.wrapped_key is None or copy.sealed is None:
            raise Erased(f"the defence copy of {subject_id!r} was destroyed; it cannot be read")
        data_key = unwrap_with_any(
            ctx.keys.masters, subject_id, copy.wrapped_key, PURPOSE_DEFENCE_WRAP
        )
        body = orjson.loads(open_sealed(data_key, copy.sealed, copy_aad(subject_id)))
        events = tuple(_checked(uow, e) for e in body["events"])
        read = DefenceRead(ctx.ids.new_id("dfr"), subject_id, dpo.username, via, reason, now)
        uow.defence.add_read(read)
        uow.admin.log_access(
            AccessRecord(
                ctx.ids.new_id("acc"), dpo.id, dpo.username, subject_id, "defence copy", now
            )
        )
        record_objects(ctx, uow, DEFENCE_READ, [read.id], "opened", actor=dpo.username)
        uow.commit()
    return OpenedDefenceCopy(subject_id, read.id, copy.retain_until, copy.purposes, events)


def _checked(uow: UnitOfWork, event: dict[str, Any]) -> dict[str, Any]:
    """The event with each proof marked by whether it matches the commitment stored for it."""
    stored = {
        p.position: p.commitment for p in uow.events.proofs([event["seq"]]).get(event["seq"], [])
    }
    proofs = []
    for proof in event["proofs"]:
        salt = base64.b64decode(proof["salt"])
        ok = stored.get(proof["position"]) == proof["commitment"] and verify_commitment(
            salt, proof["content"].encode(), proof["commitment"]
        )
        proofs.append(proof | {"content": orjson.loads(proof["content"]), "matches": ok})
    return event | {"proofs": proofs}
