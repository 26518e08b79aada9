"""The root of the command tree: its options, shared by the whole tree and by a lone group."""

from __future__ import annotations

from pathlib import Path

import typer

from trustguardian.settings import Settings

HELP = "Trust Guardian: consents, privacy events and their proofs in a tamper-evident ledger."


def new_app() -> typer.Typer:
    """A command tree with the root options and no commands yet."""
    app = typer.Typer(
        name="trustguardian",
        help=HELP,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )
    app.callback(help=HELP)(root)
    return app


def root(
    typer_ctx: typer.Context,
    database_url: str | None = typer.Option(
        None,
        "--database-url",
        envvar="TRUSTGUARDIAN_DATABASE_URL",
        help="SQLite or PostgreSQL URL.",
    ),
    keys_file: Path | None = typer.Option(
        None,
        "--keys-file",
        envvar="TRUSTGUARDIAN_KEYS_FILE",
        help="Where the instance keys are kept.",
    ),
) -> None:
    """Trust Guardian: consents, privacy events and their proofs in a tamper-evident ledger."""
    overrides: dict[str, object] = {}
    if database_url:
        overrides["database_url"] = database_url
    if keys_file:
        overrides["keys_file"] = keys_file
    typer_ctx.obj = {"settings": Settings(**overrides)}  # type: ignore[arg-type]
