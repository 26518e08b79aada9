"""`trustguardian collect ...` (confirmation settings, publishable keys) and
`trustguardian import consents` (legacy CSV exports)."""

from __future__ import annotations

import csv
import getpass
from pathlib import Path

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from trustguardian.cli.common import JSON, console, context, print_json, record_out, rows_out, table
from trustguardian.cli.import_sources import source_app
from trustguardian.domain.collect import Confirmation
from trustguardian.service.collect import admin as collect_admin
from trustguardian.service.collect.import_mapping import load_mapping
from trustguardian.service.collect.legacy_import import ImportReport, import_consents

collect_app = typer.Typer(no_args_is_help=True)
keys_app = typer.Typer(no_args_is_help=True)
import_app = typer.Typer(no_args_is_help=True)
collect_app.add_typer(keys_app, name="keys", help="Publishable keys for web pages.")
import_app.add_typer(source_app, name="source", help="The files imports read, as evidence.")
SHOWN_REJECTIONS = 50


@collect_app.command("configure")
def configure(
    typer_ctx: typer.Context,
    touchpoint: str = typer.Argument(..., help="A collect touchpoint's key."),
    confirmation: Confirmation = typer.Option(..., help="How consents are confirmed."),
    within_minutes: int | None = typer.Option(None, help="Time to confirm (default by method)."),
    max_attempts: int = typer.Option(5, help="Wrong codes allowed before a request locks."),
    language: str = typer.Option("it", help="Language of messages and pages: it or en."),
    confirmed_by: str | None = typer.Option(
        None,
        help="An external system that confirms the consents (with --confirmation none): the "
        "double opt-in and OTP proofs clients send are recorded as its claims.",
    ),
    as_json: bool = JSON,
) -> None:
    """Require double opt-in or a one-time code for the consents a touchpoint collects."""
    s = collect_admin.configure(
        context(typer_ctx),
        touchpoint=touchpoint,
        confirmation=confirmation,
        within_minutes=within_minutes,
        max_attempts=max_attempts,
        language=language,
        confirmed_by=confirmed_by,
        actor="cli",
    )
    if as_json:
        print_json(
            {
                "touchpoint": touchpoint,
                "confirmation": s.confirmation.value,
                "within_minutes": s.confirm_within_minutes,
                "max_attempts": s.otp_max_attempts,
                "language": s.language,
                "confirmed_by": s.confirmed_by,
            }
        )
        return
    by = f", confirmed by {s.confirmed_by}" if s.confirmed_by else ""
    console.print(
        f"{touchpoint}: {s.confirmation.value}, within {s.confirm_within_minutes} min, "
        f"{s.otp_max_attempts} attempts, {s.language}{by}"
    )


@collect_app.command("show")
def show(typer_ctx: typer.Context, touchpoint: str, as_json: bool = JSON) -> None:
    """Show how a touchpoint confirms its consents."""
    s = collect_admin.get_settings(context(typer_ctx), touchpoint=touchpoint)
    record_out(
        as_json,
        f"Collect settings of {touchpoint}",
        {
            "touchpoint": touchpoint,
            "confirmation": s.confirmation.value,
            "within minutes": s.confirm_within_minutes,
            "max attempts": s.otp_max_attempts,
            "language": s.language,
            "confirmed by": s.confirmed_by or "",
        },
    )


@keys_app.command("create")
def create_key(
    typer_ctx: typer.Context,
    touchpoint: str = typer.Argument(..., help="The collect touchpoint the key writes for."),
    origin: list[str] = typer.Option(..., "--origin", help="An allowed origin (repeatable)."),
    name: str = typer.Option("web form", help="A name to recognise the key by."),
    rate: int = typer.Option(30, help="Requests a minute per client address."),
    as_json: bool = JSON,
) -> None:
    """Create a publishable key (shown once) for a web page's form."""
    key, text = collect_admin.create_publishable_key(
        context(typer_ctx), name=name, touchpoint=touchpoint, origins=origin, rate_per_minute=rate
    )
    if as_json:
        print_json({"id": key.id, "touchpoint": touchpoint, "origins": key.origins, "key": text})
        return
    console.print(f"Publishable key {key.id} for {touchpoint} ({', '.join(key.origins)}):")
    console.print(text, style="bold", highlight=False, soft_wrap=True)


@keys_app.command("list")
def list_keys(typer_ctx: typer.Context, as_json: bool = JSON) -> None:
    """List publishable keys (never their text)."""
    rows_out(
        as_json,
        "Publishable keys",
        ["id", "name", "touchpoint", "origins", "rate/min", "created", "revoked"],
        [
            (
                k.id,
                k.name,
                k.touchpoint_key,
                k.origins,
                k.rate_per_minute,
                k.created_at,
                k.revoked_at,
            )
            for k in collect_admin.list_publishable_keys(context(typer_ctx))
        ],
    )


@keys_app.command("revoke")
def revoke_key(typer_ctx: typer.Context, key_id: str) -> None:
    """Revoke a publishable key at once."""
    collect_admin.revoke_publishable_key(context(typer_ctx), key_id=key_id)
    console.print(f"Publishable key {key_id} revoked.")


@import_app.command("consents")
def import_consents_command(
    typer_ctx: typer.Context,
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="The CSV export."),
    touchpoint: str = typer.Option(..., help="The touchpoint the consents were collected by."),
    mapping: Path = typer.Option(..., "--map", exists=True, dir_okay=False, help="mapping.toml"),
    evidence_dir: Path | None = typer.Option(
        None, exists=True, file_okay=False, help="Where the files named by the rows are."
    ),
    by: str | None = typer.Option(
        None, help="Who runs the import, kept in every event's proof (default: the OS user)."
    ),
    rejected: Path | None = typer.Option(
        None, help="Write every rejected row and why to this CSV (default: FILE.rejected.csv)."
    ),
    batch: int = typer.Option(500, min=1, max=5000, help="Rows per transaction."),
    as_json: bool = JSON,
) -> None:
    """Import consents from a legacy CSV; bad rows are reported, re-runs import nothing twice."""
    ctx = context(typer_ctx)
    rules = load_mapping(mapping)
    columns = [
        TextColumn("importing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    ]
    with Progress(*columns, console=console, disable=as_json) as bar:
        task = bar.add_task("import", total=None)
        report = import_consents(
            ctx,
            path=file,
            touchpoint=touchpoint,
            mapping=rules,
            imported_by=by or getpass.getuser(),
            evidence_dir=evidence_dir,
            batch_rows=batch,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    out = rejected or Path(f"{file.stem}.rejected.csv")
    if as_json:
        print_json(
            {
                "file": str(file),
                "sha256": report.file_sha256,
                "rows": report.rows,
                "imported_rows": report.imported_rows,
                "imported_events": report.imported_events,
                "already_imported": report.already_imported,
                "without_consent": report.empty_rows,
                "rejected": len(report.rejected),
                "rejected_file": str(out) if report.rejected else None,
                "encoding": report.encoding,
                "source_file": report.source_id,
                "findings": [{"line": n, "finding": f} for n, f in report.findings],
            }
        )
    else:
        _print_report(file, report)
    if not report.rejected:
        return
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["line", "why"])
        writer.writerows(sorted(report.rejected))
    if not as_json:
        console.print(f"Every rejected row and why: {out}")
    raise typer.Exit(1)


def _print_report(file: Path, report: ImportReport) -> None:
    table(
        f"Import of {file.name} ({report.encoding}, sha256 {report.file_sha256[:16]}…)",
        ["rows", "imported", "events", "already imported", "without consent", "rejected"],
        [
            (
                report.rows,
                report.imported_rows,
                report.imported_events,
                report.already_imported,
                report.empty_rows,
                len(report.rejected),
            )
        ],
    )
    if report.source_id:
        console.print(f"The file is kept as evidence: source file {report.source_id}.")
    if report.findings:
        table("Imported with a finding", ["line", "finding"], report.findings[:SHOWN_REJECTIONS])
    if not report.rejected:
        return
    table(
        "Rejected rows",
        ["line", "why"],
        sorted(report.rejected)[:SHOWN_REJECTIONS],
    )
    if len(report.rejected) > SHOWN_REJECTIONS:
        console.print(f"… and {len(report.rejected) - SHOWN_REJECTIONS} more.")
