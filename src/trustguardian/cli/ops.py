"""`trustguardian backup` and `trustguardian restore`."""

from __future__ import annotations

from pathlib import Path

import typer

from trustguardian.cli.common import JSON, console, context, print_json, settings_of
from trustguardian.ledger import Verifier
from trustguardian.service.ops import backup as backups
from trustguardian.service.ops.binding import open_for_restore


def backup(
    typer_ctx: typer.Context,
    out: Path | None = typer.Option(None, "--out", help="The backup file to write."),
    # The file was first given as an argument: `backup FILE` keeps working, unlisted.
    given: Path | None = typer.Argument(None, hidden=True, metavar="[FILE]"),
    as_json: bool = JSON,
) -> None:
    """Write a signed, hashed backup of the database (consistent while servers run)."""
    if out and given and out != given:
        raise typer.BadParameter("give the file once, with --out", param_hint="--out")
    out = out or given
    if out is None:
        raise typer.BadParameter("give the file to write", param_hint="--out")
    manifest = backups.backup(context(typer_ctx), out)
    if as_json:
        print_json({"out": str(out), **manifest.as_json()})
        return
    console.print(
        f"Backup written to {out}: {manifest.backend}, ledger tree size {manifest.tree_size}, "
        f"{manifest.payload_bytes} bytes, sha256 {manifest.payload_sha256[:16]}...",
        highlight=False,
    )


def restore(
    typer_ctx: typer.Context,
    source: Path = typer.Argument(..., exists=True, dir_okay=False, help="The backup file."),
    force: bool = typer.Option(
        False, "--force", help="Replace a database that is not empty (stop the servers first)."
    ),
    verifier_key: list[str] = typer.Option(
        [], "--verifier-key", help="Also accept a backup signed by this public key."
    ),
) -> None:
    """Restore a backup into the configured database, refusing one changed byte."""
    ctx = open_for_restore(settings_of(typer_ctx))
    try:
        manifest = backups.restore(
            ctx, source, force=force, extra=[Verifier.parse(v) for v in verifier_key]
        )
    finally:
        ctx.engine.dispose()
    console.print(
        f"Restored {source}: ledger tree size {manifest.tree_size}, taken {manifest.created_at}. "
        "Run `trustguardian verify` to check it.",
        highlight=False,
    )
