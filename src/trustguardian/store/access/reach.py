"""Reads that tell which touchpoint a resource belongs to, for confining bound keys."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, Table, select

from trustguardian.domain.access import Reach
from trustguardian.store import tables as t

# The table that holds each kind of resource, with an `id` and a `touchpoint_key` column.
_OWNED_BY: dict[Reach, Table] = {
    Reach.EVENT: t.events,
    Reach.REQUEST: t.rights_requests,
    Reach.COMPLAINT: t.complaints,
    Reach.LINK: t.link_tokens,
    Reach.CONFIRMATION: t.confirmations,
}


class ReachReads:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def subjects_at(self, subject_ids: Sequence[str], touchpoint: str) -> set[str]:
        """Those of the subjects that have an event at the touchpoint (ix_events_subject_seq)."""
        c = t.events.c
        found: set[str] = set()
        for start in range(0, len(subject_ids), 500):  # bounded IN lists on either backend
            chunk = list(subject_ids[start : start + 500])
            query = (
                select(c.subject_id)
                .distinct()
                .where(c.subject_id.in_(chunk), c.touchpoint_key == touchpoint)
            )
            found.update(self._c.execute(query).scalars())
        return found

    def touchpoint_of(self, reach: Reach, resource_id: str) -> str | None:
        """The touchpoint a resource was taken at or minted for; None when it has none."""
        table = _OWNED_BY[reach]
        query = select(table.c.touchpoint_key).where(table.c.id == resource_id)
        found: str | None = self._c.execute(query).scalar_one_or_none()
        if found is None and reach is Reach.EVENT:
            # An id given out by a sign-up kept until confirmed: its intake's touchpoint.
            ce, c = t.confirmation_events.c, t.confirmations.c
            found = self._c.execute(
                select(c.touchpoint_key)
                .join_from(t.confirmation_events, t.confirmations, ce.confirmation_id == c.id)
                .where(ce.event_id == resource_id)
            ).scalar_one_or_none()
        return found
