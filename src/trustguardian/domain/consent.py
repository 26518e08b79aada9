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
        return status_at(self.status, self.expires_at, moment)


def status_at(
    status: ConsentStatus, expires_at: datetime | None, moment: datetime
) -> ConsentStatus:
    """A stored status as it stands at an instant (see `ConsentState.at`)."""
    if (
        status in (ConsentStatus.GIVEN, ConsentStatus.PENDING_CONFIRMATION)
        and expires_at is not None
        and moment >= expires_at
    ):
        return ConsentStatus.EXPIRED
    return status


# A withdrawal or a refusal: only a later, dated consent with its own proofs supersedes it.
PROTECTIVE = frozenset({EventKind.CONSENT_WITHDRAWN, EventKind.CONSENT_REFUSED})


def protective(kind: EventKind | str) -> int:
    """1 for a withdrawal or refusal, else 0: at one instant the most protective state wins."""
    return 1 if kind in PROTECTIVE else 0


def order(fact: ConsentFact) -> tuple[datetime, int, int]:
    """Consent follows when things happened; at one instant the most protective event wins,
    and recording order breaks the remaining ties."""
    return (fact.occurred_at, protective(fact.kind), fact.seq)


def correctable(corrected: EventKind | str, correction: EventKind | str) -> bool:
    """Whether an event of kind `correction` may correct one of kind `corrected`.

    A withdrawal or refusal is corrected only by another of the same kind (to fix its
    channels, say): nothing may take it back, since a correction removes the corrected event
    from the fold. Any other event is corrected by one of its own kind, and a consent also by a
    withdrawal or refusal (the correction is then the more protective)."""
    if corrected == correction:
        return True
    consents = (EventKind.CONSENT_GIVEN, EventKind.CONSENT_CONFIRMED)
    return corrected in consents and correction in PROTECTIVE


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
    # given last wins, as it would in a stable sort; only the winners become states. A
    # correction never removes a withdrawal or refusal (invariant 9).
    latest: dict[tuple[str, str, Channel], tuple[tuple[datetime, int, int], ConsentFact]] = {}
    for fact in facts:
        if fact.kind not in STATUS_OF or (
            fact.event_id in corrected and fact.kind not in PROTECTIVE
        ):
            continue
        rank = order(fact)
        for channel in fact.channels:
            key = (fact.subject_id, fact.purpose, channel)
            current = latest.get(key)
            if current is None or rank >= current[0]:
                latest[key] = (rank, fact)
    return {key: state_of(fact, key[2]) for key, (_, fact) in latest.items()}


def newer(current: ConsentState | None, candidate: ConsentState) -> ConsentState:
    """Keeps whichever state comes later by `order`: (occurred_at, protective, seq)."""
    if current is None or _rank(candidate) > _rank(current):
        return candidate
    return current


def _rank(state: ConsentState) -> tuple[datetime, int, int]:
    refuses = state.status in (ConsentStatus.WITHDRAWN, ConsentStatus.REFUSED)
    return (state.since, 1 if refuses else 0, state.event_seq)
