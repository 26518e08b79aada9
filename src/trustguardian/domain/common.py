"""Injected time and identity, so that rules and tests are deterministic."""

from __future__ import annotations

import os
import re
import secrets
import threading
import time
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
    """Makes new unguessable identifiers."""

    def new_id(self, prefix: str) -> str: ...


class RandomIds:
    """Random 128-bit identifiers in hex: nothing about a person can be read from one."""

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_{secrets.token_hex(16)}"


# A hex digit's low two bits under the RFC 9562 variant bits (0b10).
_VARIANT = {d: "89ab"[int(d, 16) & 3] for d in "0123456789abcdef"}


# Bumped in a forked child: random bytes a parent drew before the fork are never used twice.
_forks = [0]
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=lambda: _forks.__setitem__(0, _forks[0] + 1))


class TimeOrderedIds:
    """UUIDv7 identifiers (RFC 9562) in hex: the creation millisecond, then 74 random bits.

    Every id is a key of some index (events, subjects and their keys, consent states...). A
    random key sends each insert to a random page of the index, so a batch touches ever more
    pages as a table grows; ids made close in time land on the same few pages. The time they
    tell is the recording time the ledger already holds, nothing about the person; the random
    bits keep them unguessable. Written in the same 32 hex digits as `RandomIds`, so both kinds
    live side by side in a database written before the change.

    A batch makes thousands of ids: their random digits are cut from a block of the operating
    system's random bytes (one system call per 400 ids, not one each), a block per thread and
    dropped in a forked child, so that no two ids ever share their random digits.
    """

    _BLOCK = 4000  # bytes: 400 ids of 10 random bytes

    def __init__(self) -> None:
        self._local = threading.local()

    def _random_hex(self) -> str:
        """20 random hex digits never handed out before, in this thread or any other."""
        local = self._local
        at = getattr(local, "at", self._BLOCK * 2)
        if at >= len(getattr(local, "block", "")) or local.forks != _forks[0]:
            local.block, local.forks, at = os.urandom(self._BLOCK).hex(), _forks[0], 0
        local.at = at + 20
        block: str = local.block
        return block[at : at + 20]

    def new_id(self, prefix: str) -> str:
        # 48 bits of milliseconds, the version (7), 12 random bits, the variant (0b10) and two
        # random bits in one hex digit, 60 random bits: in hex, as str.format writes it fast.
        rand = self._random_hex()
        ms = time.time_ns() // 1_000_000 & 0xFFFF_FFFF_FFFF
        return f"{prefix}_{ms:012x}7{rand[:3]}{_VARIANT[rand[3]]}{rand[4:19]}"


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
