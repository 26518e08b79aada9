"""Events that name another event, checked against the one they name.

A `consent.confirmed` this instance records names, in its leaf, the pending consent it confirms:
that event must exist before it, be a consent.given of the same subject and purpose, and have
been awaiting confirmation. A correction that carries a reason names an earlier event of the
same subject, and when that event was recorded at another touchpoint, the leaf also names the
admin key, console user or command-line user who made it.

A correction without a reason from another touchpoint is refused when recorded, but is not a
problem here: databases from before the correction rules hold such corrections, recorded when
they were allowed, and the consent fold already lets none of them take back a withdrawal. Rows
are checked against their leaves before this runs, so what the rows say is what the leaves
committed to.
"""

from __future__ import annotations

from trustguardian.domain.events import EventKind
from trustguardian.store.events import Link
from trustguardian.store.uow import UnitOfWork


def check_links(uow: UnitOfWork, size: int, problems: list[str]) -> int:
    """Checks every confirmation and correction against the event it names; returns how many."""
    checked = 0
    for link in uow.events.links(size):
        checked += 1
        problem = _confirmation(link) if link.relation == "confirms" else _correction(link)
        if problem is not None:
            problems.append(f"seq {link.seq} ({link.kind} {link.id}): {problem}")
    return checked


def _confirmation(link: Link) -> str | None:
    if link.target_seq is None or link.target_seq >= link.seq:
        return f"confirms {link.named}, which is no earlier event"
    if link.kind != EventKind.CONSENT_CONFIRMED.value:
        return f"a {link.kind} names {link.named} as confirmed"
    if (link.target_subject, link.target_purpose) != (link.subject_id, link.purpose):
        return f"confirms {link.named}, an event of another subject or purpose"
    if link.target_kind != EventKind.CONSENT_GIVEN.value or not link.target_pending:
        return (
            f"confirms {link.named} (seq {link.target_seq}, {link.target_kind}), which was no "
            "consent awaiting confirmation"
        )
    return None


def _correction(link: Link) -> str | None:
    if link.reason is None and link.by is None:
        return None
    if link.target_seq is None or link.target_seq >= link.seq:
        return f"corrects {link.named}, which is no earlier event"
    if link.target_subject != link.subject_id:
        return f"corrects {link.named}, an event of another subject"
    if link.target_touchpoint != link.touchpoint and not (link.reason and link.by):
        return (
            f"corrects {link.named}, recorded by touchpoint {link.target_touchpoint!r}, without "
            "both the reason and the admin who may correct another touchpoint's event"
        )
    return None
