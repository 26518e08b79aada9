"""Repository for API keys (only a hash of each secret is stored)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from trustguardian.domain.access import ApiKey, Scope
from trustguardian.store import tables as t


class ApiKeyRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, key: ApiKey, secret_sha256: str) -> None:
        self._c.execute(
            insert(t.api_keys).values(
                id=key.id,
                name=key.name,
                secret_sha256=secret_sha256,
                scopes=sorted(s.value for s in key.scopes),
                touchpoint_key=key.touchpoint_key,
                system_key=key.system_key,
                created_at=key.created_at,
            )
        )

    def get_with_hash(self, key_id: str) -> tuple[ApiKey, str] | None:
        row = self._c.execute(select(t.api_keys).where(t.api_keys.c.id == key_id)).first()
        return None if row is None else (_api_key(row), row.secret_sha256)

    def all(self) -> list[ApiKey]:
        rows = self._c.execute(
            select(t.api_keys).order_by(t.api_keys.c.created_at, t.api_keys.c.id)
        )
        return [_api_key(row) for row in rows]

    def revoke(self, key_id: str, at: datetime) -> bool:
        result = self._c.execute(
            update(t.api_keys)
            .where(t.api_keys.c.id == key_id, t.api_keys.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return result.rowcount == 1

    def change(self, key: ApiKey) -> None:
        """Stores a live key's new scopes and binding."""
        self._c.execute(
            update(t.api_keys)
            .where(t.api_keys.c.id == key.id)
            .values(
                scopes=sorted(s.value for s in key.scopes),
                touchpoint_key=key.touchpoint_key,
                system_key=key.system_key,
            )
        )

    def add_operator_session(
        self, token_sha256: str, key_id: str, at: datetime, expires_at: datetime
    ) -> None:
        self._c.execute(
            insert(t.operator_sessions).values(
                token_sha256=token_sha256, key_id=key_id, created_at=at, expires_at=expires_at
            )
        )

    def operator_session_key(self, token_sha256: str, now: datetime) -> ApiKey | None:
        """The live key of a session neither ended nor expired at `now`."""
        s = t.operator_sessions.c
        row = self._c.execute(
            select(t.api_keys)
            .join(t.operator_sessions, s.key_id == t.api_keys.c.id)
            .where(
                s.token_sha256 == token_sha256,
                s.ended_at.is_(None),
                s.expires_at > now,
                t.api_keys.c.revoked_at.is_(None),
            )
        ).first()
        return None if row is None else _api_key(row)

    def end_operator_session(self, token_sha256: str, at: datetime) -> None:
        s = t.operator_sessions.c
        self._c.execute(
            update(t.operator_sessions)
            .where(s.token_sha256 == token_sha256, s.ended_at.is_(None))
            .values(ended_at=at)
        )

    def revoke_named(self, name: str, at: datetime) -> int:
        result = self._c.execute(
            update(t.api_keys)
            .where(t.api_keys.c.name == name, t.api_keys.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return result.rowcount


def _api_key(row: Row[Any]) -> ApiKey:
    return ApiKey(
        id=row.id,
        name=row.name,
        scopes=frozenset(Scope(s) for s in row.scopes),
        touchpoint_key=row.touchpoint_key,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
        system_key=row.system_key,
    )
