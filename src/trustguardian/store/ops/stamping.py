"""The time-stamping schedule's one row, and how far the stamps are behind the ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, insert, select, update

from trustguardian.store import tables as t

SCHEDULE = "tsa"


@dataclass(frozen=True)
class StampingSchedule:
    """When the next stamp is tried (None: at once), and the failed tries since the last
    success with the last one's reason."""

    next_attempt_at: datetime | None = None
    failures: int = 0
    last_error: str | None = None
    last_attempt_at: datetime | None = None


class StampingRepository:
    """Reads and writes the schedule row, and the newest stamp."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def schedule(self) -> StampingSchedule:
        """The schedule (an empty one before the first try)."""
        s = t.stamping_schedule
        row = self._c.execute(select(s).where(s.c.name == SCHEDULE)).first()
        if row is None:
            return StampingSchedule()
        return StampingSchedule(
            row.next_attempt_at, int(row.failures), row.last_error, row.last_attempt_at
        )

    def save(self, schedule: StampingSchedule) -> None:
        s = t.stamping_schedule
        values = vars(schedule)
        done = self._c.execute(update(s).where(s.c.name == SCHEDULE).values(**values))
        if not done.rowcount:
            self._c.execute(insert(s).values(name=SCHEDULE, **values))

    def stamped_sizes(self, *, up_to: int) -> list[int]:
        """The time-stamped tree sizes up to `up_to`, ascending."""
        ts = t.checkpoint_timestamps
        rows = self._c.execute(
            select(ts.c.tree_size).where(ts.c.tree_size <= up_to).order_by(ts.c.tree_size)
        )
        return [int(size) for (size,) in rows]

    def stamped_size(self) -> int:
        """The largest tree size with a time-stamp (0 when none)."""
        ts = t.checkpoint_timestamps
        return int(self._c.execute(select(func.max(ts.c.tree_size))).scalar() or 0)
