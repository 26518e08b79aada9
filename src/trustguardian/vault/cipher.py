"""Authenticated encryption of personal data under a subject's data key.

Sealed format::

    0x01 (version) || nonce (12 bytes) || ciphertext+tag

AES-256-GCM with a fresh random nonce per seal.  The version byte is
authenticated together with the caller's associated data, which should name
the context (e.g. table, column and row id) so a sealed value cannot be moved
to another place and still open.
"""

from __future__ import annotations

from typing import Final

from trustguardian.vault import _aead
from trustguardian.vault.errors import VaultError
from trustguardian.vault.rng import Random, random_bytes

SEAL_VERSION: Final = 0x01
_HEADER: Final = bytes([SEAL_VERSION])
MIN_SEALED_SIZE: Final = len(_HEADER) + _aead.NONCE_SIZE + _aead.TAG_SIZE


def seal(data_key: bytes, plaintext: bytes, aad: bytes, rng: Random) -> bytes:
    """Encrypt and authenticate `plaintext`, binding it to `aad`."""
    nonce = random_bytes(rng, _aead.NONCE_SIZE)
    return _HEADER + nonce + _aead.encrypt(data_key, nonce, plaintext, _HEADER + aad)


def open_sealed(data_key: bytes, sealed: bytes, aad: bytes) -> bytes:
    """Return the plaintext of `sealed`; raise VaultError if it does not authenticate."""
    if len(sealed) < MIN_SEALED_SIZE:
        raise VaultError(f"sealed value is truncated ({len(sealed)} bytes)")
    if sealed[0] != SEAL_VERSION:
        raise VaultError(f"unsupported sealed value version {sealed[0]}")
    nonce_end = len(_HEADER) + _aead.NONCE_SIZE
    return _aead.decrypt(
        data_key, sealed[len(_HEADER) : nonce_end], sealed[nonce_end:], _HEADER + aad, "opening"
    )
