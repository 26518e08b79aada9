"""Complaints (contestazioni): cases with a status, a handler and an outcome."""

from __future__ import annotations

from enum import StrEnum


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
