"""Console users on both backends: argon2 hashes, lock-out, sessions, the access log."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from argon2 import Type
from sqlalchemy import func, select

from trustguardian.domain.common import FixedClock
from trustguardian.domain.errors import AlreadyExists, InvalidInput
from trustguardian.domain.roles import Role
from trustguardian.service.access import users
from trustguardian.service.context import Context
from trustguardian.settings import Settings
from trustguardian.store import tables as t

PASSWORD = "correct horse battery staple"


def _count(ctx: Context, table: object) -> int:
    with ctx.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def _at(ctx: Context, delta: timedelta) -> Context:
    return dataclasses.replace(ctx, clock=FixedClock(ctx.clock.now() + delta))


def test_password_is_kept_only_as_an_argon2id_hash(ctx: Context) -> None:
    users.create_user(ctx, username="Alice", password=PASSWORD, role=Role.DPO)
    with ctx.engine.connect() as conn:
        row = conn.execute(select(t.admin_users)).one()
    assert row.username == "alice"
    assert row.password_hash.startswith("$argon2id$")
    assert PASSWORD not in row.password_hash
    session = users.login(ctx, username="alice", password=PASSWORD)
    assert session.user.role is Role.DPO


def test_production_hashes_at_argon2s_default_cost_and_a_cheaper_hash_is_redone_at_login(
    sqlite_ctx: Context,
) -> None:
    production = Settings.model_construct()  # the defaults, whatever the environment says
    hasher = users.password_hasher(production)
    assert (hasher.time_cost, hasher.memory_cost, hasher.parallelism) == (3, 65_536, 4)
    assert hasher.type is Type.ID
    # The suite's cheap cost (tests/conftest.py) is what the settings ask for, nothing else.
    users.create_user(sqlite_ctx, username="alice", password=PASSWORD, role=Role.DPO)
    cheap = sqlite_ctx.settings
    assert cheap.password_memory_kib < production.password_memory_kib
    assert _hash(sqlite_ctx).startswith(
        f"$argon2id$v=19$m={cheap.password_memory_kib},t={cheap.password_time_cost},"
        f"p={cheap.password_parallelism}$"
    )
    upgraded = dataclasses.replace(
        sqlite_ctx,
        settings=cheap.model_copy(
            update={
                name: getattr(production, name)
                for name in ("password_time_cost", "password_memory_kib", "password_parallelism")
            }
        ),
    )
    users.login(upgraded, username="alice", password=PASSWORD)
    assert _hash(sqlite_ctx).startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert users.login(sqlite_ctx, username="alice", password=PASSWORD).user.username == "alice"


def _hash(ctx: Context) -> str:
    with ctx.engine.connect() as conn:
        return str(conn.execute(select(t.admin_users.c.password_hash)).scalar_one())


def test_bad_users_are_refused_and_nothing_is_written(ctx: Context) -> None:
    users.create_user(ctx, username="alice", password=PASSWORD, role=Role.DPO)
    with pytest.raises(AlreadyExists):
        users.create_user(ctx, username="ALICE", password=PASSWORD, role=Role.LEGAL)
    with pytest.raises(InvalidInput):
        users.create_user(ctx, username="bob", password="short", role=Role.LEGAL)
    with pytest.raises(InvalidInput):
        users.create_user(ctx, username="bob", password="aaaaaaaaaaaaaaaa", role=Role.LEGAL)
    with pytest.raises(InvalidInput):
        users.create_user(ctx, username="bob smith", password=PASSWORD, role=Role.LEGAL)
    assert _count(ctx, t.admin_users) == 1


def test_wrong_password_and_unknown_user_get_the_same_answer(ctx: Context) -> None:
    users.create_user(ctx, username="alice", password=PASSWORD, role=Role.DPO)
    with pytest.raises(users.LoginFailed) as wrong:
        users.login(ctx, username="alice", password=PASSWORD + "x")
    with pytest.raises(users.LoginFailed) as unknown:
        users.login(ctx, username="nobody", password=PASSWORD)
    assert wrong.value.detail == unknown.value.detail
    assert _count(ctx, t.admin_sessions) == 0


def test_repeated_failures_lock_the_account_even_for_the_right_password(ctx: Context) -> None:
    users.create_user(ctx, username="alice", password=PASSWORD, role=Role.DPO)
    for _ in range(ctx.settings.console_max_failures):
        with pytest.raises(users.LoginFailed):
            users.login(ctx, username="alice", password="wrong password 123")
    with pytest.raises(users.LoginFailed):
        users.login(ctx, username="alice", password=PASSWORD)
    [user] = users.list_users(ctx)
    assert user.locked_until is not None
    assert user.locked_until > ctx.clock.now()
    # The lock runs out by itself ...
    later = _at(ctx, timedelta(minutes=ctx.settings.console_lockout_minutes, seconds=1))
    assert users.login(later, username="alice", password=PASSWORD).user.username == "alice"


def test_the_dpo_can_lift_a_lock(ctx: Context) -> None:
    users.create_user(ctx, username="alice", password=PASSWORD, role=Role.DPO)
    for _ in range(ctx.settings.console_max_failures):
        with pytest.raises(users.LoginFailed):
            users.login(ctx, username="alice", password="wrong password 123")
    users.unlock_user(ctx, username="alice")
    assert users.login(ctx, username="alice", password=PASSWORD).user.failed_logins == 0


def test_sessions_are_stored_hashed_and_end_on_logout_expiry_idleness_and_disabling(
    ctx: Context,
) -> None:
    users.create_user(ctx, username="alice", password=PASSWORD, role=Role.LEGAL)
    session = users.login(ctx, username="alice", password=PASSWORD)
    with ctx.engine.connect() as conn:
        stored = conn.execute(select(t.admin_sessions)).one()
    assert stored.token_sha256 == users.token_digest(session.token) != session.token
    opened = users.open_session(ctx, token=session.token)
    assert opened is not None
    assert opened.csrf_token == session.csrf_token
    assert users.open_session(ctx, token="forged") is None
    idle = timedelta(minutes=ctx.settings.console_idle_minutes, seconds=1)
    assert users.open_session(_at(ctx, idle), token=session.token) is None
    assert users.open_session(_at(ctx, timedelta(minutes=1)), token=session.token) is not None
    users.logout(ctx, token=session.token)
    assert users.open_session(ctx, token=session.token) is None
    second = users.login(ctx, username="alice", password=PASSWORD)
    users.disable_user(ctx, username="alice")
    assert users.open_session(ctx, token=second.token) is None
    with pytest.raises(users.LoginFailed):
        users.login(ctx, username="alice", password=PASSWORD)


def test_a_session_ends_after_its_lifetime_even_when_used(ctx: Context) -> None:
    users.create_user(ctx, username="alice", password=PASSWORD, role=Role.LEGAL)
    session = users.login(ctx, username="alice", password=PASSWORD)
    step = timedelta(minutes=ctx.settings.console_idle_minutes - 1)
    moment = timedelta()
    while moment + step < timedelta(hours=ctx.settings.console_session_hours):
        moment += step
        assert users.open_session(_at(ctx, moment), token=session.token) is not None
    assert users.open_session(_at(ctx, moment + step), token=session.token) is None


def test_the_access_log_says_who_looked_at_whom_newest_first(ctx: Context) -> None:
    alice = users.create_user(ctx, username="alice", password=PASSWORD, role=Role.LEGAL)
    bob = users.create_user(ctx, username="bob", password=PASSWORD, role=Role.MARKETING)
    users.log_subject_view(ctx, user=alice, subject_id="sub_aa", what="timeline")
    users.log_subject_view(_at(ctx, timedelta(seconds=5)), user=bob, subject_id="sub_bb", what="x")
    users.log_subject_view(_at(ctx, timedelta(seconds=9)), user=bob, subject_id="sub_aa", what="y")
    log = users.access_log(ctx)
    assert [(r.username, r.subject_id, r.what) for r in log] == [
        ("bob", "sub_aa", "y"),
        ("bob", "sub_bb", "x"),
        ("alice", "sub_aa", "timeline"),
    ]
    assert [r.username for r in users.access_log(ctx, subject_id="sub_aa")] == ["bob", "alice"]


def test_the_last_verification_is_remembered(ctx: Context) -> None:
    assert users.last_verification(ctx) is None
    users.record_verification(ctx, tree_size=10, problems=0, by="cli")
    users.record_verification(_at(ctx, timedelta(seconds=1)), tree_size=12, problems=2, by="alice")
    last = users.last_verification(ctx)
    assert last is not None
    assert (last.tree_size, last.ok, last.by) == (12, False, "alice")
