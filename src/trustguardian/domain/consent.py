"""Consent state: what the events add up to per subject x purpose x channel."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import Channel


class ConsentStatus(StrEnum):
    GIVEN = "given"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    PENDING_CONFIRMATION = "pending_confirmation"


STATUS_OF: dict[EventKind, ConsentStatus] = {
    EventKind.CONSENT_GIVEN: ConsentStatus.GIVEN,
    EventKind.CONSENT_CONFIRMED: ConsentStatus.GIVEN,
    EventKind.CONSENT_REFUSED: ConsentStatus.REFUSED,
    EventKind.CONSENT_WITHDRAWN: ConsentStatus.WITHDRAWN,
}


@dataclass(frozen=True)
class ConsentFact:
    """The part of an event that decides consent state."""

    seq: int
    event_id: str
    kind: EventKind
    subject_id: str
    purpose: str
    purpose_version: int
    channels: tuple[Channel, ...]
    notice: str | None
    notice_version: int | None
    occurred_at: datetime
    corrects: str | None
    lifetime_days: int | None
    confirm_by: datetime | None = None


@dataclass(frozen=True)
class ConsentState:
    """The stored state of one subject x purpose x channel (expiry is applied when read)."""

    subject_id: str
    purpose: str
    channel: Channel
    status: ConsentStatus
    since: datetime
    event_id: str
    event_seq: int
    purpose_version: int
    notice: str | None
    notice_version: int | None
    expires_at: datetime | None

    @property
    def key(self) -> tuple[str, str, Channel]:
        return (self.subject_id, self.purpose, self.channel)

    def at(self, moment: datetime) -> ConsentStatus:
        """The status at an instant: a given consent past its lifetime is expired, and so is
        a consent still awaiting confirmation past its deadline."""
        if (
            self.status in (ConsentStatus.GIVEN, ConsentStatus.PENDING_CONFIRMATION)
            and self.expires_at is not None
            and moment >= self.expires_at
        ):
            return ConsentStatus.EXPIRED
        return self.status


def order(fact: ConsentFact) -> tuple[datetime, int]:
    """Consent follows when things happened; recording order only breaks ties."""
    return (fact.occurred_at, fact.seq)


def state_of(fact: ConsentFact, channel: Channel) -> ConsentState:
    """The state one event sets on one channel."""
    status = STATUS_OF[fact.kind]
    expires = None
    if fact.kind is EventKind.CONSENT_GIVEN and fact.confirm_by is not None:
        # Awaiting double opt-in or OTP: not a consent yet, and void after the deadline.
        status, expires = ConsentStatus.PENDING_CONFIRMATION, fact.confirm_by
    elif status is ConsentStatus.GIVEN and fact.lifetime_days is not None:
        expires = fact.occurred_at + timedelta(days=fact.lifetime_days)
    return ConsentState(
        subject_id=fact.subject_id,
        purpose=fact.purpose,
        channel=channel,
        status=status,
        since=fact.occurred_at,
        event_id=fact.event_id,
        event_seq=fact.seq,
        purpose_version=fact.purpose_version,
        notice=fact.notice,
        notice_version=fact.notice_version,
        expires_at=expires,
    )


def fold(
    facts: Iterable[ConsentFact], corrected: Iterable[str] = ()
) -> dict[tuple[str, str, Channel], ConsentState]:
    """Folds events into consent state by `occurred_at`, whatever order they arrived in.

    A corrected event no longer counts: its correction stands in its place. `corrected` names
    events corrected by events that decide no consent themselves.
    """
    facts = list(facts)
    corrected = {f.corrects for f in facts if f.corrects is not None} | set(corrected)
    # The latest fact by `order` decides each channel. Among facts of equal order the one
    # given last wins, as it would in a stable sort; only the winners become states.
    latest: dict[tuple[str, str, Channel], tuple[tuple[datetime, int], ConsentFact]] = {}
    for fact in facts:
        if fact.event_id in corrected or fact.kind not in STATUS_OF:
            continue
        rank = (fact.occurred_at, fact.seq)
        for channel in fact.channels:
            key = (fact.subject_id, fact.purpose, channel)
            current = latest.get(key)
            if current is None or rank >= current[0]:
                latest[key] = (rank, fact)
    return {key: state_of(fact, key[2]) for key, (_, fact) in latest.items()}


def newer(current: ConsentState | None, candidate: ConsentState) -> ConsentState:
    """Keeps whichever state comes later by (occurred_at, seq)."""
    if current is None or (candidate.since, candidate.event_seq) > (
        current.since,
        current.event_seq,
    ):
        return candidate
    return current
