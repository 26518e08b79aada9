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

import functools
import hashlib
from collections.abc import Callable
from typing import Any, Final

MIN_BLIND_KEY_SIZE: Final = 32
_BLOCK: Final = 64  # SHA-256's block size


def blind_identifier(blind_key: bytes, kind: str, normalised_value: str) -> str:
    """Return hex HMAC-SHA256(blind_key, kind + "\\x00" + normalised_value)."""
    if len(blind_key) < MIN_BLIND_KEY_SIZE:
        raise ValueError(f"blind key must be at least {MIN_BLIND_KEY_SIZE} bytes")
    if not kind or "\x00" in kind:
        raise ValueError("kind must be non-empty and contain no NUL character")
    if not normalised_value:
        raise ValueError("normalised_value must not be empty")
    return _keyed(_pads(blind_key), (kind + "\x00" + normalised_value).encode("utf-8"))


def blinder(blind_key: bytes, kind: str) -> Callable[[str], str]:
    """`blind_identifier` for one key and kind, checked once: a list of millions is hashed row
    by row. The returned function refuses an empty value as `blind_identifier` does."""
    blind_identifier(blind_key, kind, "-")  # the same refusals of a bad key or kind
    prefix = kind + "\x00"
    pads = _pads(blind_key)

    def blind(normalised_value: str) -> str:
        if not normalised_value:
            raise ValueError("normalised_value must not be empty")
        return _keyed(pads, (prefix + normalised_value).encode("utf-8"))

    return blind


Pads = tuple[Any, Any]


@functools.lru_cache(maxsize=8)
def _pads(blind_key: bytes) -> Pads:
    """HMAC-SHA256's inner and outer hashes with the padded key already absorbed (RFC 2104),
    made once per key: each blind index then costs two copies and two short hashes.

    OpenSSL 3 sets up each one-shot HMAC (`hmac.digest`) anew, and that set-up costs more than
    hashing an identifier: measured 4.8 µs a value against 1.8 µs this way. The result is the
    same HMAC, bit for bit (a test compares the two on random keys and values).
    """
    key = hashlib.sha256(blind_key).digest() if len(blind_key) > _BLOCK else blind_key
    key = key.ljust(_BLOCK, b"\x00")
    return (
        hashlib.sha256(bytes(b ^ 0x36 for b in key)),
        hashlib.sha256(bytes(b ^ 0x5C for b in key)),
    )


def _keyed(pads: Pads, message: bytes) -> str:
    inner, outer = pads
    step = inner.copy()
    step.update(message)
    done = outer.copy()
    done.update(step.digest())
    return str(done.hexdigest())
