"""The reads a single check's decision may ask beyond its one statement (see `_read_plain` in
service.engage.checks): through a unit of work, or none at all on the one-statement path."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol


class Reads(Protocol):
    """What `CheckReads` answers for a decision (opposition registers, contact counts)."""

    def listed_since(self, registers: Sequence[str], blinds: Sequence[str]) -> date | None: ...

    def contacts(
        self,
        subject_id: str,
        channel: str,
        since: datetime,
        until: datetime,
        purpose: str | None = None,
    ) -> int: ...


class MoreReads(Exception):
    """The decision needs a read beyond the check's one statement."""


class OneStatement:
    """The reads `_decide_one` may ask beyond the one statement: none are at hand."""

    def listed_since(self, registers: Sequence[str], blinds: Sequence[str]) -> date | None:
        if not registers or not blinds:
            return None  # as CheckReads answers without reading
        raise MoreReads

    def contacts(self, *_: object) -> int:
        raise MoreReads
