"""AES-256-GCM primitives shared by key wrapping and sealing."""

from __future__ import annotations

import functools
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from trustguardian.vault._checks import require_key
from trustguardian.vault.errors import VaultError

NONCE_SIZE: Final = 12
TAG_SIZE: Final = 16


@functools.lru_cache(maxsize=4096)
def _cipher(key: bytes) -> AESGCM:
    # Building the cipher object costs more than sealing a small value; a batch seals many
    # values under the same subject key.
    return AESGCM(key)


def encrypt(key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """Return AES-256-GCM ciphertext with the 16-byte tag appended."""
    require_key(key, "key")
    return _cipher(key).encrypt(nonce, plaintext, aad)


def decrypt(key: bytes, nonce: bytes, ciphertext: bytes, aad: bytes, what: str) -> bytes:
    """Return the authenticated plaintext or raise VaultError."""
    require_key(key, "key")
    try:
        return _cipher(key).decrypt(nonce, ciphertext, aad)
    except InvalidTag:
        raise VaultError(
            f"{what} failed authentication (wrong key, wrong context or tampered)"
        ) from None
