"""Instance master key, per-subject data keys, and key derivation.

Every data subject has its own random 32-byte data key.  The store keeps only
the *wrapped* form: the data key encrypted with AES-256-GCM under a key derived
from the instance master key, with the subject id bound in as associated data.
A wrapped key copied onto another subject therefore fails to unwrap, and
deleting the wrapped key destroys the subject's data (see `shred`).

Wrapped format (65 bytes)::

    0x01 (version) || key_id (4 bytes) || nonce (12 bytes) || ciphertext+tag (48 bytes)

The AES-GCM associated data is ``version || key_id || subject_id (UTF-8)``.
The key id names the master key so that a blob wrapped under another master key
(e.g. before a rotation) is reported as such instead of as a generic failure.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from trustguardian.vault import _aead
from trustguardian.vault._checks import KEY_SIZE, require_key, require_subject
from trustguardian.vault.errors import VaultError
from trustguardian.vault.rng import Random, random_bytes

MASTER_KEY_PREFIX: Final = "tgmk1:"
WRAP_VERSION: Final = 0x01
KEY_ID_SIZE: Final = 4
WRAPPED_SIZE: Final = 1 + KEY_ID_SIZE + _aead.NONCE_SIZE + KEY_SIZE + _aead.TAG_SIZE

PURPOSE_KEY_WRAP: Final = "data-key-wrap/v1"
"""`derive_key` purpose of the key that wraps per-subject data keys."""
PURPOSE_DEFENCE_WRAP: Final = "defence-key-wrap/v1"
"""`derive_key` purpose of the defence key: it wraps the data keys of the proofs an erasure
keeps for legal defence, apart from the subjects' own keys."""
PURPOSE_BLIND_INDEX: Final = "blind-index/v1"
"""`derive_key` purpose of the key for `blind.blind_identifier`."""

_KEY_ID_DOMAIN: Final = b"tg-master-key-id"
_DERIVE_INFO_PREFIX: Final = b"trustguardian/"
_B64_KEY_CHARS: Final = 43  # base64url of 32 bytes, without padding
_B64URL_RE: Final = re.compile(r"[A-Za-z0-9_-]*")


@dataclass(frozen=True, repr=False)
class MasterKey:
    """The instance master key: 32 secret bytes that wrap every subject's data key."""

    key: bytes = field(repr=False)

    def __post_init__(self) -> None:
        require_key(self.key, "master key")

    def __repr__(self) -> str:
        return f"MasterKey(key_id={self.key_id!r})"

    @classmethod
    def generate(cls, rng: Random) -> MasterKey:
        """Create a new random master key."""
        return cls(random_bytes(rng, KEY_SIZE))

    @classmethod
    def parse(cls, text: str) -> MasterKey:
        """Parse ``tgmk1:<base64url-no-padding>``; raise ValueError if malformed."""
        text = text.strip()
        if not text.startswith(MASTER_KEY_PREFIX):
            raise ValueError(f"master key must start with {MASTER_KEY_PREFIX!r}")
        body = text[len(MASTER_KEY_PREFIX) :]
        if "=" in body:
            raise ValueError("master key must be base64url without '=' padding")
        if _B64URL_RE.fullmatch(body) is None:
            raise ValueError("master key contains characters outside the base64url alphabet")
        if len(body) != _B64_KEY_CHARS:
            raise ValueError(
                f"master key must encode {KEY_SIZE} bytes ({_B64_KEY_CHARS} base64url "
                f"characters), got {len(body)} characters"
            )
        raw = base64.urlsafe_b64decode(body + "=")
        if _encode(raw) != body:
            raise ValueError("master key is not canonical base64url")
        return cls(raw)

    def format(self) -> str:
        """Return the ``tgmk1:<base64url-no-padding>`` text form (secret!)."""
        return MASTER_KEY_PREFIX + _encode(self.key)

    @property
    def key_id(self) -> str:
        """Public identifier: first 8 hex chars of SHA-256(b"tg-master-key-id" + key)."""
        return hashlib.sha256(_KEY_ID_DOMAIN + self.key).hexdigest()[: 2 * KEY_ID_SIZE]

    @property
    def key_id_bytes(self) -> bytes:
        """The key id as the 4 bytes embedded in wrapped data keys."""
        return bytes.fromhex(self.key_id)


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


@functools.lru_cache(maxsize=64)
def derive_key(master: MasterKey, purpose: str) -> bytes:
    """Derive a 32-byte key by HKDF-SHA256 with info = b"trustguardian/" + purpose.

    Cached: the result depends only on its arguments, and subjects' keys are wrapped and
    unwrapped by the thousand on the ingest path.
    """
    if not purpose:
        raise ValueError("purpose must not be empty")
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=KEY_SIZE,
        salt=None,
        info=_DERIVE_INFO_PREFIX + purpose.encode("utf-8"),
    )
    return hkdf.derive(master.key)


def new_data_key(rng: Random) -> bytes:
    """Return a fresh random 32-byte data key."""
    return random_bytes(rng, KEY_SIZE)


def _wrap_aad(header: bytes, subject_id: str) -> bytes:
    return header + require_subject(subject_id)


def wrap_data_key(
    master: MasterKey,
    subject_id: str,
    data_key: bytes,
    rng: Random,
    purpose: str = PURPOSE_KEY_WRAP,
) -> bytes:
    """Encrypt `data_key` for `subject_id` under the master key's `purpose` key (AES-256-GCM)."""
    require_key(data_key, "data key")
    header = bytes([WRAP_VERSION]) + master.key_id_bytes
    aad = _wrap_aad(header, subject_id)
    nonce = random_bytes(rng, _aead.NONCE_SIZE)
    wrapping_key = derive_key(master, purpose)
    return header + nonce + _aead.encrypt(wrapping_key, nonce, data_key, aad)


def unwrap_data_key(
    master: MasterKey, subject_id: str, wrapped: bytes, purpose: str = PURPOSE_KEY_WRAP
) -> bytes:
    """Decrypt a wrapped data key; raise VaultError on any mismatch or tampering."""
    if len(wrapped) != WRAPPED_SIZE:
        raise VaultError(f"wrapped data key must be {WRAPPED_SIZE} bytes, got {len(wrapped)}")
    if wrapped[0] != WRAP_VERSION:
        raise VaultError(f"unsupported wrapped data key version {wrapped[0]}")
    header_end = 1 + KEY_ID_SIZE
    key_id = wrapped[1:header_end]
    if key_id != master.key_id_bytes:
        raise VaultError(
            f"data key was wrapped under master key {key_id.hex()}, not {master.key_id}"
        )
    nonce_end = header_end + _aead.NONCE_SIZE
    aad = _wrap_aad(wrapped[:header_end], subject_id)
    wrapping_key = derive_key(master, purpose)
    data_key = _aead.decrypt(
        wrapping_key,
        wrapped[header_end:nonce_end],
        wrapped[nonce_end:],
        aad,
        "unwrapping the data key",
    )
    if len(data_key) != KEY_SIZE:  # cannot happen for an authentic blob; never hand it out
        raise VaultError("unwrapped data key has the wrong length")
    return data_key


def wrapped_key_id(wrapped: bytes) -> str:
    """The id of the master key a wrapped data key was wrapped under (hex)."""
    return wrapped[1 : 1 + KEY_ID_SIZE].hex()


def unwrap_with_any(
    masters: Sequence[MasterKey], subject_id: str, wrapped: bytes, purpose: str = PURPOSE_KEY_WRAP
) -> bytes:
    """Unwraps with whichever of `masters` the blob names (the current one first after a
    rotation, retired ones until every data key has been re-wrapped)."""
    named = wrapped_key_id(wrapped)
    master = next((m for m in masters if m.key_id == named), masters[0])
    return unwrap_data_key(master, subject_id, wrapped, purpose)
