"""Proofs of genuineness: sealed with the subject's key, committed to in the ledger leaf."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from trustguardian.domain.errors import FieldError, InvalidInput, TooLarge
from trustguardian.domain.events import ProofRecord
from trustguardian.domain.registry import ProofType, text_sha256
from trustguardian.ledger import canonical_json_plain
from trustguardian.store.events import StoredProof
from trustguardian.vault import (
    EvidenceTooLarge,
    Random,
    commitment,
    new_salt,
    open_evidence,
    open_sealed,
    seal,
    seal_evidence,
)
from trustguardian.vault.evidence import EvidenceBlob

SALT_BYTES = 32

# How a file of each type we accept as a scan begins. A PDF may have a few bytes before its
# header (readers look in the first 1024); the others start with their signature.
MAGIC: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/webp": (b"RIFF",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "audio/mpeg": (b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"),
    "audio/wav": (b"RIFF",),
    "audio/ogg": (b"OggS",),
    "audio/flac": (b"fLaC",),
    "audio/webm": (b"\x1a\x45\xdf\xa3",),
    "audio/mp4": (b"ftyp",),
}
SCANS = frozenset({"application/pdf", "image/png", "image/jpeg", "image/webp"})
RECORDINGS = frozenset(k for k in MAGIC if k.startswith("audio/"))
# The files that give a proof its substance, and what each may be: a scan of the signed form,
# the call's recording, the partner's own evidence (its scan or screenshot).
SUBSTANCE_MEDIA: dict[ProofType, frozenset[str]] = {
    ProofType.PAPER_FORM: SCANS,
    ProofType.CALL_RECORDING: RECORDINGS,
    ProofType.PARTNER: SCANS,
}


def is_declared_type(media_type: str, content: bytes) -> bool:
    """Whether `content` starts as a file of `media_type` does (types without a known signature,
    such as a form snapshot's text/html, are not checked)."""
    kind = media_type.split(";")[0].strip().lower()
    signatures = MAGIC.get(kind)
    if signatures is None:
        return True
    if kind == "application/pdf":
        return b"%PDF-" in content[:1024]
    if kind == "image/webp":
        return content[:4] == b"RIFF" and content[8:12] == b"WEBP"
    if kind == "audio/wav":
        return content[:4] == b"RIFF" and content[8:12] == b"WAVE"
    if kind == "audio/mp4":
        return content[4:8] == b"ftyp"
    return content.startswith(signatures)


class EvidenceTooLargeError(TooLarge):
    code = "evidence-too-large"
    title = "Evidence file too large"


@dataclass(frozen=True)
class ProofDraft:
    """A proof as a touchpoint sends it: typed fields (personal data allowed) and maybe a file."""

    type: ProofType
    fields: dict[str, Any] = field(default_factory=dict)
    content: bytes | None = None
    media_type: str | None = None
    # Set by the instance, never by a client: the system whose claim a confirmation proof is
    # (domain.events.ProofRecord).
    claimed_by: str | None = None


@dataclass(frozen=True)
class SealedProof:
    record: ProofRecord
    stored: StoredProof
    blob: EvidenceBlob | None


def data_aad(event_id: str) -> bytes:
    """What binds an event's sealed data to that event."""
    return f"data:{event_id}".encode()


def proof_aad(event_id: str, position: int) -> bytes:
    return f"proof:{event_id}:{position}".encode()


def seal_proof(
    draft: ProofDraft,
    *,
    data_key: bytes,
    subject_id: str,
    event_id: str,
    seq: int,
    position: int,
    rng: Random,
    max_size: int,
    loc: str,
) -> SealedProof:
    """Seals a proof's content and file; the ledger gets only `sha256(salt || content)`."""
    check_substance(draft, loc)
    payload: dict[str, Any] = {"type": str(draft.type), **draft.fields}
    blob = None
    if draft.content is not None:
        media_type = draft.media_type or "application/octet-stream"
        if not is_declared_type(media_type, draft.content):
            raise InvalidInput(
                f"the evidence file is not a {media_type} file: its first bytes say otherwise",
                errors=[FieldError(loc, f"content does not match {media_type}")],
            )
        try:
            blob = seal_evidence(
                data_key,
                subject_id,
                draft.content,
                media_type,
                rng,
                max_size,
            )
        except EvidenceTooLarge as exc:
            raise EvidenceTooLargeError(
                f"an evidence file is {exc.size} bytes; the limit is {exc.limit}",
                errors=[FieldError(loc, f"{exc.size} bytes > {exc.limit}")],
            ) from exc
        payload["file"] = {
            "media_type": blob.media_type,
            "sha256": hashlib.sha256(draft.content).hexdigest(),
            "size": blob.size,
        }
    content = canonical_json_plain(payload)
    salt = new_salt(rng)
    digest = commitment(salt, content)
    sealed = seal(data_key, salt + content, proof_aad(event_id, position), rng)
    return SealedProof(
        record=ProofRecord(draft.type, digest, draft.claimed_by),
        stored=StoredProof(
            seq,
            position,
            str(draft.type),
            digest,
            sealed,
            blob.address if blob else None,
            draft.claimed_by,
        ),
        blob=blob,
    )


def check_substance(draft: ProofDraft, loc: str) -> None:
    """Refuses a scan, recording or partner file of the wrong kind, a recording whose content
    is not the one its hash names, and a partner notice whose text is not the one its hash names."""
    if draft.content is None and draft.type is not ProofType.PARTNER:
        return  # nothing below applies: the common case of an ingest, its proofs all fields
    errors = []
    allowed = SUBSTANCE_MEDIA.get(draft.type)
    media = (draft.media_type or "").split(";")[0].strip().lower()
    if draft.content is not None and allowed is not None and media not in allowed:
        errors.append(FieldError(f"{loc}.media_type", f"one of {', '.join(sorted(allowed))}"))
    declared = draft.fields.get("sha256")
    if (
        draft.type is ProofType.CALL_RECORDING
        and draft.content is not None
        and declared != hashlib.sha256(draft.content).hexdigest()
    ):
        errors.append(FieldError(f"{loc}.sha256", "is not the SHA-256 of the recording sent"))
    text, digest = draft.fields.get("notice_text"), draft.fields.get("notice_sha256")
    if (
        draft.type is ProofType.PARTNER
        and isinstance(text, str)
        and digest is not None
        and digest != text_sha256(text)
    ):
        errors.append(FieldError(f"{loc}.notice_sha256", "is not the SHA-256 of notice_text"))
    if errors:
        raise InvalidInput("the evidence does not hold what it says", errors=errors)


def open_proof(data_key: bytes, event_id: str, proof: StoredProof) -> tuple[bytes, bytes]:
    """Opens a sealed proof: returns (salt, canonical content)."""
    plain = open_sealed(data_key, proof.sealed, proof_aad(event_id, proof.position))
    return plain[:SALT_BYTES], plain[SALT_BYTES:]


def open_blob(data_key: bytes, subject_id: str, blob: EvidenceBlob) -> bytes:
    """Opens an evidence file (checks its address)."""
    return open_evidence(data_key, subject_id, blob)
