"""`trustguardian keys ...`."""

from __future__ import annotations

import typer

from trustguardian.cli.common import JSON, console, context, print_json, rows_out
from trustguardian.domain.access import Scope
from trustguardian.service.access import api_keys as access

keys = typer.Typer(no_args_is_help=True)


@keys.command("create")
def create(
    typer_ctx: typer.Context,
    scope: list[Scope] = typer.Option(..., "--scope", help="Repeat for each scope."),
    name: str = typer.Option("cli key", "--name", help="What the key is for."),
    touchpoint: str | None = typer.Option(
        None, "--touchpoint", help="Bind the key to one touchpoint."
    ),
    system: str | None = typer.Option(
        None,
        "--system",
        help="A company system's key: what it records is attributed to it, never echoed back.",
    ),
    as_json: bool = JSON,
) -> None:
    """Create an API key and print it once (only its hash is stored)."""
    key, token = access.create_api_key(
        context(typer_ctx), name=name, scopes=scope, touchpoint_key=touchpoint, system_key=system
    )
    if as_json:
        print_json(
            {"id": key.id, "scopes": sorted(key.scopes), "system": key.system_key, "token": token}
        )
        return
    console.print(f"Created key [bold]{key.id}[/] with scopes {', '.join(sorted(key.scopes))}.")
    console.print("Store it now; it will not be shown again:")
    typer.echo(token)


@keys.command("list")
def list_keys(typer_ctx: typer.Context, as_json: bool = JSON) -> None:
    """List API keys (never their secrets)."""
    rows = access.list_api_keys(context(typer_ctx))
    rows_out(
        as_json,
        "API keys",
        ["id", "name", "scopes", "touchpoint", "system", "created", "revoked"],
        [
            (
                k.id,
                k.name,
                sorted(k.scopes),
                k.touchpoint_key,
                k.system_key,
                k.created_at,
                k.revoked_at,
            )
            for k in rows
        ],
    )


@keys.command("revoke")
def revoke(
    typer_ctx: typer.Context, key_id: str = typer.Argument(..., help="The key's id.")
) -> None:
    """Revoke an API key at once."""
    access.revoke_api_key(context(typer_ctx), key_id=key_id)
    console.print(f"Revoked key {key_id}.")
