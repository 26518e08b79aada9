"""`trustguardian users ...`: the people who sign in to the web console."""

from __future__ import annotations

import sys

import typer

from trustguardian.cli.common import JSON, console, context, rows_out
from trustguardian.domain.roles import PERMISSIONS, Role
from trustguardian.service.access import users as service

users = typer.Typer(no_args_is_help=True)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    entered: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return entered


@users.command("create")
def create(
    typer_ctx: typer.Context,
    username: str = typer.Argument(..., help="The login name."),
    role: Role = typer.Option(..., "--role", help="dpo, legal, marketing, ict or auditor."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from the first line of stdin."
    ),
) -> None:
    """Create a console user (asks for the password; only its argon2 hash is kept)."""
    # Often the first command after an upgrade, before `serve`: it migrates as `serve` does.
    ctx = context(typer_ctx, migrated=False)
    user = service.create_user(
        ctx, username=username, password=_password(password_stdin), role=role
    )
    console.print(f"Created user [bold]{user.username}[/] with role {user.role.value}.")


@users.command("list")
def list_users(typer_ctx: typer.Context, as_json: bool = JSON) -> None:
    """List console users with their role and lock-out state."""
    rows_out(
        as_json,
        "Console users",
        ["username", "role", "created", "last login", "failed logins", "locked until", "disabled"],
        [
            (
                u.username,
                u.role.value,
                u.created_at,
                u.last_login_at,
                u.failed_logins,
                u.locked_until,
                u.disabled_at,
            )
            for u in service.list_users(context(typer_ctx))
        ],
    )


@users.command("password")
def password(
    typer_ctx: typer.Context,
    username: str = typer.Argument(...),
    password_stdin: bool = typer.Option(False, "--password-stdin"),
) -> None:
    """Set a user's password (their open sessions are closed)."""
    service.set_password(context(typer_ctx), username=username, password=_password(password_stdin))
    console.print(f"Password of {username} changed; their sessions are closed.")


@users.command("unlock")
def unlock(typer_ctx: typer.Context, username: str = typer.Argument(...)) -> None:
    """Lift a lock-out after repeated failed logins."""
    service.unlock_user(context(typer_ctx), username=username)
    console.print(f"Unlocked {username}.")


@users.command("disable")
def disable(typer_ctx: typer.Context, username: str = typer.Argument(...)) -> None:
    """Disable a user at once (sessions closed, login refused)."""
    service.disable_user(context(typer_ctx), username=username)
    console.print(f"Disabled {username}.")


@users.command("role")
def role(
    typer_ctx: typer.Context,
    username: str = typer.Argument(...),
    new_role: Role = typer.Argument(
        ..., metavar="ROLE", help="dpo, legal, marketing, ict, auditor."
    ),
) -> None:
    """Give a user another role (their open sessions are closed)."""
    service.set_role(context(typer_ctx), username=username, role=new_role)
    console.print(f"{username} now has the role {new_role.value}; their sessions are closed.")


@users.command("roles")
def roles(as_json: bool = JSON) -> None:
    """Show what each role may see and do."""
    rows_out(
        as_json,
        "Roles",
        ["role", "permissions"],
        [(r.value, sorted(p.value for p in PERMISSIONS[r])) for r in Role],
    )
