"""`trustguardian users ...` and `verify` as a new user runs them, on both backends."""

from __future__ import annotations

import contextlib
import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.engage.server import env_for
from tests.factories import cli

from trustguardian.service.access import users
from trustguardian.service.context import Context
from trustguardian.store import tables as t

PASSWORD = "a long pass phrase 42"


def tg(ctx: Context, cwd: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return cli.tg(
        *args, input=stdin, env={**os.environ, **env_for(ctx.settings), "COLUMNS": "200"}, cwd=cwd
    )


def test_users_are_created_listed_and_refused_from_the_command_line(
    ctx: Context, tmp_path: Path
) -> None:
    made = tg(
        ctx,
        tmp_path,
        "users",
        "create",
        "Anna",
        "--role",
        "dpo",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert made.returncode == 0, made.stderr
    assert "Created user anna with role dpo" in made.stdout
    assert PASSWORD not in made.stdout + made.stderr
    assert users.login(ctx, username="anna", password=PASSWORD).user.role.value == "dpo"

    again = tg(
        ctx,
        tmp_path,
        "users",
        "create",
        "anna",
        "--role",
        "legal",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert again.returncode == 2
    assert "already exists" in again.stderr
    weak = tg(
        ctx,
        tmp_path,
        "users",
        "create",
        "bruno",
        "--role",
        "legal",
        "--password-stdin",
        stdin="short\n",
    )
    assert weak.returncode == 2
    assert "password" in weak.stderr
    bad_role = tg(
        ctx,
        tmp_path,
        "users",
        "create",
        "carla",
        "--role",
        "boss",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert bad_role.returncode != 0
    with ctx.engine.connect() as conn:
        assert conn.execute(select(t.admin_users.c.username)).scalars().all() == ["anna"]

    listed = tg(ctx, tmp_path, "users", "list")
    assert "anna" in listed.stdout
    assert "dpo" in listed.stdout
    roles = tg(ctx, tmp_path, "users", "roles")
    assert "auditor" in roles.stdout
    assert "evidence:view" in roles.stdout


def test_unlock_and_disable_from_the_command_line(ctx: Context, tmp_path: Path) -> None:
    tg(
        ctx,
        tmp_path,
        "users",
        "create",
        "anna",
        "--role",
        "legal",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    for _ in range(ctx.settings.console_max_failures):
        with contextlib.suppress(users.LoginFailed):
            users.login(ctx, username="anna", password="not the password")
    with pytest.raises(users.LoginFailed):
        users.login(ctx, username="anna", password=PASSWORD)  # locked
    assert tg(ctx, tmp_path, "users", "unlock", "anna").returncode == 0
    session = users.login(ctx, username="anna", password=PASSWORD)
    moved = tg(ctx, tmp_path, "users", "role", "anna", "ict")
    assert moved.returncode == 0, moved.stderr
    assert users.open_session(ctx, token=session.token) is None
    assert [u.role.value for u in users.list_users(ctx) if u.username == "anna"] == ["ict"]
    wrong = tg(ctx, tmp_path, "users", "role", "anna", "boss")
    assert wrong.returncode == 2
    assert "Traceback" not in wrong.stderr
    session = users.login(ctx, username="anna", password=PASSWORD)
    assert tg(ctx, tmp_path, "users", "disable", "anna").returncode == 0
    assert users.open_session(ctx, token=session.token) is None
    assert tg(ctx, tmp_path, "users", "unlock", "nobody").returncode == 2


def test_a_verification_from_the_command_line_is_remembered(ctx: Context, tmp_path: Path) -> None:
    assert users.last_verification(ctx) is None
    ran = tg(ctx, tmp_path, "verify")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    last = users.last_verification(ctx)
    assert last is not None
    assert (last.ok, last.by, last.tree_size) == (True, "cli", 0)
