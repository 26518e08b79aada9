"""`trustguardian policies|suppression|registers ...`: contact policies, the suppression list
and the public opposition registers, listed, added, changed and removed."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer

from trustguardian.cli.common import JSON, console, context, print_json, rows_out
from trustguardian.domain.registry import Channel
from trustguardian.domain.subjects import Identifier, IdentifierKind
from trustguardian.service.context import Context
from trustguardian.service.engage import admin as engage_admin
from trustguardian.service.engage import lists as engage_lists
from trustguardian.service.events.identifiers import normalise

policies = typer.Typer(no_args_is_help=True)
suppression = typer.Typer(no_args_is_help=True)
registers = typer.Typer(no_args_is_help=True)
CLI = "cli"  # who the ledger records as making a change from the command line


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
    parsed = _window(window)
    policy_id = engage_admin.add_policy(
        context(typer_ctx),
        purpose=purpose,
        channel=channel,
        max_contacts=max_contacts,
        days=days,
        window=parsed,
        actor=CLI,
    )
    if as_json:
        print_json({"id": policy_id})
        return
    console.print(f"Policy {policy_id} added.")


def _window(text: str | None) -> dict[str, object] | None:
    if text is None:
        return None
    try:
        parsed = json.loads(text)
    except ValueError as exc:
        raise typer.BadParameter(f"not JSON: {exc}", param_hint="--window") from exc
    if not isinstance(parsed, dict):
        raise typer.BadParameter("give a JSON object", param_hint="--window")
    return parsed


@policies.command("list")
def list_policies(typer_ctx: typer.Context, as_json: bool = JSON) -> None:
    """List the contact policies in force."""
    rows_out(
        as_json,
        "Contact policies",
        ["id", "purpose", "channel", "max", "days", "window", "since"],
        [
            (
                p.id,
                p.purpose_key or "*",
                p.channel or "*",
                p.max_contacts,
                p.days,
                json.dumps(p.window) if p.window else "",
                p.created_at,
            )
            for p in engage_lists.list_policies(context(typer_ctx))
        ],
    )


@policies.command("change")
def change_policy(
    typer_ctx: typer.Context,
    policy_id: str = typer.Argument(..., help="The policy's id (see `policies list`)."),
    max_contacts: int | None = typer.Option(None, "--max", min=1, help="At most this many..."),
    days: int | None = typer.Option(None, min=1, help="...in this many days, per person."),
    window: str | None = typer.Option(None, help="Contact window as JSON (see `policies add`)."),
    as_json: bool = JSON,
) -> None:
    """Replace a policy's cap and window from now on (earlier checks keep the old one)."""
    changed = engage_lists.change_policy(
        context(typer_ctx),
        policy_id=policy_id,
        max_contacts=max_contacts,
        days=days,
        window=_window(window),
        actor=CLI,
    )
    if as_json:
        print_json({"id": changed.id, "since": changed.created_at})
        return
    console.print(f"Policy {changed.id} changed.")


@policies.command("remove")
def remove_policy(
    typer_ctx: typer.Context,
    policy_id: str = typer.Argument(..., help="The policy's id (see `policies list`)."),
    as_json: bool = JSON,
) -> None:
    """Remove a policy from now on (checks of an earlier moment still apply it)."""
    engage_lists.remove_policy(context(typer_ctx), policy_id=policy_id, actor=CLI)
    if as_json:
        print_json({"id": policy_id, "removed": True})
        return
    console.print(f"Policy {policy_id} removed.")


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
    added = engage_admin.suppress(ctx, identifiers=identifiers, reason=reason, actor=CLI)
    if as_json:
        print_json({"added": added})
        return
    console.print(f"{added} identifiers added to the suppression list.")


@suppression.command("list")
def list_suppression(
    typer_ctx: typer.Context,
    after: str | None = typer.Option(None, help="Start after this entry (a page at a time)."),
    limit: int = typer.Option(100, min=1, max=1000, help="How many entries."),
    as_json: bool = JSON,
) -> None:
    """List the suppression list's entries (keyed hashes: the identifiers are never kept)."""
    rows = engage_lists.list_suppression(context(typer_ctx), after=after, limit=limit)
    rows_out(
        as_json,
        "Suppression list",
        ["entry", "reason", "added"],
        [(r.blind, r.reason, r.added_at) for r in rows],
    )


def _one_identifier(
    ctx: Context, email: str | None, phone: str | None, entry: str | None
) -> tuple[Identifier | None, str | None]:
    given = [v for v in (email, phone, entry) if v]
    if len(given) != 1:
        raise typer.BadParameter("name one entry: --email, --phone or --entry")
    if email:
        return normalise(IdentifierKind.EMAIL, email), None
    if phone:
        return normalise(
            IdentifierKind.PHONE, phone, region=ctx.settings.default_phone_region
        ), None
    return None, entry


@suppression.command("change")
def change_suppression(
    typer_ctx: typer.Context,
    reason: str = typer.Option(..., help="Why the entry is on the list."),
    email: str | None = typer.Option(None, help="The entry of this e-mail."),
    phone: str | None = typer.Option(None, help="The entry of this phone number."),
    entry: str | None = typer.Option(None, help="The entry with this keyed hash."),
    as_json: bool = JSON,
) -> None:
    """Change why an identifier is on the suppression list."""
    ctx = context(typer_ctx)
    identifier, hashed = _one_identifier(ctx, email, phone, entry)
    row = engage_lists.change_suppression(
        ctx, reason=reason, identifier=identifier, entry=hashed, actor=CLI
    )
    if as_json:
        print_json({"entry": row.blind, "reason": row.reason})
        return
    console.print(f"Entry {row.blind[:12]}… now reads: {row.reason}", highlight=False)


@suppression.command("remove")
def remove_suppression(
    typer_ctx: typer.Context,
    email: str | None = typer.Option(None, help="The entry of this e-mail."),
    phone: str | None = typer.Option(None, help="The entry of this phone number."),
    entry: str | None = typer.Option(None, help="The entry with this keyed hash."),
    as_json: bool = JSON,
) -> None:
    """Take an identifier off the suppression list from now on (erased people stay suppressed)."""
    ctx = context(typer_ctx)
    identifier, hashed = _one_identifier(ctx, email, phone, entry)
    engage_lists.remove_suppression(ctx, identifier=identifier, entry=hashed, actor=CLI)
    if as_json:
        print_json({"removed": True})
        return
    console.print("Entry removed from the suppression list.")


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
        register_date=_date(register_date),
        lines=data.splitlines(),
        file_sha256=engage_admin.file_digest(data),
        actor=CLI,
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


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter("use YYYY-MM-DD", param_hint="--date") from exc


@registers.command("list")
def list_registers(typer_ctx: typer.Context, as_json: bool = JSON) -> None:
    """List every import of every register, removed ones too."""
    rows_out(
        as_json,
        "Register imports",
        ["id", "name", "kind", "register date", "entries", "imported", "removed"],
        [
            (r.id, r.name, r.kind, r.register_date, r.entries, r.imported_at, r.removed_at)
            for r in engage_lists.list_registers(context(typer_ctx))
        ],
    )


@registers.command("change")
def change_register(
    typer_ctx: typer.Context,
    register_id: str = typer.Argument(..., help="The import's id (see `registers list`)."),
    register_date: str = typer.Option(..., "--date", help="The right date, YYYY-MM-DD."),
    as_json: bool = JSON,
) -> None:
    """Correct an import's date (and the date its numbers were first seen)."""
    changed = engage_lists.change_register(
        context(typer_ctx),
        register_id=register_id,
        register_date=_date(register_date),
        actor=CLI,
    )
    if as_json:
        print_json({"id": changed.id, "register_date": changed.register_date})
        return
    console.print(f"Register import {changed.id} is now dated {changed.register_date}.")


@registers.command("remove")
def remove_register(
    typer_ctx: typer.Context,
    register_id: str = typer.Argument(..., help="The import's id (see `registers list`)."),
    as_json: bool = JSON,
) -> None:
    """Remove an import from now on (the register's previous import is current again)."""
    removed = engage_lists.remove_register(context(typer_ctx), register_id=register_id, actor=CLI)
    if as_json:
        print_json({"id": removed.id, "removed_at": removed.removed_at})
        return
    console.print(f"Register import {removed.id} removed.")
