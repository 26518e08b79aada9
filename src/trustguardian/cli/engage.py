"""`trustguardian check|audience ...` (policies, suppression and registers: cli.engage_lists)."""

from __future__ import annotations

import csv
import functools
import io
import os
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from trustguardian.cli.common import JSON, console, context, print_json, table
from trustguardian.domain.errors import InvalidInput
from trustguardian.domain.registry import Channel
from trustguardian.domain.subjects import IdentifierKind
from trustguardian.service.engage.audience import csv_records, list_lines
from trustguardian.service.engage.audience_workers import Checked, check_records
from trustguardian.service.engage.checks import CheckRequest, check_contact
from trustguardian.service.engage.list_header import parse_columns, read_header
from trustguardian.service.events.identifiers import normalise

audience = typer.Typer(no_args_is_help=True)


def check(
    typer_ctx: typer.Context,
    purpose: str = typer.Option(..., help="Purpose key."),
    channel: Channel = typer.Option(..., help="Channel of the contact."),
    email: str | None = typer.Option(None, help="The person's e-mail."),
    phone: str | None = typer.Option(None, help="The person's phone number."),
    address: str | None = typer.Option(None, help="The person's postal address (letters)."),
    customer_id: str | None = typer.Option(None, "--customer-id", help="The customer code."),
    subject: str | None = typer.Option(None, help="The person's subject id."),
    at: str | None = typer.Option(
        None, "--at", help="The moment of contact, ISO 8601 (no offset: UTC); default now."
    ),
    as_json: bool = JSON,
) -> None:
    """May we contact this person, for this purpose, on this channel, at this moment? (exit 1
    if not). Every identifier given is resolved and must agree."""
    ctx = context(typer_ctx)
    region = ctx.settings.default_phone_region
    named = [
        normalise(kind, value, region=region)
        for kind, value in (
            (IdentifierKind.EMAIL, email),
            (IdentifierKind.PHONE, phone),
            (IdentifierKind.POSTAL, address),
            (IdentifierKind.CUSTOMER_ID, customer_id),
        )
        if value
    ]
    if not named and subject is None:
        raise typer.BadParameter(
            "name the person with --email, --phone, --address, --customer-id or --subject"
        )
    request = CheckRequest(
        purpose,
        channel,
        named[0] if named else None,
        subject,
        moment_option(at, "--at"),
        others=tuple(named[1:]),
    )
    outcome = check_contact(ctx, request=request)
    if as_json:
        print_json(
            {
                "allowed": outcome.allowed,
                "reason": outcome.reason,
                "words": outcome.words,
                "check_id": outcome.check_id,
                "subject_id": outcome.subject_id,
                "event_id": outcome.event_id,
                "at": request.moment or None,
            }
        )
    else:
        _print_outcome(outcome.allowed, outcome.reason, outcome.words)
        console.print(
            f"check {outcome.check_id}; deciding event {outcome.event_id or '-'}", highlight=False
        )
    if not outcome.allowed:
        raise typer.Exit(1)


def moment_option(value: str | None, option: str) -> datetime | None:
    """An ISO 8601 instant given on the command line (UTC when it names no offset)."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(
            "use an ISO 8601 instant, e.g. 2026-04-10T10:00:00+02:00", param_hint=option
        ) from exc
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


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
    at: str | None = typer.Option(
        None, "--at", help="Check every row as of this moment, ISO 8601 (no offset: UTC)."
    ),
    as_json: bool = JSON,
) -> None:
    """Split a campaign list into allowed and rejected rows, each rejection with its reason.

    A row names its person in the columns email, phone, customer_id, postal or subject_id (all
    it fills are resolved and must agree), found by
    name (E-mail, Cellulare, Telefono, Codice cliente... in any case, with or without accents)
    or named with --column. The delimiter (comma, semicolon or tab) is read from the header and
    the outputs are written with it. Rows are read and written as a stream, so lists of millions
    stay in bounded memory. A list with no row that could be checked exits with status 2.
    """
    ctx = context(typer_ctx)
    moment = moment_option(at, "--at")
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
                at=moment,
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
