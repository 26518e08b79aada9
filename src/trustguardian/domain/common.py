"""Injected time and identity, so that rules and tests are deterministic."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from typing import Protocol

from trustguardian.domain.errors import FieldError, InvalidInput

KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


class Clock(Protocol):
    """Tells the current time, always timezone-aware UTC."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class IdGenerator(Protocol):
    """Makes new random identifiers."""

    def new_id(self, prefix: str) -> str: ...


class RandomIds:
    """Random 128-bit identifiers in hex: nothing about a person can be read from one."""

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_{secrets.token_hex(16)}"


def check_key(value: str, *, loc: str = "key") -> str:
    """Checks a registry key: lower-case letters, digits, `_`, `.`, `-`; 1 to 64 characters."""
    if not KEY_PATTERN.fullmatch(value):
        raise InvalidInput(
            f"{loc} {value!r} is not a valid key",
            errors=[FieldError(loc, "use 1-64 of a-z 0-9 _ . - starting with a letter or digit")],
        )
    return value


def as_utc(moment: datetime) -> datetime:
    """Returns an aware UTC datetime; a naive one is refused rather than guessed."""
    if moment.tzinfo is None:
        raise InvalidInput(
            "datetime without a time zone", errors=[FieldError("datetime", "add Z or an offset")]
        )
    return moment.astimezone(UTC)


class FixedClock:
    """A clock that says what it is told (tests, back-dated demo data)."""

    def __init__(self, moment: datetime) -> None:
        self.moment = as_utc(moment)

    def now(self) -> datetime:
        return self.moment
