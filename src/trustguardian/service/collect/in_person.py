"""Consents given in person (store, event) or by phone, recorded by an operator with the evidence:
the scanned signed form, or the call recording's reference and hash."""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from trustguardian.domain.errors import FieldError, InvalidInput
from trustguardian.domain.events import EventKind, PrivacyEvent
from trustguardian.domain.registry import Channel, ProofType
from trustguardian.domain.subjects import Identifier
from trustguardian.service import fingerprints
from trustguardian.service.collect.evidence import ProofDraft
from trustguardian.service.context import Context
from trustguardian.service.events.recording import record_events
from trustguardian.service.events.validate import EventDraft
from trustguardian.service.fingerprints import LegacyRecord

SHA256 = re.compile(r"^[0-9a-f]{64}$")
SCAN_TYPES = ("application/pdf", "image/png", "image/jpeg", "image/webp")


@dataclass(frozen=True)
class PaperForm:
    content: bytes
    media_type: str
    reference: str | None = None


@dataclass(frozen=True)
class CallRecording:
    reference: str
    sha256: str
    content: bytes | None = None  # the recording itself, kept sealed when sent
    media_type: str | None = None


@dataclass(frozen=True)
class InPersonConsent:
    touchpoint: str
    identifiers: tuple[Identifier, ...]
    purposes: tuple[tuple[str, tuple[Channel, ...]], ...]
    staff_member: str
    occurred_at: datetime
    store: str | None = None
    campaign: str | None = None
    paper_form: PaperForm | None = None
    call_recording: CallRecording | None = None
    idempotency_key: str | None = None


def record_in_person(
    ctx: Context, *, consent: InPersonConsent, acting: str | None, recorded_by: str
) -> list[PrivacyEvent]:
    """Records one consent.given per purpose, each with the operator and the evidence."""
    c = consent
    errors = []
    if not c.staff_member.strip():
        errors.append(FieldError("staff_member", "name the operator who took the consent"))
    if not (c.store or c.campaign):
        errors.append(FieldError("store", "name the store, event or campaign"))
    if c.paper_form is None and c.call_recording is None:
        errors.append(
            FieldError("evidence", "attach the scanned signed form or the call recording")
        )
    if c.paper_form is not None and c.paper_form.media_type not in SCAN_TYPES:
        errors.append(FieldError("paper_form.media_type", f"one of {', '.join(SCAN_TYPES)}"))
    if c.paper_form is not None and not c.paper_form.content:
        errors.append(FieldError("paper_form", "the scan is empty"))
    if c.call_recording is not None and not SHA256.fullmatch(c.call_recording.sha256):
        errors.append(FieldError("call_recording.sha256", "64 lower-case hex digits"))
    if c.call_recording is not None and not c.call_recording.reference.strip():
        errors.append(FieldError("call_recording.reference", "must not be empty"))
    if not c.purposes:
        errors.append(FieldError("purposes", "tick at least one purpose"))
    if not c.identifiers:
        errors.append(FieldError("identifiers", "name the person (e-mail, phone, customer id)"))
    if errors:
        raise InvalidInput("the consent cannot be recorded; nothing was recorded", errors=errors)
    operator: dict[str, object] = {
        "staff_member": c.staff_member.strip(),
        "recorded_by": recorded_by,
    }
    if c.store:
        operator["store"] = c.store
    if c.campaign:
        operator["campaign"] = c.campaign
    proofs = [ProofDraft(ProofType.OPERATOR, operator)]
    if c.paper_form is not None:
        fields = {"form_reference": c.paper_form.reference} if c.paper_form.reference else {}
        proofs.append(
            ProofDraft(ProofType.PAPER_FORM, fields, c.paper_form.content, c.paper_form.media_type)
        )
    if c.call_recording is not None:
        proofs.append(
            ProofDraft(
                ProofType.CALL_RECORDING,
                {"reference": c.call_recording.reference, "sha256": c.call_recording.sha256},
                c.call_recording.content,
                c.call_recording.media_type if c.call_recording.content is not None else None,
            )
        )
    named: dict[str, fingerprints.Json] = {
        "touchpoint": c.touchpoint,
        "identifiers": fingerprints.identifiers_of(c.identifiers),
        "purposes": [
            {"purpose": purpose, "channels": [ch.value for ch in channels]}
            for purpose, channels in c.purposes
        ],
        "staff_member": c.staff_member.strip(),
        "recorded_by": recorded_by,
        "store": c.store or None,
        "campaign": c.campaign or None,
        "occurred_at": fingerprints.instant(c.occurred_at),
        "paper_form_sha256": fingerprints.digest(c.paper_form.content if c.paper_form else None),
        "call_recording": None
        if c.call_recording is None
        else {"reference": c.call_recording.reference, "sha256": c.call_recording.sha256},
    }
    drafts = [
        EventDraft(
            kind=EventKind.CONSENT_GIVEN,
            touchpoint=c.touchpoint,
            occurred_at=c.occurred_at,
            identifiers=c.identifiers,
            purpose=purpose,
            channels=channels,
            proofs=tuple(proofs),
            idempotency_key=None if c.idempotency_key is None else f"{c.idempotency_key}:{n}",
            fingerprint=fingerprints.fingerprint("collect.in_person", {**named, "part": n}),
            legacy_fingerprint=functools.partial(_legacy_fingerprint, c, operator, n),
        )
        for n, (purpose, channels) in enumerate(c.purposes)
    ]
    return [r.event for r in record_events(ctx, drafts=drafts, acting=acting)]


def _legacy_fingerprint(c: InPersonConsent, operator: dict[str, object], part: int) -> str:
    """The fingerprint of one purpose's event as written before revision 0016."""
    recording = c.call_recording
    content = fingerprints.legacy_repr_sha256(
        (
            c.touchpoint,
            c.identifiers,
            c.purposes,
            operator,
            c.occurred_at.isoformat(),
            hashlib.sha256(c.paper_form.content).hexdigest() if c.paper_form else None,
            None
            if recording is None
            else LegacyRecord(
                "CallRecording", (("reference", recording.reference), ("sha256", recording.sha256))
            ),
        )
    )
    return hashlib.sha256(f"{content}:{part}".encode()).hexdigest()
