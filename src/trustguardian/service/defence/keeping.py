"""At erasure, the proofs a claim may need are sealed apart from the person's key.

For the purposes with a defence retention (and, under a legal hold, for every purpose of the
person's events), the proofs of their events are opened with the subject's key one last time,
checked against their commitments, and sealed under a fresh data key that the instance's
defence key wraps. Then the subject's key is destroyed as ever: identifiers and personal data
go, the defence copy stays until `retain_until` (and while a legal hold stands).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import orjson

from trustguardian.domain.defence import DefenceCopy
from trustguardian.domain.events import PrivacyEvent
from trustguardian.service.collect.evidence import open_blob, open_proof
from trustguardian.service.context import Context
from trustguardian.service.events.records import record_objects
from trustguardian.service.events.subjects import keyring
from trustguardian.store.snapshots import DEFENCE_COPY
from trustguardian.store.uow import UnitOfWork
from trustguardian.vault import seal, verify_commitment
from trustguardian.vault.evidence import EvidenceBlob
from trustguardian.vault.keys import PURPOSE_DEFENCE_WRAP, new_data_key, wrap_data_key


def copy_aad(subject_id: str) -> bytes:
    """What binds a defence copy's sealed proofs to its subject."""
    return f"defence-copy:{subject_id}".encode()


def keep_defence_copy(ctx: Context, uow: UnitOfWork, subject_id: str) -> DefenceCopy | None:
    """Seals the proofs a claim may need under the defence key; call before shredding.

    None when no purpose of the subject's events keeps proofs and no legal hold covers them."""
    events = [e for e in uow.events.for_subject(subject_id) if e.purpose]
    if not events:
        return None
    now = ctx.clock.now()
    days = _retention_days(uow, {e.purpose for e in events if e.purpose})
    held = uow.defence.standing_holds(subject_id, sorted({e.touchpoint for e in events}))
    if held:  # a claim is pending: every purpose's proofs are kept, however short the retention
        days = {e.purpose: days.get(e.purpose, 0) for e in events if e.purpose}
    kept = [e for e in events if e.purpose in days]
    if not kept:
        return None
    body = orjson.dumps({"subject_id": subject_id, "events": _opened(ctx, uow, subject_id, kept)})
    data_key = new_data_key(ctx.rng)
    sealed = seal(data_key, body, copy_aad(subject_id), ctx.rng)
    copy = DefenceCopy(
        subject_id=subject_id,
        purposes=tuple(sorted(days)),
        events=tuple(e.id for e in kept),
        sealed_sha256=hashlib.sha256(sealed).hexdigest(),
        retain_until=now + timedelta(days=max(days.values())),
        created_at=now,
        wrapped_key=wrap_data_key(
            ctx.keys.master, subject_id, data_key, ctx.rng, PURPOSE_DEFENCE_WRAP
        ),
        sealed=sealed,
    )
    uow.defence.add_copy(copy)
    record_objects(ctx, uow, DEFENCE_COPY, [subject_id], "kept")
    return copy


def _retention_days(uow: UnitOfWork, purposes: set[str]) -> dict[str, int]:
    """Per purpose with a defence retention (its version in force), the days it keeps proofs."""
    found = {}
    for key in sorted(purposes):
        purpose = uow.purposes.get(key)
        days = purpose.current.content.defence_retention_days if purpose else None
        if days:
            found[key] = days
    return found


def _opened(
    ctx: Context, uow: UnitOfWork, subject_id: str, events: Sequence[PrivacyEvent]
) -> list[dict[str, Any]]:
    """Each event's proofs opened with the subject's key and checked against their commitment."""
    data_key = keyring(ctx, uow).data_key_for(subject_id)
    stored = uow.events.proofs([e.seq for e in events])
    out = []
    for event in events:
        proofs = []
        for proof in stored.get(event.seq, []):
            salt, content = open_proof(data_key, event.id, proof)
            if not verify_commitment(salt, content, proof.commitment):
                raise RuntimeError(f"proof {proof.position} of {event.id} fails its commitment")
            file = None
            row = uow.events.blob(subject_id, proof.blob_address) if proof.blob_address else None
            if row is not None:
                blob = EvidenceBlob(row.address, bytes(row.sealed), row.size, row.media_type)
                file = {
                    "media_type": row.media_type,
                    "content": _b64(open_blob(data_key, subject_id, blob)),
                }
            proofs.append(
                {
                    "position": proof.position,
                    "type": proof.type,
                    "commitment": proof.commitment,
                    "salt": _b64(salt),
                    "content": content.decode(),
                    "file": file,
                }
            )
        out.append(
            {
                "id": event.id,
                "seq": event.seq,
                "kind": event.kind.value,
                "touchpoint": event.touchpoint,
                "purpose": event.purpose,
                "purpose_version": event.purpose_version,
                "occurred_at": _at(event.occurred_at),
                "recorded_at": _at(event.recorded_at),
                "proofs": proofs,
            }
        )
    return out


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _at(moment: datetime) -> str:
    return moment.isoformat()
