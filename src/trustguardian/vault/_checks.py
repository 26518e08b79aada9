"""Argument checks shared by the vault modules."""

from __future__ import annotations

from typing import Final

KEY_SIZE: Final = 32


def require_key(key: bytes, what: str) -> None:
    """Raise ValueError unless `key` is a 32-byte AES-256 / HMAC key."""
    if len(key) != KEY_SIZE:
        raise ValueError(f"{what} must be {KEY_SIZE} bytes, got {len(key)}")


def require_subject(subject_id: str) -> bytes:
    """Raise ValueError for an empty subject id; return its UTF-8 encoding."""
    if not subject_id:
        raise ValueError("subject_id must not be empty")
    return subject_id.encode("utf-8")
