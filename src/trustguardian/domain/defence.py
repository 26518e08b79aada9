"""Legal defence after an erasure (art. 17(3)(e)): the proofs kept, and the holds that keep them.

An erasure destroys the person's contact data, but the proofs of what they agreed to and
withdrew may be needed to defend a claim. For each purpose with a defence retention, those
proofs are kept in a defence copy (sealed apart from the person's key) until `retain_until`;
a legal hold on the person or on a touchpoint where they have events suspends the destruction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class DefenceCopy:
    """The proofs of an erased subject kept for legal defence; `wrapped_key` None once destroyed."""

    subject_id: str
    purposes: tuple[str, ...]
    events: tuple[str, ...]
    sealed_sha256: str
    retain_until: datetime
    created_at: datetime
    wrapped_key: bytes | None
    sealed: bytes | None
    destroyed_at: datetime | None = None

    @property
    def destroyed(self) -> bool:
        return self.destroyed_at is not None


@dataclass(frozen=True)
class LegalHold:
    """A hold on a subject or a touchpoint (exactly one) while a claim may need the proofs."""

    id: str
    subject_id: str | None
    touchpoint: str | None
    reason: str
    placed_by: str
    placed_at: datetime
    released_by: str | None = None
    released_at: datetime | None = None

    @property
    def standing(self) -> bool:
        return self.released_at is None

    def covers(self, subject_id: str, touchpoints: Iterable[str]) -> bool:
        """Whether this hold, while it stands, keeps this subject's proofs."""
        if not self.standing:
            return False
        if self.subject_id is not None:
            return self.subject_id == subject_id
        return self.touchpoint in set(touchpoints)


@dataclass(frozen=True)
class DefenceRead:
    """One opening of a defence copy: by whom (a DPO), through what, why, when."""

    id: str
    subject_id: str
    opened_by: str
    via: str
    reason: str
    at: datetime
