"""Ed25519 keys for C2SP signed notes (https://c2sp.org/signed-note).

Keys are exchanged as ``<name>+<hash hex>+<base64(0x01 || public key)>`` (verifier) and
``PRIVATE+KEY+<name>+<hash hex>+<base64(0x01 || seed)>`` (signer), as in
``golang.org/x/mod/sumdb/note``; the key hash (key ID) is
SHA-256(name || 0x0A || 0x01 || public key)[:4].
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from .errors import InvalidKeyError, MalformedNoteError

__all__ = [
    "ALG_ED25519",
    "SIG_PREFIX",
    "Signer",
    "Verifier",
    "b64decode_strict",
    "check_note_text",
    "is_note_safe",
    "is_valid_key_name",
    "key_hash",
]

ALG_ED25519 = 0x01
"""Signature type identifier byte of Ed25519 keys."""
SIG_PREFIX = "\u2014 "
"""Start of every signature line: EM DASH (U+2014) and a space."""
_KEY_SIZE = 32
_SIG_SIZE = 64


def is_valid_key_name(name: str) -> bool:
    """Return whether ``name`` is a valid key name (non-empty, no ``+``, no spaces)."""
    return (
        bool(name)
        and "+" not in name
        and not any(ch.isspace() or ch < " " for ch in name)
        and _encodable(name)
    )


def key_hash(name: str, public_key: bytes) -> bytes:
    """Return the 4-byte key ID SHA-256(name || 0x0A || 0x01 || public key)[:4]."""
    data = name.encode() + b"\n" + bytes([ALG_ED25519]) + public_key
    return hashlib.sha256(data).digest()[:4]


def _encodable(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def b64decode_strict(text: str) -> bytes | None:
    """Decode canonical standard base64 (padded, no stray characters), else ``None``."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if base64.b64encode(raw).decode() == text else None


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


_HEX = frozenset("0123456789abcdefABCDEF")


def _parse_key(name: str, hash_hex: str, key64: str) -> bytes:
    """Check the syntax and algorithm of a key string's parts; return the 32 key bytes.

    The caller derives the public key and compares its hash with ``hash_hex``.
    """
    key = b64decode_strict(key64)
    if not is_valid_key_name(name) or len(hash_hex) != 8 or not set(hash_hex) <= _HEX:
        raise InvalidKeyError("malformed key string")
    if not key:
        raise InvalidKeyError("malformed key data")
    if key[0] != ALG_ED25519:
        raise InvalidKeyError(f"unknown key algorithm {key[0]}")
    if len(key) != 1 + _KEY_SIZE:
        raise InvalidKeyError("wrong Ed25519 key size")
    return key[1:]


@dataclass(frozen=True)
class Verifier:
    """An Ed25519 note verifier key: a name and a 32-byte public key."""

    name: str
    public_key: bytes
    _key: Ed25519PublicKey = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not is_valid_key_name(self.name):
            raise InvalidKeyError(f"invalid key name {self.name!r}")
        if len(self.public_key) != _KEY_SIZE:
            raise InvalidKeyError("Ed25519 public key must be 32 bytes")
        object.__setattr__(self, "_key", Ed25519PublicKey.from_public_bytes(self.public_key))

    @classmethod
    def parse(cls, vkey: str) -> Verifier:
        """Parse a ``name+hash+base64key`` verifier key string."""
        parts = vkey.split("+", 2)
        if len(parts) != 3:
            raise InvalidKeyError("malformed verifier key")
        name, hash_hex, key64 = parts
        verifier = cls(name, _parse_key(name, hash_hex, key64))
        if verifier.key_hash.hex() != hash_hex.lower():
            raise InvalidKeyError("verifier key hash does not match the key")
        return verifier

    @property
    def key_hash(self) -> bytes:
        """Return the 4-byte key ID."""
        return key_hash(self.name, self.public_key)

    @property
    def fingerprint(self) -> str:
        """Return ``SHA256:`` and the hex SHA-256 of the raw public key: a name for people to
        compare by eye or read over the phone, independent of the key's name."""
        return "SHA256:" + hashlib.sha256(self.public_key).hexdigest()

    @property
    def verifier_key(self) -> str:
        """Return the ``name+hash+base64key`` string form."""
        encoded = _b64(bytes([ALG_ED25519]) + self.public_key)
        return f"{self.name}+{self.key_hash.hex()}+{encoded}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Return whether ``signature`` is this key's Ed25519 signature of ``message``."""
        if len(signature) != _SIG_SIZE:
            return False
        try:
            self._key.verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class Signer:
    """An Ed25519 note signer key: a name and a 32-byte private seed."""

    name: str
    seed: bytes = field(repr=False)
    _key: Ed25519PrivateKey = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not is_valid_key_name(self.name):
            raise InvalidKeyError(f"invalid key name {self.name!r}")
        if len(self.seed) != _KEY_SIZE:
            raise InvalidKeyError("Ed25519 seed must be 32 bytes")
        object.__setattr__(self, "_key", Ed25519PrivateKey.from_private_bytes(self.seed))

    @classmethod
    def from_seed(cls, name: str, seed: bytes) -> Signer:
        """Build a signer from a key name and a 32-byte Ed25519 seed."""
        return cls(name, seed)

    @classmethod
    def generate(cls, name: str) -> Signer:
        """Create a signer with a fresh random seed."""
        return cls(name, secrets.token_bytes(_KEY_SIZE))

    @classmethod
    def parse(cls, skey: str) -> Signer:
        """Parse a ``PRIVATE+KEY+name+hash+base64seed`` signer key string."""
        parts = skey.split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise InvalidKeyError("malformed signer key")
        name, hash_hex, key64 = parts[2:]
        signer = cls(name, _parse_key(name, hash_hex, key64))
        if signer.key_hash.hex() != hash_hex.lower():
            raise InvalidKeyError("signer key hash does not match the key")
        return signer

    @property
    def public_key(self) -> bytes:
        """Return the 32-byte Ed25519 public key."""
        return self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def key_hash(self) -> bytes:
        """Return the 4-byte key ID."""
        return key_hash(self.name, self.public_key)

    @property
    def verifier(self) -> Verifier:
        """Return the matching verifier."""
        return Verifier(self.name, self.public_key)

    @property
    def verifier_key(self) -> str:
        """Return the public ``name+hash+base64key`` string."""
        return self.verifier.verifier_key

    @property
    def signer_key(self) -> str:
        """Return the secret ``PRIVATE+KEY+name+hash+base64seed`` string."""
        encoded = _b64(bytes([ALG_ED25519]) + self.seed)
        return f"PRIVATE+KEY+{self.name}+{self.key_hash.hex()}+{encoded}"

    def sign_bytes(self, message: bytes) -> bytes:
        """Return the raw 64-byte Ed25519 signature of ``message``."""
        return self._key.sign(message)

    def signature_line(self, text: str) -> str:
        """Return the ``— name base64(...)\\n`` signature line for the note text."""
        signature = self._key.sign(check_note_text(text).encode())
        return f"{SIG_PREFIX}{self.name} {_b64(self.key_hash + signature)}\n"

    def sign(self, text: str) -> str:
        """Return the signed note: ``text`` (ending in a newline), a blank line, a signature."""
        return text + "\n" + self.signature_line(text)


def parse_verifiers(text: str) -> list[Verifier]:
    """Parse verifier keys separated by commas or white space (as an environment variable lists
    them); raises InvalidKeyError naming the first that is not one."""
    found = []
    for item in text.replace(",", " ").split():
        try:
            found.append(Verifier.parse(item))
        except (InvalidKeyError, ValueError) as exc:
            raise InvalidKeyError(f"{item!r} is not a verifier key: {exc}") from exc
    return found


def is_note_safe(text: str) -> bool:
    """Return whether ``text`` is UTF-8 encodable with no control character but newline."""
    return _encodable(text) and not any(ch < " " and ch != "\n" for ch in text)


def check_note_text(text: str) -> str:
    """Return ``text`` if it is a valid note text (ends in a newline), else raise."""
    if not text.endswith("\n") or not is_note_safe(text):
        raise MalformedNoteError("note text must be UTF-8 ending in a newline, no controls")
    return text
