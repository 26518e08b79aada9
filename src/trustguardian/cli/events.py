"""`trustguardian events import` and `trustguardian subjects ...`."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import typer
from pydantic import ValidationError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from trustguardian.api.event_schemas import EventCreate
from trustguardian.api.events import to_draft
from trustguardian.cli.common import JSON, console, context, print_json, table
from trustguardian.cli.rights_effects import erasure_systems
from trustguardian.domain.errors import DomainError, FieldError, InvalidInput
from trustguardian.service.access.access_log import cli_reader
from trustguardian.service.context import Context
from trustguardian.service.events.recording import record_events
from trustguardian.service.events.subjects import get_subject
from trustguardian.service.rights.erasure import erase_subject

events = typer.Typer(no_args_is_help=True)
subjects = typer.Typer(no_args_is_help=True)


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                yield number, line


@events.command("import")
def import_events(
    typer_ctx: typer.Context,
    file: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="JSON Lines, one event per line."
    ),
    batch_size: int = typer.Option(
        5000,
        min=1,
        max=10_000,
        # A transaction rewrites every index page its events touch: bigger batches share them
        # (on SQLite, 100k events: 6.3k events/s in batches of 1,000, 8.8k in batches of 5,000).
        help="Events per transaction.",
    ),
    as_json: bool = JSON,
) -> None:
    """Import events from a JSON Lines file, a batch per transaction; safe to re-run after a crash.

    A line without an idempotency_key gets one derived from its content, so re-running the same
    file after an interruption records each line exactly once.
    """
    ctx = context(typer_ctx)
    total = sum(1 for _ in _lines(file))
    done = 0
    columns = [TextColumn("importing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()]
    with Progress(*columns, console=console, disable=as_json) as bar:
        task = bar.add_task("import", total=total)
        batch: list[tuple[int, bytes]] = []
        for item in _lines(file):
            batch.append(item)
            if len(batch) == batch_size:
                done += _import_batch(ctx, batch, quiet=as_json)
                bar.update(task, completed=done)
                batch = []
        if batch:
            done += _import_batch(ctx, batch, quiet=as_json)
            bar.update(task, completed=done)
    if as_json:
        print_json({"file": str(file), "imported": done})
    else:
        console.print(f"Imported {done} events from {file}.")


def _import_batch(ctx: Context, batch: list[tuple[int, bytes]], *, quiet: bool = False) -> int:
    drafts = []
    errors: list[FieldError] = []
    for number, line in batch:
        try:
            body = EventCreate.model_validate_json(line)
        except ValidationError as exc:
            errors.extend(
                FieldError(f"line {number}.{'.'.join(map(str, e['loc']))}", e["msg"])
                for e in exc.errors()
            )
            continue
        if body.idempotency_key is None:
            key = "import:" + hashlib.sha256(line.strip()).hexdigest()
            body = body.model_copy(update={"idempotency_key": key})
        try:
            drafts.append(to_draft(ctx, body, number))
        except DomainError as exc:
            errors.extend(FieldError(f"line {number}: {e.loc}", e.msg) for e in exc.errors)
    if errors:
        raise InvalidInput(
            f"lines {batch[0][0]}-{batch[-1][0]} hold invalid events; nothing of them was recorded",
            errors=errors,
        )
    try:
        # Whoever runs the command holds the database: they may correct any touchpoint's event,
        # giving a correction_reason that the leaf records with their name.
        recorded = record_events(ctx, drafts=drafts, corrector=cli_reader())
    except DomainError as exc:
        first = batch[0][0]
        raise type(exc)(f"lines {first}-{batch[-1][0]}: {exc.detail}", errors=exc.errors) from exc
    if not quiet:
        console.print(f"committed lines {batch[0][0]}-{batch[-1][0]}", highlight=False, style="dim")
    return len(recorded)


@subjects.command("show")
def show(typer_ctx: typer.Context, subject_id: str, as_json: bool = JSON) -> None:
    """Show a subject's identifiers (this read of personal data is an admin's act)."""
    view = get_subject(context(typer_ctx), subject_id=subject_id)
    if as_json:
        print_json(
            {
                "subject_id": subject_id,
                "erased": view.subject.shredded,
                "identifiers": [
                    {"kind": i.kind, "system": i.system, "value": i.value} for i in view.identifiers
                ],
            }
        )
        return
    table(
        f"Subject {subject_id}" + (" (erased)" if view.subject.shredded else ""),
        ["kind", "system", "value"],
        [
            (i.kind, i.system, i.value if i.value is not None else "\\[erased]")
            for i in view.identifiers
        ],
    )


@subjects.command("erase")
def erase(
    typer_ctx: typer.Context,
    subject_id: str,
    yes: bool = typer.Option(False, "--yes", help="Confirm: this cannot be undone."),
    touchpoint: str | None = typer.Option(
        None, "--touchpoint", help="The Right touchpoint recording it (default: the rights desk)."
    ),
    actor: str = typer.Option("cli", "--actor", help="Who erases (recorded as the operator)."),
    as_json: bool = JSON,
) -> None:
    """Crypto-shred a subject: data and evidence become unreadable; the ledger still verifies."""
    if not yes:
        console.print("Erasure cannot be undone; add --yes to confirm.")
        raise typer.Exit(2)
    ctx = context(typer_ctx)
    report = erase_subject(
        ctx,
        subject_id=subject_id,
        touchpoint=touchpoint or ctx.settings.rights_touchpoint,
        actor=actor,
    )
    if as_json:
        print_json(
            {
                "subject_id": subject_id,
                "event_id": report.event_id,
                "systems": [
                    {"key": s.key, "name": s.name, "reasons": list(s.reasons)}
                    for s in report.systems
                ],
            }
        )
        return
    console.print(
        f"Subject {subject_id} erased: key destroyed, identifiers kept only as keyed hashes; "
        f"event {report.event_id} tells connected systems."
    )
    erasure_systems(report.systems)
