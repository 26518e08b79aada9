"""C2SP Ed25519 checkpoint cosignatures (https://c2sp.org/tlog-cosignature, ``cosignature/v1``).

A cosignature is a note signature line on a checkpoint by a *witness*: its key ID is
SHA-256(name || 0x0A || 0x04 || public key)[:4] and its signature is a ``timestamped_signature``:
an 8-byte big-endian POSIX time followed by the Ed25519 signature of::

    cosignature/v1
    time <timestamp>
    <the checkpoint body, every line, extension lines included>

Witness keys are exchanged as vkeys with signature type 0x04: ``name+hash+base64(0x04 || key)``
(verifier) and ``PRIVATE+KEY+name+hash+base64(0x04 || seed)`` (signer).
"""

from __future__ import annotations

import base64
import hashlib
import struct
from collections.abc import Iterable
from dataclasses import dataclass

from .errors import InvalidKeyError, InvalidSignatureError, MalformedNoteError
from .keys import SIG_PREFIX, Signer, Verifier, b64decode_strict, check_note_text, is_note_safe

__all__ = [
    "ALG_COSIGNATURE_V1",
    "MAX_TIMESTAMP",
    "Cosignature",
    "CosignerKey",
    "WitnessVerifier",
    "add_cosignatures",
    "cosigned_message",
    "split_note",
    "verify_cosignatures",
]

ALG_COSIGNATURE_V1 = 0x04
"""Signature type byte of Ed25519 ``cosignature/v1`` keys."""
MAX_TIMESTAMP = 2**63 - 1
_HEADER = "cosignature/v1\n"


def cosigned_message(body: str, timestamp: int) -> bytes:
    """Return the bytes a witness signs for checkpoint ``body`` at ``timestamp``."""
    if isinstance(timestamp, bool) or not 0 <= timestamp <= MAX_TIMESTAMP:
        raise ValueError(f"invalid cosignature timestamp {timestamp!r}")
    return (_HEADER + f"time {timestamp}\n" + check_note_text(body)).encode()


def _key_id(name: str, public_key: bytes) -> bytes:
    data = name.encode() + b"\n" + bytes([ALG_COSIGNATURE_V1]) + public_key
    return hashlib.sha256(data).digest()[:4]


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _key_material(name: str, hash_hex: str, key64: str) -> bytes:
    raw = b64decode_strict(key64)
    if raw is None or len(raw) != 33 or raw[0] != ALG_COSIGNATURE_V1:
        raise InvalidKeyError("a witness key is 0x04 and 32 bytes of Ed25519 key, in base64")
    if len(hash_hex) != 8:
        raise InvalidKeyError("malformed key hash")
    return raw[1:]


@dataclass(frozen=True)
class Cosignature:
    """One verified cosignature: the witness's name and the time it signed."""

    name: str
    timestamp: int


@dataclass(frozen=True)
class WitnessVerifier:
    """A witness's public key, for checking its ``cosignature/v1`` lines."""

    name: str
    public_key: bytes

    def __post_init__(self) -> None:
        Verifier(self.name, self.public_key)  # validates the name and the key size

    @classmethod
    def parse(cls, vkey: str) -> WitnessVerifier:
        """Parse a ``name+hash+base64(0x04 || key)`` verifier key."""
        parts = vkey.strip().split("+", 2)
        if len(parts) != 3:
            raise InvalidKeyError("malformed witness verifier key")
        name, hash_hex, key64 = parts
        verifier = cls(name, _key_material(name, hash_hex, key64))
        if verifier.key_id.hex() != hash_hex.lower():
            raise InvalidKeyError("witness key hash does not match the key")
        return verifier

    @property
    def key_id(self) -> bytes:
        return _key_id(self.name, self.public_key)

    @property
    def verifier_key(self) -> str:
        encoded = _b64(bytes([ALG_COSIGNATURE_V1]) + self.public_key)
        return f"{self.name}+{self.key_id.hex()}+{encoded}"

    def check(self, body: str, raw: bytes) -> int:
        """Return the timestamp of ``raw`` (key ID stripped) if it cosigns ``body``; else raise."""
        if len(raw) != 8 + 64:
            raise InvalidSignatureError(f"malformed cosignature from {self.name}")
        (timestamp,) = struct.unpack(">Q", raw[:8])
        if timestamp > MAX_TIMESTAMP:
            raise InvalidSignatureError(f"cosignature from {self.name} has an invalid time")
        plain = Verifier(self.name, self.public_key)
        if not plain.verify(cosigned_message(body, timestamp), raw[8:]):
            raise InvalidSignatureError(f"invalid cosignature from {self.name}")
        return int(timestamp)


@dataclass(frozen=True)
class CosignerKey:
    """A witness's private key: signs ``cosignature/v1`` lines."""

    name: str
    seed: bytes

    def __post_init__(self) -> None:
        Signer(self.name, self.seed)  # validates the name and the seed size

    @classmethod
    def generate(cls, name: str) -> CosignerKey:
        return cls(name, Signer.generate(name).seed)

    @classmethod
    def parse(cls, skey: str) -> CosignerKey:
        """Parse a ``PRIVATE+KEY+name+hash+base64(0x04 || seed)`` signer key."""
        parts = skey.strip().split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise InvalidKeyError("malformed witness signer key")
        name, hash_hex, key64 = parts[2:]
        key = cls(name, _key_material(name, hash_hex, key64))
        if key.verifier.key_id.hex() != hash_hex.lower():
            raise InvalidKeyError("witness key hash does not match the key")
        return key

    @property
    def verifier(self) -> WitnessVerifier:
        return WitnessVerifier(self.name, Signer(self.name, self.seed).public_key)

    @property
    def signer_key(self) -> str:
        encoded = _b64(bytes([ALG_COSIGNATURE_V1]) + self.seed)
        return f"PRIVATE+KEY+{self.name}+{self.verifier.key_id.hex()}+{encoded}"

    def cosign(self, body: str, timestamp: int) -> str:
        """Return the ``— name base64(key ID || time || signature)`` line for ``body``."""
        signature = Signer(self.name, self.seed).sign_bytes(cosigned_message(body, timestamp))
        raw = self.verifier.key_id + struct.pack(">Q", timestamp) + signature
        return f"{SIG_PREFIX}{self.name} {_b64(raw)}\n"


def split_note(note: str) -> tuple[str, list[str]]:
    """Split a signed note into its text and its signature lines (each ending in a newline)."""
    if not is_note_safe(note):
        raise MalformedNoteError("note must be UTF-8 without control characters")
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n"):
        raise MalformedNoteError("note has no signature block")
    return note[: split + 1], [line + "\n" for line in note[split + 2 : -1].split("\n")]


def add_cosignatures(note: str, lines: Iterable[str]) -> str:
    """Return ``note`` with the signature ``lines`` appended (those already there skipped)."""
    text, present = split_note(note)
    merged = list(dict.fromkeys([*present, *lines]))
    return text + "\n" + "".join(merged)


def verify_cosignatures(note: str, witnesses: Iterable[WitnessVerifier]) -> list[Cosignature]:
    """Return the valid cosignatures on ``note`` from ``witnesses``, one per witness.

    Lines from unknown keys (name and key ID not both matching) are ignored; a known witness's
    line that fails raises :class:`InvalidSignatureError`. The note's own signatures are not
    checked here: open it with the log's key (``parse_checkpoint``) first.
    """
    text, lines = split_note(note)
    known = {(w.name, w.key_id): w for w in witnesses}
    found: dict[str, Cosignature] = {}
    for line in lines:
        if not line.startswith(SIG_PREFIX):
            raise MalformedNoteError("signature line must start with an em dash and a space")
        name, _, sig64 = line[len(SIG_PREFIX) : -1].partition(" ")
        raw = b64decode_strict(sig64)
        if raw is None or len(raw) < 5:
            raise MalformedNoteError("malformed signature line")
        witness = known.get((name, raw[:4]))
        if witness is None:
            continue
        found.setdefault(name, Cosignature(name, witness.check(text, raw[4:])))
    return list(found.values())
