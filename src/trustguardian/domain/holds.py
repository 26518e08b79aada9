"""Holds: what stops contacts with a person whatever their consent says, until it is lifted.

A restriction of processing (GDPR art. 18) holds the purposes it names on every channel; a
complaint about a contact holds that channel for every purpose until the complaint is closed.
A hold covers [started_at, lifted_at): a check of a past moment sees the holds of that moment.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from trustguardian.domain.checks import Reason
from trustguardian.domain.registry import Channel


class HoldCause(StrEnum):
    RESTRICTION = "restriction"  # art. 18, by a rights request
    COMPLAINT = "complaint"  # a complaint about a contact, until closed


@dataclass(frozen=True)
class Hold:
    """One hold on a subject: a purpose (None: every purpose) on a channel (None: every one)."""

    id: str
    subject_id: str
    purpose: str | None
    channel: Channel | None
    cause: HoldCause
    source_id: str
    started_at: datetime
    lifted_at: datetime | None = None

    def covers(self, purpose: str, channel: Channel, moment: datetime) -> bool:
        """Tells whether this hold stops a contact for a purpose on a channel at an instant."""
        return (
            (self.purpose is None or self.purpose == purpose)
            and (self.channel is None or self.channel is channel)
            and self.started_at <= moment
            and (self.lifted_at is None or moment < self.lifted_at)
        )


def holding(holds: Iterable[Hold], purpose: str, channel: Channel, moment: datetime) -> Hold | None:
    """The hold that stops this contact (a restriction before a complaint), or None."""
    found = [h for h in holds if h.covers(purpose, channel, moment)]
    if not found:
        return None
    return min(found, key=lambda h: (h.cause is not HoldCause.RESTRICTION, h.started_at))


def withholds_sync(holds: Iterable[Hold], purpose: str | None, moment: datetime) -> bool:
    """Whether a change about a purpose waits, undelivered to company systems, under a live
    restriction (art. 18). Changes naming no purpose (the restriction itself, its lifting, a
    request's steps) go out: they are how a system learns to stop and to resume."""
    return purpose is not None and any(
        h.cause is HoldCause.RESTRICTION
        and (h.purpose is None or h.purpose == purpose)
        and h.started_at <= moment
        and (h.lifted_at is None or moment < h.lifted_at)
        for h in holds
    )


Verdict = tuple[bool, Reason, str | None]
"""A check's answer as plain values: allowed, reason, the deciding event."""

HELD_REASON = {HoldCause.RESTRICTION: Reason.RESTRICTED, HoldCause.COMPLAINT: Reason.COMPLAINT_OPEN}


def over_holds(
    verdict: Verdict,
    holds: tuple[Hold, ...] | None,
    purpose: str,
    channel: Channel,
    moment: datetime,
) -> Verdict:
    """A check's verdict once the subject's holds are applied: a contact that consent, registers
    and limits allow is still refused while a hold covers it (the only place holds decide)."""
    if not holds or not verdict[0]:
        return verdict
    found = holding(holds, purpose, channel, moment)
    if found is None:
        return verdict
    return (False, HELD_REASON[found.cause], verdict[2])
