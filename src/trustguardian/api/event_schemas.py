"""Request and response models for privacy events and their proofs."""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Annotated, Literal

import orjson
from pydantic import (
    AwareDatetime,
    BaseModel,
    Field,
    IPvAnyAddress,
    PlainValidator,
    StrictInt,
    WithJsonSchema,
)

from trustguardian.api.schemas import Input, Key
from trustguardian.api.subjects import IdentifierIn
from trustguardian.domain.events import EventKind, PrivacyEvent
from trustguardian.domain.registry import Channel, ProofType
from trustguardian.ledger import canonical_json_plain, leaf_hash
from trustguardian.service import fingerprints
from trustguardian.service.collect.evidence import ProofDraft

Short = Annotated[str, Field(min_length=1, max_length=200)]
Agent = Annotated[str, Field(min_length=1, max_length=2000)]
Hex64 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


def _strict_base64(value: object) -> bytes:
    """Decodes standard base64 strictly: a stray character is an error, not something to skip."""
    if not isinstance(value, str):
        raise ValueError("expected a base64 string")
    try:
        decoded = base64.b64decode(value, validate=True)
    except binascii.Error as exc:
        raise ValueError(f"not valid base64: {exc}") from exc
    if not decoded:
        raise ValueError("the file is empty")
    return decoded


Base64File = Annotated[
    bytes,
    PlainValidator(_strict_base64),
    WithJsonSchema({"type": "string", "contentEncoding": "base64"}),
]
Media = Literal[
    "text/html", "application/pdf", "image/png", "image/jpeg", "image/webp", "text/plain"
]
AudioMedia = Literal[
    "audio/mpeg", "audio/wav", "audio/ogg", "audio/flac", "audio/webm", "audio/mp4"
]
ScanMedia = Literal["application/pdf", "image/png", "image/jpeg", "image/webp"]


class _Proof(Input):
    def draft(self) -> ProofDraft:
        fields = self.model_dump(
            mode="json", exclude={"type", "content_base64", "media_type"}, exclude_none=True
        )
        content: bytes | None = getattr(self, "content_base64", None)
        media: str | None = getattr(self, "media_type", None)
        return ProofDraft(ProofType(getattr(self, "type")), fields, content, media)  # noqa: B009


class NoticeShown(_Proof):
    type: Literal["notice_shown"]
    key: Key
    version: Annotated[StrictInt, Field(ge=1)]
    sha256: Hex64


class FormSnapshot(_Proof):
    type: Literal["form_snapshot"]
    media_type: Media
    content_base64: Base64File = Field(
        description="The page or document the person saw and submitted."
    )
    url: Annotated[str, Field(max_length=2000)] | None = None


class Network(_Proof):
    type: Literal["network"]
    ip: IPvAnyAddress
    user_agent: Agent


class DoubleOptIn(_Proof):
    type: Literal["double_opt_in"]
    address: Short
    sent_at: AwareDatetime
    confirmed_at: AwareDatetime
    confirming_ip: IPvAnyAddress
    confirming_user_agent: Agent


class Otp(_Proof):
    type: Literal["otp"]
    address: Short = Field(description="The phone number or e-mail address the code went to.")
    sent_at: AwareDatetime
    confirmed_at: AwareDatetime
    confirming_ip: IPvAnyAddress | None = None
    confirming_user_agent: Agent | None = None


class PaperForm(_Proof):
    type: Literal["paper_form"]
    media_type: Media
    content_base64: Base64File = Field(description="The scan of the signed form.")
    form_reference: Short | None = None


class CallRecording(_Proof):
    type: Literal["call_recording"]
    reference: Short
    sha256: Hex64
    media_type: AudioMedia | None = None
    content_base64: Base64File | None = Field(
        default=None,
        description="The recording itself, kept sealed beside its reference (optional).",
    )


class Operator(_Proof):
    type: Literal["operator"]
    staff_member: Short
    store: Short | None = None


class Partner(_Proof):
    type: Literal["partner"]
    partner: Short
    contract_reference: Short
    partner_proof: Annotated[str, Field(max_length=20_000)] | None = None
    media_type: ScanMedia | None = None
    content_base64: Base64File | None = Field(
        default=None, description="The partner's own evidence of the consent: a scan or capture."
    )
    notice_text: Annotated[str, Field(max_length=100_000)] | None = Field(
        default=None, description="The notice the partner showed, as it showed it."
    )
    notice_sha256: Hex64 | None = Field(
        default=None, description="The SHA-256 of the partner's notice (of notice_text if sent)."
    )


ProofIn = Annotated[
    NoticeShown
    | FormSnapshot
    | Network
    | DoubleOptIn
    | Otp
    | PaperForm
    | CallRecording
    | Operator
    | Partner,
    Field(discriminator="type"),
]
# Integers in collected data stay within 64 bits, what canonical JSON encoders accept.
Plain = str | Annotated[int, Field(ge=-(2**63), le=2**63 - 1)] | bool | None


class EventCreate(Input):
    kind: EventKind
    touchpoint: Key
    identifiers: Annotated[list[IdentifierIn], Field(max_length=20)] = []
    subject_id: Annotated[str, Field(max_length=40)] | None = None
    purpose: Key | None = None
    purpose_version: Annotated[StrictInt, Field(ge=1, le=2**31 - 1)] | None = None
    channel: Channel | None = None
    channels: list[Channel] = []
    notice: Key | None = None
    notice_version: Annotated[StrictInt, Field(ge=1, le=2**31 - 1)] | None = None
    occurred_at: AwareDatetime
    proofs: Annotated[list[ProofIn], Field(max_length=20)] = []
    data: dict[Annotated[str, Field(max_length=100)], Plain] | None = Field(
        default=None,
        description="Personal data collected or updated: kept sealed, committed in the ledger.",
    )
    corrects: Annotated[str, Field(max_length=40)] | None = None
    correction_reason: Annotated[str, Field(min_length=1, max_length=500)] | None = Field(
        default=None,
        description=(
            "Why this correction is made, recorded in the ledger leaf (no personal data): "
            "needed, and then only from an admin key, to correct another touchpoint's event."
        ),
    )
    campaign: Annotated[str, Field(min_length=1, max_length=200)] | None = Field(
        default=None, description="For contact.made: the campaign the contact belongs to."
    )
    check_id: Annotated[str, Field(max_length=40)] | None = Field(
        default=None, description="For contact.made: the check (POST /v1/checks) that allowed it."
    )
    idempotency_key: Annotated[str, Field(min_length=1, max_length=200)] | None = None

    def fingerprint(self) -> str:
        """Identifies the request's content, to tell a retry from a reused key: its fields by
        name, those left at their default out, so a field added to this body later changes no
        fingerprint of a request that does not use it."""
        body = self.model_dump(exclude={"idempotency_key"}, exclude_defaults=True)
        return fingerprints.of_body("events.record", body)

    def legacy_fingerprint(self) -> str:
        """The fingerprint before revision 0016 (stored untagged), for a retry of an event
        recorded then: every field of the body as it was, defaults included. Frozen."""
        body = self.model_dump(include=set(LEGACY_FIELDS))
        return hashlib.sha256(
            orjson.dumps(body, default=_plain, option=orjson.OPT_SORT_KEYS)
        ).hexdigest()


# The body's fields when fingerprints were untagged (revision 0015), but the idempotency key.
LEGACY_FIELDS = (
    "kind", "touchpoint", "occurred_at", "identifiers", "subject_id", "purpose",
    "purpose_version", "channel", "channels", "notice", "notice_version", "proofs", "data",
    "corrects", "campaign", "check_id",
)  # fmt: skip


def _plain(value: object) -> str:
    # Files enter the fingerprint by their hash; addresses and the like by their text.
    return hashlib.sha256(value).hexdigest() if isinstance(value, bytes) else str(value)


class EventBatchCreate(Input):
    events: Annotated[list[EventCreate], Field(min_length=1, max_length=10_000)]


class ProofRead(BaseModel):
    type: ProofType
    commitment: str
    claimed_by: str | None = Field(
        default=None,
        description="For a confirmation this instance did not witness: the system claiming it.",
    )


class CorrectionRead(BaseModel):
    by: str | None = Field(description="The admin key, console user or CLI user, if any.")
    reason: str | None


class EventRead(BaseModel):
    id: str
    seq: int
    kind: EventKind
    touchpoint: str
    subject_id: str
    identifiers: list[str] = Field(description="Keyed hashes of the identifiers named.")
    purpose: str | None
    purpose_version: int | None
    channels: list[Channel]
    notice: str | None
    notice_version: int | None
    notice_sha256: str | None
    occurred_at: AwareDatetime
    recorded_at: AwareDatetime
    corrects: str | None
    proofs: list[ProofRead]
    data_commitment: str | None
    campaign: str | None = None
    check_id: str | None = None
    confirms: str | None = Field(
        default=None, description="For consent.confirmed: the pending consent it confirms."
    )
    correction: CorrectionRead | None = Field(
        default=None, description="For a correction made with a reason: who made it and why."
    )
    leaf_hash: str = Field(description="Base64 RFC 9162 leaf hash of this event's ledger leaf.")

    @classmethod
    def of(cls, e: PrivacyEvent) -> EventRead:
        digest = leaf_hash(canonical_json_plain(e.envelope()))
        return cls(
            id=e.id,
            seq=e.seq,
            kind=e.kind,
            touchpoint=e.touchpoint,
            subject_id=e.subject_id,
            identifiers=list(e.identifiers),
            purpose=e.purpose,
            purpose_version=e.purpose_version,
            channels=list(e.channels),
            notice=e.notice,
            notice_version=e.notice_version,
            notice_sha256=e.notice_sha256,
            occurred_at=e.occurred_at,
            recorded_at=e.recorded_at,
            corrects=e.corrects,
            proofs=[
                ProofRead(type=p.type, commitment=p.commitment, claimed_by=p.claimed_by)
                for p in e.proofs
            ],
            data_commitment=e.data_commitment,
            campaign=e.campaign,
            check_id=e.check_id,
            confirms=e.confirms,
            correction=None
            if e.correction_by is None and e.correction_reason is None
            else CorrectionRead(by=e.correction_by, reason=e.correction_reason),
            leaf_hash=base64.b64encode(digest).decode(),
        )
