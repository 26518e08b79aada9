"""Opaque cursors for list endpoints."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from trustguardian.domain.errors import FieldError, InvalidInput

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    next_cursor: str | None


def encode_cursor(position: str) -> str:
    """Wraps a position so that callers treat it as opaque."""
    raw = json.dumps({"after": position}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> str | None:
    """Reads a cursor made by `encode_cursor`; a forged or broken one is bad input."""
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        position = json.loads(raw)["after"]
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise InvalidInput(
            "invalid cursor", errors=[FieldError("cursor", "not a cursor we issued")]
        ) from exc
    if not isinstance(position, str):
        raise InvalidInput(
            "invalid cursor", errors=[FieldError("cursor", "not a cursor we issued")]
        )
    return position


def paginate(rows: Sequence[T], limit: int, position: Callable[[T], str]) -> Page[T]:
    """Builds a page from `limit + 1` fetched rows: the extra row only says there is more."""
    if len(rows) > limit:
        items = rows[:limit]
        return Page(items=items, next_cursor=encode_cursor(position(items[-1])))
    return Page(items=rows, next_cursor=None)
