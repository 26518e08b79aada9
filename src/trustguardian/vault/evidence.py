"""Content-addressed, encrypted evidence blobs (consent screenshots, signed forms, ...).

The address is ``hex HMAC-SHA256(data_key, content)``: identical evidence for
the same subject gets the same address (so the store can deduplicate), but
the address is not a plain hash of the content, so nobody without the
subject's data key can test it against guessed content.  Addresses of
different subjects are unrelated, and erasing the subject's data key leaves
the addresses meaningless.

The content is sealed (see `cipher`) with associated data binding the subject
id, media type and address, so a blob cannot be relabelled or moved to another
subject without failing to open.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from dataclasses import dataclass, field
from typing import Final

from trustguardian.vault._checks import require_key, require_subject
from trustguardian.vault.cipher import open_sealed, seal
from trustguardian.vault.errors import EvidenceTooLarge, VaultError
from trustguardian.vault.rng import Random

_AAD_DOMAIN: Final = b"tg-evidence/v1\x00"


@dataclass(frozen=True)
class EvidenceBlob:
    """Sealed evidence with its address, plaintext size and media type."""

    address: str
    sealed: bytes = field(repr=False)
    size: int
    media_type: str


def evidence_address(data_key: bytes, content: bytes) -> str:
    """Return the content address: hex HMAC-SHA256(data_key, content)."""
    require_key(data_key, "data key")
    return hmac.new(data_key, content, hashlib.sha256).hexdigest()


def _check_media_type(media_type: str) -> None:
    if "/" not in media_type or not all(" " <= ch <= "~" for ch in media_type):
        raise ValueError(f"invalid media type {media_type!r}")


def _aad(subject_id: str, media_type: str, address: str) -> bytes:
    parts = (require_subject(subject_id), media_type.encode("ascii"), address.encode("ascii"))
    return _AAD_DOMAIN + b"".join(struct.pack(">I", len(p)) + p for p in parts)


def seal_evidence(
    data_key: bytes,
    subject_id: str,
    content: bytes,
    media_type: str,
    rng: Random,
    max_size: int,
) -> EvidenceBlob:
    """Encrypt `content` for `subject_id`; raise EvidenceTooLarge above `max_size` bytes."""
    if max_size < 0:
        raise ValueError("max_size must not be negative")
    if len(content) > max_size:
        raise EvidenceTooLarge(len(content), max_size)
    _check_media_type(media_type)
    address = evidence_address(data_key, content)
    sealed = seal(data_key, content, _aad(subject_id, media_type, address), rng)
    return EvidenceBlob(address=address, sealed=sealed, size=len(content), media_type=media_type)


def open_evidence(data_key: bytes, subject_id: str, blob: EvidenceBlob) -> bytes:
    """Decrypt `blob` and check its address and size; raise VaultError on any mismatch."""
    try:
        aad = _aad(subject_id, blob.media_type, blob.address)
    except UnicodeEncodeError:
        raise VaultError("evidence blob has a non-ASCII media type or address") from None
    content = open_sealed(data_key, blob.sealed, aad)
    if len(content) != blob.size:
        raise VaultError(f"evidence size is {len(content)} bytes, blob says {blob.size}")
    if not hmac.compare_digest(evidence_address(data_key, content), blob.address):
        raise VaultError("evidence content does not match its address")
    return content
