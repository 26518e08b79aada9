"""`trustguardian import source list` and `trustguardian import source show ID --out FILE`: the
files legacy imports read, and one rebuilt from the rows its people's keys still open."""

from __future__ import annotations

from pathlib import Path

import typer

from trustguardian.cli.common import JSON, console, context, print_json, rows_out
from trustguardian.domain.events import timestamp
from trustguardian.service.access.access_log import cli_reader
from trustguardian.service.collect.source_file import list_sources, rebuild_source

source_app = typer.Typer(no_args_is_help=True)


@source_app.command("list")
def list_command(typer_ctx: typer.Context, as_json: bool = JSON) -> None:
    """List the source files imported, each with its SHA-256 and rows."""
    rows_out(
        as_json,
        "Source files",
        ["id", "name", "sha256", "rows", "encoding", "touchpoint", "imported by", "imported at"],
        [
            (s.id, s.name, s.file_sha256, s.rows, s.encoding, s.touchpoint_key, s.imported_by,
             timestamp(s.imported_at))
            for s in list_sources(context(typer_ctx))
        ],
    )  # fmt: skip


@source_app.command("show")
def show_command(
    typer_ctx: typer.Context,
    source_id: str = typer.Argument(..., help="The source file's id (see `import source list`)."),
    out: Path = typer.Option(..., "--out", dir_okay=False, help="Where to write the file."),
    as_json: bool = JSON,
) -> None:
    """Rebuild an imported file: an erased person's row, or one that produced no event, is
    written as its commitment; with none such, the file is the original, byte for byte."""
    rebuilt = rebuild_source(context(typer_ctx), source_id=source_id, reader=cli_reader())
    try:
        out.write_bytes(rebuilt.content)
    except OSError as exc:
        raise typer.BadParameter(f"cannot write {out}: {exc.strerror or exc}") from exc
    source = rebuilt.source
    original = rebuilt.sha256 == source.file_sha256
    if as_json:
        print_json(
            {
                "source_file": source.id,
                "out": str(out),
                "rows": source.rows,
                "withheld": rebuilt.withheld,
                "sha256": rebuilt.sha256,
                "original": original,
            }
        )
        return
    said = (
        "the original file, byte for byte"
        if original
        else f"{len(rebuilt.withheld)} of {source.rows} rows withheld as their commitments"
    )
    console.print(f"Wrote {out} ({source.name}): {said}.")
