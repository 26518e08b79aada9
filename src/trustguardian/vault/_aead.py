"""AES-256-GCM primitives shared by key wrapping and sealing."""

from __future__ import annotations

from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from trustguardian.vault._checks import require_key
from trustguardian.vault.errors import VaultError

NONCE_SIZE: Final = 12
TAG_SIZE: Final = 16


def encrypt(key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """Return AES-256-GCM ciphertext with the 16-byte tag appended."""
    require_key(key, "key")
    return AESGCM(key).encrypt(nonce, plaintext, aad)


def decrypt(key: bytes, nonce: bytes, ciphertext: bytes, aad: bytes, what: str) -> bytes:
    """Return the authenticated plaintext or raise VaultError."""
    require_key(key, "key")
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, aad)
    except InvalidTag:
        raise VaultError(
            f"{what} failed authentication (wrong key, wrong context or tampered)"
        ) from None
