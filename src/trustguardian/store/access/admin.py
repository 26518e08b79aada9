"""Repository for console users, their sessions, the subject access log and verification runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, func, insert, select, update

from trustguardian.domain.roles import AccessRecord, AdminUser, Role
from trustguardian.store import tables as t


@dataclass(frozen=True)
class StoredSession:
    token_sha256: str
    user_id: str
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class Verification:
    id: str
    verified_at: datetime
    tree_size: int
    ok: bool
    problems: int
    by: str


class AdminRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    # users ------------------------------------------------------------------------------------

    def add_user(self, user: AdminUser, password_hash: str, external_id: str | None = None) -> None:
        self._c.execute(
            insert(t.admin_users).values(
                id=user.id,
                username=user.username,
                password_hash=password_hash,
                role=user.role.value,
                failed_logins=0,
                created_at=user.created_at,
                external_id=external_id,
            )
        )

    def user_by_name(self, username: str) -> tuple[AdminUser, str] | None:
        """The user and their password hash."""
        row = self._c.execute(
            select(t.admin_users).where(t.admin_users.c.username == username)
        ).first()
        return None if row is None else (_user(row), row.password_hash)

    def user_by_external_id(self, external_id: str) -> AdminUser | None:
        """The user bound to this identity at the OpenID provider, the row locked."""
        table = t.admin_users
        row = self._c.execute(
            select(table).where(table.c.external_id == external_id).with_for_update()
        ).first()
        return None if row is None else _user(row)

    def user(self, user_id: str) -> AdminUser | None:
        row = self._c.execute(select(t.admin_users).where(t.admin_users.c.id == user_id)).first()
        return None if row is None else _user(row)

    def users(self) -> list[AdminUser]:
        rows = self._c.execute(select(t.admin_users).order_by(t.admin_users.c.username))
        return [_user(r) for r in rows]

    def update_user(self, user_id: str, **values: Any) -> None:
        self._c.execute(update(t.admin_users).where(t.admin_users.c.id == user_id).values(**values))

    def user_for_login(self, username: str) -> tuple[AdminUser, str] | None:
        """The user and their password hash, the row locked until the transaction ends (on
        SQLite the writer already holds the whole database): concurrent logins claim their
        checks one after the other."""
        row = self._c.execute(
            select(t.admin_users).where(t.admin_users.c.username == username).with_for_update()
        ).first()
        return None if row is None else (_user(row), row.password_hash)

    def record_login(
        self, user_id: str, password_hash: str, at: datetime, new_hash: str | None = None
    ) -> bool:
        """Clears the failures of a user who logged in, when their password and status are still
        those checked; False when the password was changed or the user disabled meanwhile."""
        table = t.admin_users
        values: dict[str, Any] = {"failed_logins": 0, "locked_until": None, "last_login_at": at}
        if new_hash is not None:
            values["password_hash"] = new_hash
        changed = self._c.execute(
            update(table)
            .where(
                table.c.id == user_id,
                table.c.password_hash == password_hash,
                table.c.disabled_at.is_(None),
            )
            .values(**values)
        )
        return changed.rowcount == 1

    # sessions ---------------------------------------------------------------------------------

    def add_session(self, session: StoredSession) -> None:
        self._c.execute(insert(t.admin_sessions).values(**vars(session)))

    def session(self, token_sha256: str) -> StoredSession | None:
        row = self._c.execute(
            select(t.admin_sessions).where(t.admin_sessions.c.token_sha256 == token_sha256)
        ).first()
        return None if row is None else StoredSession(**row._asdict())

    def touch_session(self, token_sha256: str, at: datetime) -> None:
        self._c.execute(
            update(t.admin_sessions)
            .where(t.admin_sessions.c.token_sha256 == token_sha256)
            .values(last_seen_at=at)
        )

    def revoke_sessions(
        self, at: datetime, *, token_sha256: str | None = None, user_id: str = ""
    ) -> int:
        """Revokes one session, or every live session of a user."""
        table = t.admin_sessions
        where: list[ColumnElement[bool]] = [table.c.revoked_at.is_(None)]
        where.append(
            table.c.token_sha256 == token_sha256 if token_sha256 else table.c.user_id == user_id
        )
        return self._c.execute(update(table).where(*where).values(revoked_at=at)).rowcount

    # subject access log -----------------------------------------------------------------------

    def log_access(self, record: AccessRecord) -> None:
        self._c.execute(insert(t.subject_access_log).values(**vars(record)))

    def access_log(
        self, *, subject_id: str | None, before: datetime | None, limit: int
    ) -> list[AccessRecord]:
        table = t.subject_access_log
        query = select(table).order_by(table.c.at.desc(), table.c.id.desc()).limit(limit)
        if subject_id is not None:
            query = query.where(table.c.subject_id == subject_id)
        if before is not None:
            query = query.where(table.c.at < before)
        return [
            AccessRecord(r.id, r.user_id, r.username, r.subject_id, r.what, r.at)
            for r in self._c.execute(query)
        ]

    # ledger verifications ---------------------------------------------------------------------

    def add_verification(self, verification: Verification) -> None:
        self._c.execute(insert(t.ledger_verifications).values(**vars(verification)))

    def last_verification(self) -> Verification | None:
        table = t.ledger_verifications
        row = self._c.execute(select(table).order_by(table.c.verified_at.desc()).limit(1)).first()
        return None if row is None else Verification(**row._asdict())

    def count_users(self) -> int:
        return int(self._c.execute(select(func.count()).select_from(t.admin_users)).scalar_one())


def _user(row: Row[Any]) -> AdminUser:
    return AdminUser(
        id=row.id,
        username=row.username,
        role=Role(row.role),
        created_at=row.created_at,
        failed_logins=row.failed_logins,
        locked_until=row.locked_until,
        disabled_at=row.disabled_at,
        last_login_at=row.last_login_at,
    )
