"""Privacy events: their kinds, which touchpoints may record them, and their proofs."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from trustguardian.domain.registry import Channel, ProofType, TouchpointKind


class EventKind(StrEnum):
    CONSENT_GIVEN = "consent.given"
    CONSENT_REFUSED = "consent.refused"
    CONSENT_WITHDRAWN = "consent.withdrawn"
    CONSENT_CONFIRMED = "consent.confirmed"
    NOTICE_ACKNOWLEDGED = "notice.acknowledged"
    DATA_COLLECTED = "data.collected"
    DATA_UPDATED = "data.updated"
    CONTACT_MADE = "contact.made"
    # Right touchpoints: rights requests, complaints and erasure (no personal data in the leaf).
    REQUEST_RECEIVED = "request.received"
    REQUEST_VERIFYING = "request.verifying"
    REQUEST_IN_PROGRESS = "request.in_progress"
    REQUEST_EXTENDED = "request.extended"
    REQUEST_FULFILLED = "request.fulfilled"
    REQUEST_REJECTED = "request.rejected"
    SUBJECT_ERASED = "subject.erased"
    COMPLAINT_OPENED = "complaint.opened"
    COMPLAINT_UPDATED = "complaint.updated"
    PROCESSING_RESTRICTED = "processing.restricted"  # art. 18: purposes held until lifted
    RESTRICTION_LIFTED = "processing.restriction_lifted"


CONSENT_KINDS = frozenset(
    {
        EventKind.CONSENT_GIVEN,
        EventKind.CONSENT_REFUSED,
        EventKind.CONSENT_WITHDRAWN,
        EventKind.CONSENT_CONFIRMED,
    }
)

# What each kind of touchpoint may record: a newsletter (engage) never collects a consent,
# while anyone may take a withdrawal.
ALLOWED_KINDS: dict[TouchpointKind, frozenset[EventKind]] = {
    TouchpointKind.COLLECT: frozenset(EventKind) - {EventKind.CONTACT_MADE},
    TouchpointKind.ENGAGE: frozenset(
        {
            EventKind.CONSENT_WITHDRAWN,
            EventKind.CONSENT_REFUSED,
            EventKind.DATA_UPDATED,
            EventKind.CONTACT_MADE,
        }
    ),
    TouchpointKind.RIGHT: frozenset(
        {
            EventKind.CONSENT_GIVEN,
            EventKind.CONSENT_REFUSED,
            EventKind.CONSENT_WITHDRAWN,
            EventKind.CONSENT_CONFIRMED,
            EventKind.NOTICE_ACKNOWLEDGED,
            EventKind.DATA_UPDATED,
        }
    ),
}

# Rights requests, complaints and erasure are taken only by Right touchpoints.
RIGHT_KINDS = frozenset(
    {
        EventKind.REQUEST_RECEIVED,
        EventKind.REQUEST_VERIFYING,
        EventKind.REQUEST_IN_PROGRESS,
        EventKind.REQUEST_EXTENDED,
        EventKind.REQUEST_FULFILLED,
        EventKind.REQUEST_REJECTED,
        EventKind.SUBJECT_ERASED,
        EventKind.COMPLAINT_OPENED,
        EventKind.COMPLAINT_UPDATED,
        EventKind.PROCESSING_RESTRICTED,
        EventKind.RESTRICTION_LIFTED,
    }
)
ALLOWED_KINDS[TouchpointKind.COLLECT] = ALLOWED_KINDS[TouchpointKind.COLLECT] - RIGHT_KINDS
ALLOWED_KINDS[TouchpointKind.RIGHT] = ALLOWED_KINDS[TouchpointKind.RIGHT] | RIGHT_KINDS


@dataclass(frozen=True)
class ProofRecord:
    """A proof as the ledger knows it: its type and a salted commitment to its content.

    `claimed_by` names the system whose claim a confirmation proof (double opt-in, OTP) is, when
    this instance did not witness the confirmation itself.
    """

    type: ProofType
    commitment: str
    claimed_by: str | None = None

    def entry(self) -> dict[str, object]:
        """The proof as the leaf lists it (`claimed_by` only on a claim, so other leaves keep
        their bytes)."""
        entry: dict[str, object] = {"commitment": self.commitment, "type": str(self.type)}
        if self.claimed_by is not None:
            entry["claimed_by"] = self.claimed_by
        return entry


@dataclass(frozen=True)
class PrivacyEvent:
    """An immutable, recorded privacy event (the ledger leaf is its canonical envelope)."""

    id: str
    seq: int
    kind: EventKind
    touchpoint: str
    subject_id: str
    identifiers: tuple[str, ...]
    purpose: str | None
    purpose_version: int | None
    channels: tuple[Channel, ...]
    notice: str | None
    notice_version: int | None
    notice_sha256: str | None
    occurred_at: datetime
    recorded_at: datetime
    corrects: str | None
    proofs: tuple[ProofRecord, ...] = field(default=())
    data_commitment: str | None = None
    campaign: str | None = None
    check_id: str | None = None
    # Set on a consent.given that awaits confirmation (double opt-in, OTP): the deadline.
    confirm_by: datetime | None = None
    # Set on a consent.confirmed this instance recorded: the pending consent.given it confirms.
    confirms: str | None = None
    # Set on a correction of an event another touchpoint recorded: the admin key or console
    # user who made it, and the reason they gave.
    correction_by: str | None = None
    correction_reason: str | None = None

    def envelope(self) -> dict[str, object]:
        """The leaf content: pseudonymous ids, keyed hashes and commitments only."""
        # str() of a StrEnum member is its value, without the `.value` descriptor's cost (a
        # batch builds thousands of leaves).
        envelope: dict[str, object] = {
            "channels": [str(c) for c in self.channels],
            "contact": None
            if self.campaign is None and self.check_id is None
            else {"campaign": self.campaign, "check": self.check_id},
            "corrects": self.corrects,
            "data": self.data_commitment,
            "id": self.id,
            "identifiers": list(self.identifiers),
            "kind": str(self.kind),
            "notice": None
            if self.notice is None
            else {"key": self.notice, "sha256": self.notice_sha256, "version": self.notice_version},
            "occurred_at": timestamp(self.occurred_at),
            "proofs": [p.entry() for p in self.proofs],
            "purpose": None
            if self.purpose is None
            else {"key": self.purpose, "version": self.purpose_version},
            "recorded_at": timestamp(self.recorded_at),
            "seq": self.seq,
            "subject": self.subject_id,
            "touchpoint": self.touchpoint,
            "v": 1,
        }
        # Only events awaiting confirmation carry the key, so every other leaf keeps its bytes.
        if self.confirm_by is not None:
            envelope["confirm_by"] = timestamp(self.confirm_by)
        # Likewise the consent a confirmation confirms, and a correction's author and reason.
        if self.confirms is not None:
            envelope["confirms"] = self.confirms
        if self.correction_by is not None or self.correction_reason is not None:
            envelope["correction"] = {"by": self.correction_by, "reason": self.correction_reason}
        return envelope


def timestamp(moment: datetime) -> str:
    """RFC 3339 UTC with microseconds: the one way a time is written in a leaf."""
    return _timestamp(moment)


# A batch writes the same recording time in each of its leaves, and the store writes each time
# of a leaf again in its row (store.bulk): each formatted once, not each time it is written.
@functools.lru_cache(maxsize=4096)
def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
