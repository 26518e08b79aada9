"""Rights requests (GDPR arts. 15-22): kinds, states, and the legal deadline (art. 12(3)).

Deadlines are calendar months in Europe/Rome, counted as Regulation (EEC, Euratom) 1182/71
counts them: a period of months ends with the last day of the last month that has the same
date as the day of receipt, or with that month's last day when it has no such date (a request
received on 31 January is due by the end of 28 or 29 February).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

ROME = ZoneInfo("Europe/Rome")
ANSWER_MONTHS = 1
"""Art. 12(3): the controller answers within one month of receipt."""
EXTENSION_MONTHS = 2
"""Art. 12(3): extendable once by two further months, with the reasons told to the person."""


class RequestKind(StrEnum):
    ACCESS = "access"  # art. 15
    RECTIFICATION = "rectification"  # art. 16
    ERASURE = "erasure"  # art. 17
    RESTRICTION = "restriction"  # art. 18
    PORTABILITY = "portability"  # art. 20
    OBJECTION = "objection"  # art. 21(1)
    OBJECTION_DIRECT_MARKETING = "objection_direct_marketing"  # art. 21(2)-(3): absolute


class RequestStatus(StrEnum):
    RECEIVED = "received"
    VERIFYING = "verifying"
    IN_PROGRESS = "in_progress"
    EXTENDED = "extended"
    FULFILLED = "fulfilled"
    REJECTED = "rejected"


S = RequestStatus
MOVES: dict[RequestStatus, frozenset[RequestStatus]] = {
    S.RECEIVED: frozenset({S.VERIFYING, S.IN_PROGRESS, S.REJECTED}),
    S.VERIFYING: frozenset({S.IN_PROGRESS, S.REJECTED}),
    S.IN_PROGRESS: frozenset({S.EXTENDED, S.FULFILLED, S.REJECTED}),
    # Extended is still being worked on, but never extended again: the law allows it once.
    S.EXTENDED: frozenset({S.FULFILLED, S.REJECTED}),
    S.FULFILLED: frozenset(),
    S.REJECTED: frozenset(),
}
OPEN = frozenset({S.RECEIVED, S.VERIFYING, S.IN_PROGRESS, S.EXTENDED})


def can_move(current: RequestStatus, target: RequestStatus) -> bool:
    """Tells whether a request may go from one status to another."""
    return target in MOVES[current]


def add_months(day: date, months: int) -> date:
    """The same date `months` later, or the last day of that month when it has no such date."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Deadline:
    """The last day to answer (a Rome calendar date) and the instant it ends."""

    due_on: date
    ends_at: datetime

    def remaining(self, now: datetime) -> timedelta:
        return self.ends_at - now

    def overdue(self, now: datetime) -> bool:
        return now >= self.ends_at


def end_of_day(day: date) -> datetime:
    """The instant a Rome calendar day ends (the next day's local midnight), in UTC."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=ROME).astimezone(UTC)


def deadline(received_at: datetime, *, extended: bool = False) -> Deadline:
    """The answer's deadline for a request received at an instant (aware), maybe extended.

    The extension adds two further months to the one month, both counted from receipt.
    """
    if received_at.tzinfo is None:
        raise ValueError("received_at must be timezone-aware")
    received_on = received_at.astimezone(ROME).date()
    months = ANSWER_MONTHS + (EXTENSION_MONTHS if extended else 0)
    due = add_months(received_on, months)
    return Deadline(due_on=due, ends_at=end_of_day(due))
