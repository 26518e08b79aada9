"""Blind indexes: deterministic keyed hashes of identifiers.

Looking a subject up by e-mail or phone, and checking the suppression list
("never contact this address again", which must outlive erasure), both need
an equality test on identifiers that are otherwise stored only encrypted.
Encryption with random nonces is not deterministic, so we store a blind index
next to the ciphertext: HMAC-SHA256 keyed with a secret derived from the
master key (`keys.PURPOSE_BLIND_INDEX`).

A plain hash would not do: identifiers have little entropy, so anyone holding
a database dump could hash candidate e-mails and phone numbers and test them.
With a keyed hash, guesses cannot be tested without the key.

The kind (e.g. ``"email"``) is part of the hashed message, separated by a NUL
byte, so the same string under two kinds yields unrelated hashes.  Values must
already be normalised by the caller (the vault does no normalisation).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from typing import Final

MIN_BLIND_KEY_SIZE: Final = 32


def blind_identifier(blind_key: bytes, kind: str, normalised_value: str) -> str:
    """Return hex HMAC-SHA256(blind_key, kind + "\\x00" + normalised_value)."""
    if len(blind_key) < MIN_BLIND_KEY_SIZE:
        raise ValueError(f"blind key must be at least {MIN_BLIND_KEY_SIZE} bytes")
    if not kind or "\x00" in kind:
        raise ValueError("kind must be non-empty and contain no NUL character")
    if not normalised_value:
        raise ValueError("normalised_value must not be empty")
    message = (kind + "\x00" + normalised_value).encode("utf-8")
    # The one-shot form runs in C: a list of millions is hashed row by row.
    return hmac.digest(blind_key, message, hashlib.sha256).hex()


def blinder(blind_key: bytes, kind: str) -> Callable[[str], str]:
    """`blind_identifier` for one key and kind, checked once: a list of millions is hashed row
    by row. The returned function refuses an empty value as `blind_identifier` does."""
    blind_identifier(blind_key, kind, "-")  # the same refusals of a bad key or kind
    prefix = kind + "\x00"
    digest, sha256 = hmac.digest, hashlib.sha256

    def blind(normalised_value: str) -> str:
        if not normalised_value:
            raise ValueError("normalised_value must not be empty")
        return digest(blind_key, (prefix + normalised_value).encode("utf-8"), sha256).hex()

    return blind
