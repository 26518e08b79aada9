"""The root of the command tree: its options, shared by every command."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from trustguardian.cli import failure

HELP = "Trust Guardian: consents, privacy events and their proofs in a tamper-evident ledger."


def new_app(group: type[TyperGroup] | None = None) -> typer.Typer:
    """A command tree with the root options and no commands yet (`group` lists them)."""
    app = typer.Typer(
        name="trustguardian",
        help=HELP,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
        cls=group,
    )
    app.callback(help=HELP)(root)
    return app


def _version(value: bool) -> None:
    if not value:
        return
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("trustguardian")
    except PackageNotFoundError:  # run from a source tree that was never installed
        from trustguardian import __version__ as found
    typer.echo(f"trustguardian {found}")
    raise typer.Exit()


def _debug(value: bool) -> bool:
    failure.run.debug = value
    return value


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
    debug: bool = typer.Option(
        False,
        "--debug",
        envvar="TRUSTGUARDIAN_DEBUG",
        is_eager=True,
        callback=_debug,
        help="Show the traceback of an error, not only its one-line explanation.",
    ),
    version: bool = typer.Option(
        False,
        "--version",
        is_eager=True,
        callback=_version,
        help="Print the version and exit.",
    ),
) -> None:
    """Trust Guardian: consents, privacy events and their proofs in a tamper-evident ledger."""
    # Imported here, not at the top: `--help` and `--version` need no settings.
    from trustguardian.settings import Settings

    failure.run.database_url = database_url
    failure.run.keys_file = str(keys_file) if keys_file else None
    overrides: dict[str, Any] = {}
    if database_url:
        overrides["database_url"] = database_url
    if keys_file:
        overrides["keys_file"] = keys_file
    settings = Settings(**overrides)
    failure.run.database_url = settings.database_url
    failure.run.keys_file = str(settings.keys_file)
    typer_ctx.obj = {"settings": settings}
