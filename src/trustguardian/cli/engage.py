"""`trustguardian check|audience|policies|suppression|registers ...`."""

from __future__ import annotations

import csv
import functools
import io
import json
import os
from collections import Counter
from datetime import date
from pathlib import Path
from typing import NamedTuple

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from trustguardian.cli.common import JSON, console, context, print_json, rows_out, table
from trustguardian.domain.errors import InvalidInput
from trustguardian.domain.registry import Channel
from trustguardian.domain.subjects import IdentifierKind
from trustguardian.service.engage import admin as engage_admin
from trustguardian.service.engage.audience import csv_records, list_lines
from trustguardian.service.engage.audience_workers import Checked, check_records
from trustguardian.service.engage.checks import CheckRequest, check_contact
from trustguardian.service.engage.list_header import parse_columns, read_header
from trustguardian.service.events.identifiers import normalise

audience = typer.Typer(no_args_is_help=True)
policies = typer.Typer(no_args_is_help=True)
suppression = typer.Typer(no_args_is_help=True)
registers = typer.Typer(no_args_is_help=True)


def check(
    typer_ctx: typer.Context,
    purpose: str = typer.Option(..., help="Purpose key."),
    channel: Channel = typer.Option(..., help="Channel of the contact."),
    email: str | None = typer.Option(None, help="The person's e-mail."),
    phone: str | None = typer.Option(None, help="The person's phone number."),
    address: str | None = typer.Option(None, help="The person's postal address (letters)."),
    subject: str | None = typer.Option(None, help="The person's subject id."),
    as_json: bool = JSON,
) -> None:
    """May we contact this person, for this purpose, on this channel, now? (exit 1 if not)"""
    ctx = context(typer_ctx)
    region = ctx.settings.default_phone_region
    given = [
        (k, v)
        for k, v in (
            (IdentifierKind.EMAIL, email),
            (IdentifierKind.PHONE, phone),
            (IdentifierKind.POSTAL, address),
        )
        if v
    ]
    identifier = normalise(given[0][0], given[0][1], region=region) if given else None
    if identifier is None and subject is None:
        raise typer.BadParameter("name the person with --email, --phone, --address or --subject")
    outcome = check_contact(ctx, request=CheckRequest(purpose, channel, identifier, subject))
    if as_json:
        print_json(
            {
                "allowed": outcome.allowed,
                "reason": outcome.reason,
                "words": outcome.words,
                "check_id": outcome.check_id,
                "event_id": outcome.event_id,
            }
        )
    else:
        _print_outcome(outcome.allowed, outcome.reason, outcome.words)
        console.print(
            f"check {outcome.check_id}; deciding event {outcome.event_id or '-'}", highlight=False
        )
    if not outcome.allowed:
        raise typer.Exit(1)


def _print_outcome(allowed: bool, reason: object, words: str) -> None:
    colour = "green" if allowed else "red"
    console.print(f"[{colour}]{'allowed' if allowed else 'denied'}[/] ({reason}): {words}")


@audience.command("filter")
def filter_list(
    typer_ctx: typer.Context,
    source: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV with a header row."),
    purpose: str = typer.Option(..., help="Purpose of the campaign."),
    channel: Channel = typer.Option(..., help="Channel of the campaign."),
    out: Path = typer.Option(..., "--out", help="Where the allowed rows go."),
    rejected: Path | None = typer.Option(
        None, "--rejected", help="Where the rejected rows go, with reasons."
    ),
    workers: int = typer.Option(
        os.cpu_count() or 1, min=1, help="Processes checking rows side by side (default: cores)."
    ),
    column: list[str] = typer.Option(
        [],
        "--column",
        help="Read a role from a column: email=COL (repeat; roles email, phone, customer_id, "
        "postal, subject_id, purpose, channel).",
    ),
    as_json: bool = JSON,
) -> None:
    """Split a campaign list into allowed and rejected rows, each rejection with its reason.

    A row names its person in a column email, phone, customer_id, postal or subject_id, found by
    name (E-mail, Cellulare, Telefono, Codice cliente... in any case, with or without accents)
    or named with --column. The delimiter (comma, semicolon or tab) is read from the header and
    the outputs are written with it. Rows are read and written as a stream, so lists of millions
    stay in bounded memory. A list with no row that could be checked exits with status 2.
    """
    ctx = context(typer_ctx)
    mapping = parse_columns(column, how="--column")
    size = source.stat().st_size
    allowed_rows = 0
    reasons: Counter[str] = Counter()
    with source.open("rb") as handle:
        lines = list_lines(handle)
        layout = read_header(lines, source=source.name, columns=mapping, how="--column")
        if not as_json:
            console.print(layout.describe(), highlight=False)
        sep, bom = layout.delimiter, "\ufeff" if layout.bom else ""
        good = out.open("w", newline="", encoding="utf-8")
        good.write(bom)
        csv.writer(good, delimiter=sep).writerow(layout.names)
        bad_file = rejected.open("w", newline="", encoding="utf-8") if rejected else None
        if bad_file:
            bad_file.write(bom)
            csv.writer(bad_file, delimiter=sep).writerow([*layout.names, "reason", "error"])
        rows_read = bytes_read = 0
        first_error: tuple[int, str] | None = None
        # Refreshed by hand after each chunk: no refresh thread runs when the workers fork.
        with (
            good,
            Progress(*_PROGRESS, console=console, auto_refresh=False, disable=as_json) as bar,
        ):
            task = bar.add_task("rows", total=None, about="~?")
            for part in check_records(
                ctx,
                csv_records(lines, first=layout.line + 1),
                layout.keys,
                purpose=purpose,
                channel=channel,
                answer=functools.partial(_part, layout.keys, bad_file is not None, sep),
                workers=workers,
                delimiter=sep,
            ):
                good.write(part.kept)
                if bad_file:
                    bad_file.write(part.dropped)
                allowed_rows += part.allowed
                reasons.update(part.reasons)
                rows_read, bytes_read = rows_read + part.rows, bytes_read + part.size
                first_error = first_error or part.first_error
                # The total is extrapolated from the bytes read so far, refined chunk by chunk.
                left = size - layout.size - bytes_read
                total = rows_read + left * rows_read // max(bytes_read, 1)
                total = max(total, rows_read)
                bar.update(task, completed=rows_read, total=total, about=f"~{total}", refresh=True)
            bar.update(task, total=rows_read, about=rows_read, refresh=True)
        if bad_file:
            bad_file.close()
    if allowed_rows + reasons.total() == reasons["invalid_row"]:
        _no_row_read(source, [out, *([rejected] if rejected else [])], rows_read, first_error)
    _summary(as_json, allowed_rows, reasons, size)


def _summary(as_json: bool, allowed: int, reasons: Counter[str], size: int) -> None:
    """How many rows were allowed and rejected, by reason."""
    if as_json:
        print_json(
            {
                "allowed": allowed,
                "rejected": reasons.total(),
                "bytes_read": size,
                "rejected_by_reason": dict(sorted(reasons.items())),
            }
        )
        return
    console.print(f"{allowed} allowed, {reasons.total()} rejected ({size} bytes read).")
    if reasons:
        table("Rejected rows by reason", ["reason", "rows"], sorted(reasons.items()))


# Rows done of the total (`~`: estimated from the bytes read so far), and the time left.
_PROGRESS = (
    TextColumn("checking"),
    BarColumn(),
    TextColumn("{task.completed}/{task.fields[about]} rows"),
    TimeRemainingColumn(),
    TextColumn("left"),
)


def _no_row_read(
    source: Path, outputs: list[Path], rows: int, first_error: tuple[int, str] | None
) -> None:
    """Refuses a list none of whose rows could be checked, removing the outputs written."""
    for path in outputs:
        path.unlink(missing_ok=True)
    if not rows:
        raise InvalidInput(f"{source.name} has no rows after its header.")
    line, error = first_error or (0, "")
    raise InvalidInput(
        f"no row of {source.name} could be checked: all {rows} are invalid (line {line}: {error})."
    )


class _Part(NamedTuple):
    """A chunk's outputs (see `_split`), its count of rows and bytes, and its first error."""

    kept: str
    dropped: str
    allowed: int
    reasons: dict[str, int]
    rows: int
    size: int
    first_error: tuple[int, str] | None


def _part(header: list[str], rejects: bool, delimiter: str, checked: Checked) -> _Part:
    """Runs in a worker: what it hands back for a chunk."""
    kept, dropped, allowed, reasons = _split(header, rejects, checked, delimiter=delimiter)
    return _Part(
        kept, dropped, allowed, reasons, len(checked.numbers), checked.size, checked.first_error()
    )


def _split(
    header: list[str], rejects: bool, checked: Checked, *, delimiter: str = ","
) -> tuple[str, str, int, dict[str, int]]:
    """A chunk's allowed rows and rejected rows (with reason and error) as CSV text, how many
    rows are allowed, and how many are rejected for each reason.

    Plain values are written as the csv module writes them, joined by the delimiter; others
    through it.
    """
    kept, dropped = io.StringIO(), io.StringIO()
    keep, drop = csv.writer(kept, delimiter=delimiter), csv.writer(dropped, delimiter=delimiter)
    good: list[str] = []
    bad: list[str] = []
    allowed = 0
    reasons: dict[str, int] = {}
    for values, plain, answer, error in zip(
        checked.values, checked.plain, checked.answers, checked.errors, strict=True
    ):
        if answer is not None and answer[0]:
            allowed += 1
            # A lone empty field is the one plain value the csv module quotes.
            if plain and (len(values) != 1 or values[0] != ""):
                good.append(delimiter.join(values))
            else:
                kept.write(_crlf(good))
                good = []
                keep.writerow(values)
            continue
        reason = answer[1].value if answer is not None else "invalid_row"
        reasons[reason] = reasons.get(reason, 0) + 1
        if rejects:
            if plain and error is None:
                bad.append(f"{delimiter.join(values)}{delimiter}{reason}{delimiter}")
            else:
                dropped.write(_crlf(bad))
                bad = []
                drop.writerow([*values, reason, error or ""])
    kept.write(_crlf(good))
    dropped.write(_crlf(bad))
    return kept.getvalue(), dropped.getvalue(), allowed, reasons


def _crlf(lines: list[str]) -> str:
    """Lines already written as CSV, each ended by CRLF as the csv module ends its rows."""
    return "".join(line + "\r\n" for line in lines)


@policies.command("add")
def add_policy(
    typer_ctx: typer.Context,
    purpose: str | None = typer.Option(None, help="Only this purpose (default: every purpose)."),
    channel: Channel | None = typer.Option(
        None, help="Only this channel (default: every channel)."
    ),
    max_contacts: int | None = typer.Option(
        None, "--max", min=1, help="At most this many contacts..."
    ),
    days: int | None = typer.Option(None, min=1, help="...in this many days, per person."),
    window: str | None = typer.Option(
        None,
        help='Contact window as JSON: {"weekdays": ["09:00","20:00"], "saturday": null, '
        '"sunday": null, "on_holidays": false, "time_zone": "Europe/Rome"}',
    ),
    as_json: bool = JSON,
) -> None:
    """Add a policy against harassment: a frequency cap and/or a contact window."""
    parsed = json.loads(window) if window else None
    policy_id = engage_admin.add_policy(
        context(typer_ctx),
        purpose=purpose,
        channel=channel,
        max_contacts=max_contacts,
        days=days,
        window=parsed,
    )
    if as_json:
        print_json({"id": policy_id})
        return
    console.print(f"Policy {policy_id} added.")


@suppression.command("add")
def suppress(
    typer_ctx: typer.Context,
    email: list[str] = typer.Option([], "--email", help="An e-mail to never contact (repeat)."),
    phone: list[str] = typer.Option(
        [], "--phone", help="A phone number to never contact (repeat)."
    ),
    reason: str = typer.Option("internal suppression", help="Why."),
    as_json: bool = JSON,
) -> None:
    """Put identifiers on the internal suppression list (kept as keyed hashes)."""
    ctx = context(typer_ctx)
    region = ctx.settings.default_phone_region
    identifiers = [normalise(IdentifierKind.EMAIL, e) for e in email] + [
        normalise(IdentifierKind.PHONE, p, region=region) for p in phone
    ]
    added = engage_admin.suppress(ctx, identifiers=identifiers, reason=reason)
    if as_json:
        print_json({"added": added})
        return
    console.print(f"{added} identifiers added to the suppression list.")


@registers.command("import")
def import_register(
    typer_ctx: typer.Context,
    source: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="One number (phone) or address (post) per line."
    ),
    name: str = typer.Option("rpo", help="The register's name."),
    kind: str = typer.Option("phone", help="phone or post."),
    register_date: str = typer.Option(..., "--date", help="The register's date, YYYY-MM-DD."),
    as_json: bool = JSON,
) -> None:
    """Import a public opposition register (Registro Pubblico delle Opposizioni)."""
    data = source.read_bytes()
    entries, bad = engage_admin.import_register(
        context(typer_ctx),
        name=name,
        kind=kind,
        register_date=date.fromisoformat(register_date),
        lines=data.decode("utf-8", "replace").splitlines(),
        file_sha256=engage_admin.file_digest(data),
    )
    if as_json:
        print_json(
            {
                "register": name,
                "date": register_date,
                "entries": entries,
                "rejected": [{"line": n, "why": why} for n, why in bad],
            }
        )
        return
    console.print(
        f"Imported {entries} entries of register {name} dated {register_date}; "
        f"{len(bad)} lines rejected."
    )
    for number, why in bad[:20]:
        console.print(f"  line {number}: {why}", highlight=False)


@registers.command("status")
def status(typer_ctx: typer.Context, as_json: bool = JSON) -> None:
    """How old each imported register is; warns when it is past the monthly refresh."""
    rows = engage_admin.registers_status(context(typer_ctx))
    rows_out(
        as_json,
        "Opposition registers",
        ["name", "kind", "register date", "entries", "imported", "age (days)", "status"],
        [
            (
                r.name,
                r.kind,
                r.register_date,
                r.entries,
                r.imported_at,
                r.age_days,
                "stale" if as_json and r.stale else "STALE: refresh" if r.stale else "ok",
            )
            for r in rows
        ],
    )
    if any(r.stale for r in rows) and not as_json:
        console.print(
            "[bold red]warning:[/] a register is older than the monthly refresh the rules expect."
        )
