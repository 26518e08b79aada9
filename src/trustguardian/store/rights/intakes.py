"""Repository for pending intakes: public-form submissions waiting for their code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from trustguardian.store import tables as t


@dataclass(frozen=True)
class PendingIntake:
    id: str
    recipient_blind: str
    client_blind: str
    method: str
    sealed: bytes | None
    code_mac: str
    attempts: int
    created_at: datetime
    expires_at: datetime
    confirmed_at: datetime | None = None
    request_id: str | None = None


class IntakeRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, intake: PendingIntake) -> None:
        self._c.execute(insert(t.pending_intakes).values(**vars(intake)))

    def get(self, intake_id: str, *, lock: bool = False) -> PendingIntake | None:
        query: Any = select(t.pending_intakes).where(t.pending_intakes.c.id == intake_id)
        if lock:
            query = query.with_for_update()
        row = self._c.execute(query).first()
        return None if row is None else PendingIntake(**row._mapping)

    def sent_since(
        self, since: datetime, *, recipient: str | None = None, client: str | None = None
    ) -> tuple[int, datetime | None]:
        """How many messages went out since `since` (to a recipient, for a client address, or
        in all), and when the oldest of them went, which is when the count first drops."""
        c = t.pending_intakes.c
        query = select(func.count(), func.min(c.created_at)).where(c.created_at >= since)
        if recipient is not None:
            query = query.where(c.recipient_blind == recipient)
        if client is not None:
            query = query.where(c.client_blind == client)
        count, oldest = self._c.execute(query).one()
        return int(count), oldest

    def count_attempt(self, intake_id: str) -> None:
        c = t.pending_intakes.c
        self._c.execute(
            update(t.pending_intakes).where(c.id == intake_id).values(attempts=c.attempts + 1)
        )

    def confirm(self, intake_id: str, at: datetime, request_id: str) -> bool:
        """Marks an intake confirmed and drops its sealed submission; False if it was already."""
        c = t.pending_intakes.c
        result = self._c.execute(
            update(t.pending_intakes)
            .where(c.id == intake_id, c.confirmed_at.is_(None))
            .values(confirmed_at=at, request_id=request_id, sealed=None)
        )
        return result.rowcount == 1

    def purge(self, before: datetime) -> int:
        """Deletes the intakes made before `before` (expired, and outside every cap's window)."""
        c = t.pending_intakes.c
        return self._c.execute(delete(t.pending_intakes).where(c.created_at < before)).rowcount
