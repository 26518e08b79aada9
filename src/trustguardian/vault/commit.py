"""Salted commitments, so the ledger can fingerprint evidence without revealing it.

The ledger records ``SHA-256(salt || content)``; the salt is kept with the
(encrypted) evidence.  Given the salt and content, anyone can verify that the
ledger entry refers to exactly that content; without the salt, the commitment
cannot be tested against guessed content.  Once the salt is destroyed
(erasure), the ledger entry no longer links to anything recoverable.

The salt has a fixed length of 32 bytes, which keeps ``salt || content``
unambiguous.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Final

from trustguardian.vault.rng import Random, random_bytes

SALT_SIZE: Final = 32


def new_salt(rng: Random) -> bytes:
    """Return a fresh random 32-byte salt."""
    return random_bytes(rng, SALT_SIZE)


def _digest(salt: bytes, content: bytes) -> str:
    if len(salt) != SALT_SIZE:
        raise ValueError(f"salt must be {SALT_SIZE} bytes, got {len(salt)}")
    return hashlib.sha256(salt + content).hexdigest()


def commitment(salt: bytes, content: bytes) -> str:
    """Return hex SHA-256(salt || content); the salt must be 32 bytes."""
    return _digest(salt, content)


def verify_commitment(salt: bytes, content: bytes, commitment: str) -> bool:
    """Return True iff `commitment` is SHA-256(salt || content), compared in constant time.

    A salt of the wrong length cannot have produced a commitment, so it yields False.
    """
    if len(salt) != SALT_SIZE:
        return False
    expected = _digest(salt, content).encode("ascii")
    return hmac.compare_digest(expected, commitment.encode("utf-8"))
