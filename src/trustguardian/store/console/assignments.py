"""Repository for the console's work queues: which console user handles which rights request."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, insert, select

from trustguardian.store import tables as t


@dataclass(frozen=True)
class Assignment:
    request_id: str
    user_id: str
    username: str
    assigned_by: str
    assigned_at: datetime


class AssignmentRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def assign(self, request_id: str, user_id: str, by: str, at: datetime) -> None:
        """Assigns a request to a user, replacing any earlier assignment."""
        self.unassign(request_id)
        self._c.execute(
            insert(t.request_assignments).values(
                request_id=request_id, user_id=user_id, assigned_by=by, assigned_at=at
            )
        )

    def unassign(self, request_id: str) -> None:
        a = t.request_assignments.c
        self._c.execute(delete(t.request_assignments).where(a.request_id == request_id))

    def of(self, request_ids: Sequence[str]) -> dict[str, Assignment]:
        """The assignments of many requests in one query, by request id."""
        if not request_ids:
            return {}
        a, u = t.request_assignments.c, t.admin_users.c
        rows = self._c.execute(
            select(a.request_id, a.user_id, u.username, a.assigned_by, a.assigned_at)
            .join_from(t.request_assignments, t.admin_users, a.user_id == u.id)
            .where(a.request_id.in_(list(request_ids)))
        )
        return {r.request_id: Assignment(*r) for r in rows}

    def requests_of(self, user_id: str) -> list[str]:
        a = t.request_assignments.c
        return list(self._c.execute(select(a.request_id).where(a.user_id == user_id)).scalars())
