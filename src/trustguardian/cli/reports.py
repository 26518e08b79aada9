"""`trustguardian report inspection|register|touchpoint` and `trustguardian export
consent-records`."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path

import typer

from trustguardian.cli.common import JSON, console, context, print_json
from trustguardian.cli.dossier import subject_of
from trustguardian.reports.exports import dpv_records, kantara_receipts
from trustguardian.reports.i18n import Language
from trustguardian.reports.inspection import inspection_report, summary_lines
from trustguardian.reports.register import register_csv, register_pdf
from trustguardian.reports.touchpoint_dossier import touchpoint_report
from trustguardian.service.access.access_log import cli_reader, log_read
from trustguardian.service.accountability.records import (
    processing_register,
    register_header,
    subject_records,
)

report = typer.Typer(no_args_is_help=True)
export = typer.Typer(no_args_is_help=True)


LANG = typer.Option(Language.EN, "--lang", help="The language: it or en.")


class ExportFormat(StrEnum):
    DPV = "dpv"
    KANTARA = "kantara"


def _day(value: str, option: str) -> datetime:
    try:
        return datetime.combine(date.fromisoformat(value), time(0), tzinfo=UTC)
    except ValueError as exc:
        raise typer.BadParameter("use YYYY-MM-DD", param_hint=option) from exc


@report.command("inspection")
def inspection(
    typer_ctx: typer.Context,
    start: str = typer.Option(..., "--from", help="First day (YYYY-MM-DD, UTC)."),
    end: str = typer.Option(..., "--to", help="Last day, included (YYYY-MM-DD, UTC)."),
    out: Path = typer.Option(..., "--out", help="Where to write the PDF."),
    lang: Language = LANG,
    as_json: bool = JSON,
) -> None:
    """Write the inspection report: census, consents, proofs, sync, ledger integrity."""
    first, last = _day(start, "--from"), _day(end, "--to")
    if last < first:
        raise typer.BadParameter("--to is before --from", param_hint="--to")
    body, figures = inspection_report(
        context(typer_ctx), start=first, end=last + timedelta(days=1), lang=lang.value
    )
    out.write_bytes(body)
    lines = summary_lines(figures, lang.value)
    if as_json:
        print_json({"out": str(out), "bytes": len(body), "summary": lines})
        return
    for line in lines:
        console.print(line)
    console.print(f"inspection report written to {out} ({len(body):,} bytes)")


@report.command("register")
def register(
    typer_ctx: typer.Context,
    out: Path = typer.Option(..., "--out", help="A .csv or .pdf file."),
    lang: Language = LANG,
    as_json: bool = JSON,
) -> None:
    """Write the register of processing activities (GDPR art. 30) as CSV or PDF."""
    if out.suffix.lower() not in (".csv", ".pdf"):
        raise typer.BadParameter("the file must end in .csv or .pdf", param_hint="--out")
    ctx = context(typer_ctx)
    rows = processing_register(ctx)
    body = (
        register_csv(rows, lang.value)
        if out.suffix.lower() == ".csv"
        else register_pdf(rows, ctx.clock.now(), register_header(ctx), lang.value)
    )
    out.write_bytes(body)
    if as_json:
        print_json({"out": str(out), "activities": len(rows)})
        return
    console.print(f"register of {len(rows)} processing activities written to {out}")


@report.command("touchpoint")
def touchpoint(
    typer_ctx: typer.Context,
    key: str = typer.Argument(..., help="The touchpoint."),
    out: Path = typer.Option(..., "--out", help="Where to write the PDF."),
    lang: Language = LANG,
) -> None:
    """Write a touchpoint's dossier: census history, notices shown, events, sample proofs."""
    body = touchpoint_report(context(typer_ctx), key=key, lang=lang.value)
    out.write_bytes(body)
    console.print(f"dossier of touchpoint {key} written to {out} ({len(body):,} bytes)")


@export.command("consent-records")
def consent_records(
    typer_ctx: typer.Context,
    subject: str = typer.Argument(..., help="A subject id, e-mail or phone."),
    fmt: ExportFormat = typer.Option(
        ExportFormat.DPV, "--format", help="dpv (ISO/IEC TS 27560) or kantara (v1.1 receipts)."
    ),
    out: Path | None = typer.Option(None, "--out", help="A JSON file; standard output if none."),
    lang: Language = LANG,
) -> None:
    """Export a subject's consents as ISO/IEC TS 27560 DPV records or Kantara v1.1 receipts."""
    ctx = context(typer_ctx)
    records = subject_records(ctx, subject_id=subject_of(ctx, subject))
    data = (
        dpv_records(records, lang.value)
        if fmt is ExportFormat.DPV
        else kantara_receipts(records, lang.value)
    )
    log_read(
        ctx,
        reader=cli_reader(),
        subject_id=records.subject_id,
        what=f"consent records ({fmt.value})",
    )
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        console.print(f"{len(data)} {fmt.value} record(s) written to {out}")
