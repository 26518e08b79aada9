"""Read-only queries behind the console's pages: figures, recent events, checks and contacts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

from sqlalchemy import Connection, Row, and_, case, func, select

from trustguardian.store import tables as t


class ConsoleReads:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def events_per_touchpoint(self) -> dict[str, tuple[int, datetime | None]]:
        """Per touchpoint: how many events it recorded, and when the last one happened."""
        rows = self._c.execute(
            select(
                t.events.c.touchpoint_key, func.count(), func.max(t.events.c.occurred_at)
            ).group_by(t.events.c.touchpoint_key)
        )
        return {r[0]: (int(r[1]), _aware(r[2])) for r in rows}

    def event_count(self, touchpoint: str) -> int:
        """How many events one touchpoint recorded (through the touchpoint index)."""
        return int(
            self._c.execute(
                select(func.count())
                .select_from(t.events)
                .where(t.events.c.touchpoint_key == touchpoint)
            ).scalar_one()
        )

    def kinds_per_month(
        self, kinds: Sequence[str], bounds: Sequence[datetime]
    ) -> dict[str, list[int]]:
        """Events of each kind per interval [bounds[i], bounds[i+1]), in one scan.

        One conditional sum per interval instead of a date function: SQLite and PostgreSQL
        agree on comparisons, not on date formatting.
        """
        occurred = t.events.c.occurred_at
        columns = [
            func.sum(case((and_(occurred >= lo, occurred < hi), 1), else_=0))
            for lo, hi in pairwise(bounds)
        ]
        rows = self._c.execute(
            select(t.events.c.kind, *columns)
            .where(t.events.c.kind.in_(list(kinds)), occurred >= bounds[0], occurred < bounds[-1])
            .group_by(t.events.c.kind)
        )
        found = {kind: [0] * (len(bounds) - 1) for kind in kinds}
        for r in rows:
            found[r[0]] = [int(v or 0) for v in r[1:]]
        return found

    def recent_events(self, touchpoint: str, limit: int) -> list[Row[Any]]:
        """The latest events a touchpoint recorded (no personal data: ids and kinds)."""
        e = t.events.c
        return list(
            self._c.execute(
                select(e.seq, e.id, e.kind, e.subject_id, e.purpose_key, e.occurred_at)
                .where(e.touchpoint_key == touchpoint)
                .order_by(e.seq.desc())
                .limit(limit)
            )
        )

    def subject_contacts(self, subject_id: str, limit: int) -> list[Row[Any]]:
        c = t.contacts.c
        return list(
            self._c.execute(
                select(t.contacts)
                .where(c.subject_id == subject_id)
                .order_by(c.occurred_at.desc())
                .limit(limit)
            )
        )

    def consent_totals(self) -> dict[str, int]:
        """Stored consent states by status (expiry is applied by the reader)."""
        c = t.consent_states.c
        rows = self._c.execute(select(c.status, func.count()).group_by(c.status))
        return {r[0]: int(r[1]) for r in rows}

    def subject_count(self) -> tuple[int, int]:
        """Subjects known, and subjects erased."""
        s = t.subjects.c
        row = self._c.execute(
            select(func.count(), func.count(s.shredded_at)).select_from(t.subjects)
        ).one()
        return int(row[0]), int(row[1])

    def examinations(self) -> dict[str, datetime]:
        """When each examined touchpoint was last examined by the census."""
        e = t.examinations.c
        rows = self._c.execute(select(e.touchpoint_key, e.examined_at))
        return {r[0]: r[1] for r in rows}

    def open_requests(self, statuses: Sequence[str]) -> int:
        """How many rights requests are in one of these (open) statuses."""
        r = t.rights_requests.c
        query = select(func.count()).where(r.status.in_(list(statuses)))
        return int(self._c.execute(query).scalar_one())


def _aware(value: Any) -> datetime | None:
    if value is None:
        return None
    # SQLite hands back text from an aggregate, not a datetime.
    moment: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
