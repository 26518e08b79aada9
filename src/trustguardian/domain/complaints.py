"""Complaints (contestazioni): cases with a status, a handler and an outcome."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from trustguardian.domain.rights import ROME, end_of_day


class ComplaintStatus(StrEnum):
    OPEN = "open"
    INVESTIGATING = "investigating"
    ANSWERED = "answered"
    CLOSED = "closed"


C = ComplaintStatus
COMPLAINT_MOVES: dict[ComplaintStatus, frozenset[ComplaintStatus]] = {
    C.OPEN: frozenset({C.INVESTIGATING, C.ANSWERED, C.CLOSED}),
    C.INVESTIGATING: frozenset({C.ANSWERED, C.CLOSED}),
    C.ANSWERED: frozenset({C.INVESTIGATING, C.CLOSED}),
    # A closed case is reopened by a new complaint, never edited.
    C.CLOSED: frozenset(),
}


class ComplaintKind(StrEnum):
    CONTACT = "contact"  # an unwanted contact: holds that channel for the person until closed
    REQUEST = "request"  # how a rights request was handled
    DATA = "data"  # how personal data is handled
    OTHER = "other"


# Days to answer each kind of complaint. Nothing in law fixes them: a contact complained about
# is answered fast (the person may be contacted again meanwhile elsewhere); a complaint about a
# rights request within the month art. 12(3) gives the request itself; the rest within the
# 45 days the Garante allows for a reply to its own requests for information.
COMPLAINT_DAYS: dict[ComplaintKind, int] = {
    ComplaintKind.CONTACT: 15,
    ComplaintKind.REQUEST: 30,
    ComplaintKind.DATA: 30,
    ComplaintKind.OTHER: 45,
}


def complaint_due(received_at: datetime, kind: ComplaintKind) -> datetime:
    """The instant a complaint of a kind received at an instant must be answered by: the end
    of the Rome calendar day `COMPLAINT_DAYS` after receipt."""
    day = received_at.astimezone(ROME).date() + timedelta(days=COMPLAINT_DAYS[kind])
    return end_of_day(day)
