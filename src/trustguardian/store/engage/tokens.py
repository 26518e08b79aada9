"""Repository for link tokens: issued, used once, revoked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from trustguardian.store import tables as t


@dataclass(frozen=True)
class NewToken:
    """A link token as issued; its claims travel signed, only its state is stored."""

    id: str
    kind: str
    subject_id: str | None
    single_use: bool
    created_at: datetime
    expires_at: datetime | None
    used_at: datetime | None = None
    revoked_at: datetime | None = None
    touchpoint_key: str | None = None


class TokenRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, token: NewToken) -> None:
        self._c.execute(insert(t.link_tokens).values(**vars(token)))

    def claim(self, token: NewToken) -> bool:
        """Records a token unless its id is taken; False when it is (a replay, or a race lost).

        An insert that skips a duplicate rather than failing on it, so that a concurrent replay is
        refused as such and the transaction stays usable.
        """
        values = vars(token)
        if self._c.dialect.name == "postgresql":
            statement: Any = postgresql.insert(t.link_tokens).values(**values)
        else:
            statement = sqlite.insert(t.link_tokens).values(**values)
        statement = statement.on_conflict_do_nothing(index_elements=["id"])
        # RETURNING rather than rowcount, which psycopg reports as -1 for this statement.
        return self._c.execute(statement.returning(t.link_tokens.c.id)).first() is not None

    def get(self, token_id: str) -> Any:
        return self._c.execute(
            select(t.link_tokens).where(t.link_tokens.c.id == token_id)
        ).one_or_none()

    def use(self, token_id: str, at: datetime) -> bool:
        """Marks a token used; False when it was used already (a race lost to another use)."""
        result = self._c.execute(
            update(t.link_tokens)
            .where(t.link_tokens.c.id == token_id, t.link_tokens.c.used_at.is_(None))
            .values(used_at=at)
        )
        return result.rowcount == 1

    def revoke(self, token_id: str, at: datetime) -> bool:
        result = self._c.execute(
            update(t.link_tokens)
            .where(t.link_tokens.c.id == token_id, t.link_tokens.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return result.rowcount == 1

    def revoke_for_subject(self, subject_id: str, at: datetime, kind: str | None = None) -> int:
        """Revokes every live token of a subject (of one kind, or all): e.g. after erasure."""
        condition = [t.link_tokens.c.subject_id == subject_id, t.link_tokens.c.revoked_at.is_(None)]
        if kind is not None:
            condition.append(t.link_tokens.c.kind == kind)
        result = self._c.execute(update(t.link_tokens).where(*condition).values(revoked_at=at))
        return result.rowcount
