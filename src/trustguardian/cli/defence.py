"""`trustguardian defence ...` and `trustguardian hold ...`: the proofs an erasure keeps for
legal defence, opened only by the DPO, destroyed when their retention ends unless held."""

from __future__ import annotations

import typer

from trustguardian.cli.common import JSON, console, context, print_json, rows_out
from trustguardian.service.access.access_log import cli_reader
from trustguardian.service.defence import holds as hold_service
from trustguardian.service.defence import purge as purge_service
from trustguardian.service.defence import reading

defence = typer.Typer(no_args_is_help=True)
hold = typer.Typer(no_args_is_help=True)

BY = typer.Option(..., "--by", help="The console user acting (a DPO to open copies).")
REASON = typer.Option(..., "--reason", help="Why (kept in the log; the ledger holds its hash).")


@defence.command("open")
def open_copy(
    typer_ctx: typer.Context, subject_id: str, by: str = BY, reason: str = REASON
) -> None:
    """Open an erased subject's defence copy (DPO only; logged and recorded in the ledger)."""
    opened = reading.open_defence_copy(
        context(typer_ctx), subject_id=subject_id, by=by, reason=reason, via=cli_reader()
    )
    print_json(opened.as_json())


@defence.command("purge")
def purge(typer_ctx: typer.Context, as_json: bool = JSON) -> None:
    """Destroy the defence copies past their retention that no legal hold covers."""
    report = purge_service.purge_defence_copies(context(typer_ctx))
    if as_json:
        print_json({"destroyed": list(report.destroyed), "held": report.held})
        return
    console.print(f"{len(report.destroyed)} defence copies destroyed.")
    for subject_id, holds in sorted(report.held.items()):
        console.print(f"{subject_id}: kept by legal hold {', '.join(holds)}")


@hold.command("place")
def place(
    typer_ctx: typer.Context,
    subject: str | None = typer.Option(None, "--subject", help="The subject held."),
    touchpoint: str | None = typer.Option(None, "--touchpoint", help="The touchpoint held."),
    reason: str = REASON,
    by: str = BY,
) -> None:
    """Place a legal hold on a subject or a touchpoint: their proofs outlive their retention."""
    placed = hold_service.place_legal_hold(
        context(typer_ctx), reason=reason, by=by, subject_id=subject, touchpoint=touchpoint
    )
    console.print(f"Legal hold [bold]{placed.id}[/] placed.")


@hold.command("release")
def release(typer_ctx: typer.Context, hold_id: str, by: str = BY) -> None:
    """Release a legal hold (the next purge destroys what is past its retention)."""
    released = hold_service.release_legal_hold(context(typer_ctx), hold_id=hold_id, by=by)
    console.print(f"Legal hold [bold]{released.id}[/] released.")


@hold.command("list")
def list_holds(
    typer_ctx: typer.Context,
    standing: bool = typer.Option(False, "--standing", help="Only the holds still standing."),
    as_json: bool = JSON,
) -> None:
    """List legal holds."""
    holds = hold_service.list_legal_holds(context(typer_ctx), standing_only=standing)
    rows_out(
        as_json,
        "Legal holds",
        ["id", "subject", "touchpoint", "placed by", "placed at", "released by", "released at"],
        [
            (h.id, h.subject_id, h.touchpoint, h.placed_by, h.placed_at, h.released_by,
             h.released_at)
            for h in holds
        ],
    )  # fmt: skip
