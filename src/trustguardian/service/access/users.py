"""Console users: argon2 passwords, waits after repeated failures, sessions, the access log."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from trustguardian.domain.errors import (
    AlreadyExists,
    DomainError,
    FieldError,
    InvalidInput,
    NotFound,
)
from trustguardian.domain.roles import AccessRecord, AdminUser, Role
from trustguardian.service.access.login_throttle import wait_after
from trustguardian.service.context import Context
from trustguardian.service.events.records import record_objects
from trustguardian.settings import Settings
from trustguardian.store.access.admin import StoredSession, Verification
from trustguardian.store.snapshots import ADMIN_USER
from trustguardian.store.uow import UnitOfWork

USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.@-]{1,79}$")
MIN_PASSWORD = 12
MAX_PASSWORD = 1024
# A session's last-seen time is written at most this often, not on every page.
TOUCH_EVERY = timedelta(seconds=60)


class LoginFailed(DomainError):
    """Unknown user, wrong password, disabled or waiting account: one answer for all of them."""

    code = "login-failed"
    title = "Login failed"


@dataclass(frozen=True)
class Session:
    user: AdminUser
    token: str
    csrf_token: str
    expires_at: datetime


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(
    ctx: Context, *, username: str, password: str, role: Role, actor: str = "registry"
) -> AdminUser:
    """Creates a console user; only the argon2 hash of the password is kept."""
    name = _check_username(username)
    _check_password(password)
    user = AdminUser(id=ctx.ids.new_id("usr"), username=name, role=role, created_at=ctx.clock.now())
    hashed = _hashing(ctx)[0].hash(password)  # before the transaction: argon2 takes a while
    with ctx.uow() as uow:
        if uow.admin.user_by_name(name) is not None:
            raise AlreadyExists(
                f"user {name!r} already exists", errors=[FieldError("username", "taken")]
            )
        uow.admin.add_user(user, hashed)
        record_objects(ctx, uow, ADMIN_USER, [user.id], "created", actor)
        uow.commit()
    return user


def list_users(ctx: Context) -> list[AdminUser]:
    with ctx.uow(write=False) as uow:
        return uow.admin.users()


def set_password(ctx: Context, *, username: str, password: str) -> None:
    """Sets a new password and closes the user's sessions."""
    _check_password(password)
    hashed = _hashing(ctx)[0].hash(password)  # before the transaction: argon2 takes a while
    with ctx.uow() as uow:
        user = _get(uow.admin.user_by_name(username), username)
        uow.admin.update_user(user.id, password_hash=hashed)
        uow.admin.revoke_sessions(ctx.clock.now(), user_id=user.id)
        uow.commit()


def unlock_user(ctx: Context, *, username: str) -> None:
    """Lifts a lock-out and forgets the failed attempts."""
    with ctx.uow() as uow:
        user = _get(uow.admin.user_by_name(username), username)
        uow.admin.update_user(user.id, failed_logins=0, locked_until=None)
        uow.commit()


def disable_user(ctx: Context, *, username: str, actor: str = "registry") -> None:
    """Disables a user at once: no login, every open session closed."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        user = _get(uow.admin.user_by_name(username), username)
        uow.admin.update_user(user.id, disabled_at=now)
        uow.admin.revoke_sessions(now, user_id=user.id)
        record_objects(ctx, uow, ADMIN_USER, [user.id], "disabled", actor)
        uow.commit()


def set_role(ctx: Context, *, username: str, role: Role, actor: str = "registry") -> AdminUser:
    """Gives a user another role; their open sessions close, so the new role applies at once."""
    with ctx.uow() as uow:
        user = _get(uow.admin.user_by_name(username), username)
        if user.role is role:
            return user
        uow.admin.update_user(user.id, role=role.value)
        uow.admin.revoke_sessions(ctx.clock.now(), user_id=user.id)
        record_objects(ctx, uow, ADMIN_USER, [user.id], "role_changed", actor)
        uow.commit()
    return replace(user, role=role)


def login(ctx: Context, *, username: str, password: str, source: str | None = None) -> Session:
    """Checks a password and opens a session; failures make the account, and the source address
    when given, wait before their next check (service.access.login_throttle).

    Every attempt costs one argon2 verification, and none runs inside a transaction: a short one
    claims the check (counting it as a failure until it succeeds, so concurrent attempts never
    exceed the free ones), the hash is verified, and a second one opens the session. An unknown,
    disabled or waiting account is verified against a dummy hash: the same work, the same answer.
    """
    settings = ctx.settings
    hasher, dummy = _hashing(ctx)
    if source is not None:
        ctx.login_throttle.begin(source, ctx.clock.now(), settings)
    with ctx.login_throttle.turn(source, settings):
        now = ctx.clock.now()
        claimed = _claim(ctx, username.strip().lower(), now)
        against = dummy if claimed is None else claimed[1]
        verified = ctx.login_throttle.check(lambda: _verify(hasher, against, password))
        if not verified or claimed is None:
            raise LoginFailed("wrong username or password")
        user, hashed = claimed
        new_hash = None
        if hasher.check_needs_rehash(hashed):
            new_hash = ctx.login_throttle.check(lambda: hasher.hash(password))
    with ctx.uow() as uow:
        if not uow.admin.record_login(user.id, hashed, now, new_hash):
            raise LoginFailed("wrong username or password")  # changed or disabled meanwhile
        session = start_session(ctx, uow, user, now)
        uow.commit()
    if source is not None:
        ctx.login_throttle.succeeded(source, settings)
    return session


def start_session(ctx: Context, uow: UnitOfWork, user: AdminUser, now: datetime) -> Session:
    """Stores a new session for a user who just proved who they are (only its token's digest
    is kept) and returns it; the caller commits."""
    token = secrets.token_urlsafe(32)
    expires = now + timedelta(hours=ctx.settings.console_session_hours)
    csrf = secrets.token_urlsafe(32)
    stored = StoredSession(token_digest(token), user.id, csrf, now, now, expires, None)
    uow.admin.add_session(stored)
    return Session(
        replace(user, failed_logins=0, locked_until=None, last_login_at=now), token, csrf, expires
    )


def open_session(ctx: Context, *, token: str) -> Session | None:
    """The live session a cookie names (None when unknown, revoked, expired or idle too long)."""
    now = ctx.clock.now()
    digest = token_digest(token)
    with ctx.uow(write=False) as uow:
        stored = uow.admin.session(digest)
        user = None if stored is None else uow.admin.user(stored.user_id)
    if stored is None or user is None or stored.revoked_at is not None:
        return None
    idle = timedelta(minutes=ctx.settings.console_idle_minutes)
    if now >= stored.expires_at or now - stored.last_seen_at > idle or user.disabled_at:
        return None
    if now - stored.last_seen_at > TOUCH_EVERY:
        with ctx.uow() as uow:
            uow.admin.touch_session(digest, now)
            uow.commit()
    return Session(user, token, stored.csrf_token, stored.expires_at)


def logout(ctx: Context, *, token: str) -> None:
    with ctx.uow() as uow:
        uow.admin.revoke_sessions(ctx.clock.now(), token_sha256=token_digest(token))
        uow.commit()


def log_subject_view(ctx: Context, *, user: AdminUser, subject_id: str, what: str) -> None:
    """Records that a user looked at a person's data (committed before the page is sent)."""
    record = AccessRecord(
        id=ctx.ids.new_id("acc"),
        user_id=user.id,
        username=user.username,
        subject_id=subject_id,
        what=what,
        at=ctx.clock.now(),
    )
    with ctx.uow() as uow:
        uow.admin.log_access(record)
        uow.commit()


def access_log(
    ctx: Context, *, subject_id: str | None = None, before: datetime | None = None, limit: int = 100
) -> list[AccessRecord]:
    """Who looked at whose data, newest first."""
    with ctx.uow(write=False) as uow:
        return uow.admin.access_log(subject_id=subject_id, before=before, limit=limit)


def record_verification(ctx: Context, *, tree_size: int, problems: int, by: str) -> Verification:
    """Keeps the outcome of a full ledger verification (the dashboard shows the last one)."""
    verification = Verification(
        id=ctx.ids.new_id("ver"),
        verified_at=ctx.clock.now(),
        tree_size=tree_size,
        ok=problems == 0,
        problems=problems,
        by=by,
    )
    with ctx.uow() as uow:
        uow.admin.add_verification(verification)
        uow.commit()
    return verification


def last_verification(ctx: Context) -> Verification | None:
    with ctx.uow(write=False) as uow:
        return uow.admin.last_verification()


def password_hasher(settings: Settings) -> PasswordHasher:
    """The argon2id hasher the settings ask for (argon2-cffi's default cost unless lowered)."""
    return _at_cost(
        settings.password_time_cost, settings.password_memory_kib, settings.password_parallelism
    )[0]


def _hashing(ctx: Context) -> tuple[PasswordHasher, str]:
    """The hasher, and a hash it made of a random password (verified against when no account
    may be tried, so that costs as long as a wrong password)."""
    s = ctx.settings
    return _at_cost(s.password_time_cost, s.password_memory_kib, s.password_parallelism)


@cache
def _at_cost(time_cost: int, memory_kib: int, parallelism: int) -> tuple[PasswordHasher, str]:
    # Made on first use per cost, not at import: the CLI and tests pay for it only if they log in.
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)
    return hasher, hasher.hash(secrets.token_urlsafe(16))


def _claim(ctx: Context, username: str, now: datetime) -> tuple[AdminUser, str] | None:
    """The user and hash a login may check now, the attempt counted as a failure (and the next
    check made to wait when it is one too many); None when no account may be tried."""
    with ctx.uow() as uow:
        found = uow.admin.user_for_login(username)
        if found is None or not _may_try(found[0], now):
            return None
        failures = found[0].failed_logins + 1
        wait = wait_after(failures, ctx.settings.console_max_failures, ctx.settings)
        until = now + wait if wait else None
        uow.admin.update_user(found[0].id, failed_logins=failures, locked_until=until)
        uow.commit()
    return found


def _may_try(user: AdminUser, now: datetime) -> bool:
    """Whether a login may check this user's password now (enabled, and not waiting)."""
    return user.disabled_at is None and (user.locked_until is None or user.locked_until <= now)


def _verify(hasher: PasswordHasher, hashed: str, password: str) -> bool:
    try:
        return hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def _check_username(username: str) -> str:
    name = username.strip().lower()
    if not USERNAME.fullmatch(name):
        raise InvalidInput(
            f"username {username!r} is not valid",
            errors=[
                FieldError("username", "2-80 of a-z 0-9 _ . @ - starting with a letter or digit")
            ],
        )
    return name


def _check_password(password: str) -> None:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidInput(
            "password too short or too long",
            errors=[FieldError("password", f"{MIN_PASSWORD} to {MAX_PASSWORD} characters")],
        )
    if len(set(password)) < 5:
        raise InvalidInput(
            "password too simple",
            errors=[FieldError("password", "use at least 5 different characters")],
        )


def _get(found: tuple[AdminUser, str] | None, username: str) -> AdminUser:
    if found is None:
        raise NotFound(f"no user {username!r}")
    return found[0]
