"""Reading a proof back: opened with the subject's key, checked against its commitment."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from trustguardian.domain.errors import Erased, NotFound
from trustguardian.service.collect.evidence import open_blob, open_proof
from trustguardian.service.context import Context
from trustguardian.service.events.subjects import keyring
from trustguardian.vault import SubjectShredded, verify_commitment
from trustguardian.vault.evidence import EvidenceBlob


@dataclass(frozen=True)
class OpenedProof:
    event_id: str
    position: int
    commitment: str
    salt: bytes
    content: dict[str, Any]
    file: bytes | None


def read_proof(ctx: Context, *, event_id: str, position: int) -> OpenedProof:
    """Opens one proof of an event; refused once the subject is erased."""
    with ctx.uow(write=False) as uow:
        found = uow.events.get(event_id)
        if found is None:
            raise NotFound(f"no event {event_id!r}")
        event = found[0]
        stored = next(
            (
                p
                for p in uow.events.proofs([event.seq]).get(event.seq, [])
                if p.position == position
            ),
            None,
        )
        if stored is None:
            raise NotFound(f"event {event_id!r} has no proof {position}")
        try:
            data_key = keyring(ctx, uow).data_key_for(event.subject_id)
        except SubjectShredded as exc:
            raise Erased("the subject was erased: this proof can no longer be read") from exc
        salt, content = open_proof(data_key, event.id, stored)
        if not verify_commitment(salt, content, stored.commitment):
            raise RuntimeError(f"proof {position} of {event_id} does not match its commitment")
        file = None
        if stored.blob_address is not None:
            row = uow.events.blob(event.subject_id, stored.blob_address)
            if row is not None:
                blob = EvidenceBlob(row.address, bytes(row.sealed), row.size, row.media_type)
                file = open_blob(data_key, event.subject_id, blob)
    return OpenedProof(event.id, position, stored.commitment, salt, json.loads(content), file)
