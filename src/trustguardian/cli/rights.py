"""`trustguardian links|requests|sale-sharing ...`: the Right touchpoints by CLI."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import typer

from trustguardian.cli.common import JSON, console, context, print_json, table
from trustguardian.cli.rights_effects import (
    ACTOR,
    fulfil,
    identifiers_from,
    lift,
)
from trustguardian.domain.errors import FieldError, InvalidInput
from trustguardian.domain.registry import Channel
from trustguardian.domain.rights import RequestKind, RequestStatus
from trustguardian.service.engage import links as link_service
from trustguardian.service.registry import purpose_flags
from trustguardian.service.rights import requests as rights_requests
from trustguardian.service.rights import verification as rights_verify
from trustguardian.service.rights.export import export_csv, subject_export
from trustguardian.service.rights.requests import RequestView

links = typer.Typer(no_args_is_help=True)
requests = typer.Typer(no_args_is_help=True)
sale_sharing = typer.Typer(no_args_is_help=True)

DURATION = re.compile(r"^(\d+)\s*([hdw])$")


def parse_duration(text: str) -> timedelta:
    """`12h`, `7d`, `2w` -> a timedelta; anything else is bad input."""
    found = DURATION.match(text.strip().lower())
    if not found:
        raise InvalidInput(
            f"not a duration: {text!r}", errors=[FieldError("due-within", "use e.g. 12h, 7d, 2w")]
        )
    amount, unit = int(found.group(1)), found.group(2)
    return (
        timedelta(hours=amount)
        if unit == "h"
        else timedelta(days=amount * (7 if unit == "w" else 1))
    )


@links.command("unsubscribe")
def unsubscribe_link(
    typer_ctx: typer.Context,
    subject: str = typer.Option(..., "--subject", help="The subject's pseudonymous id."),
    purpose: str = typer.Option(..., "--purpose"),
    channel: Channel = typer.Option(..., "--channel"),
    touchpoint: str = typer.Option(
        "unsubscribe-link", "--touchpoint", help="The issuing Right touchpoint."
    ),
    as_json: bool = JSON,
) -> None:
    """Mint an unsubscribe link and print it with its List-Unsubscribe headers."""
    [link] = link_service.unsubscribe_links(
        context(typer_ctx),
        subject_ids=[subject],
        purpose=purpose,
        channel=channel,
        touchpoint=touchpoint,
    )
    if as_json:
        print_json(
            {
                "url": link.url,
                "list_unsubscribe": link.list_unsubscribe,
                "list_unsubscribe_post": link.list_unsubscribe_post,
                "token_id": link.token_id,
                "expires_at": link.expires_at,
            }
        )
        return
    typer.echo(link.url)
    typer.echo(f"List-Unsubscribe: {link.list_unsubscribe}")
    typer.echo(f"List-Unsubscribe-Post: {link.list_unsubscribe_post}")
    console.print(f"token {link.token_id}, expires {link.expires_at:%Y-%m-%d}", style="dim")


@links.command("preferences")
def preferences_link(
    typer_ctx: typer.Context,
    subject: str = typer.Option(..., "--subject"),
    touchpoint: str = typer.Option("preference-centre", "--touchpoint"),
    as_json: bool = JSON,
) -> None:
    """Mint a link to a person's preference centre."""
    link = link_service.preferences_link(
        context(typer_ctx), subject_id=subject, touchpoint=touchpoint
    )
    if as_json:
        print_json({"url": link.url, "token_id": link.token_id, "expires_at": link.expires_at})
        return
    typer.echo(link.url)
    console.print(f"token {link.token_id}, expires {link.expires_at:%Y-%m-%d}", style="dim")


@links.command("revoke")
def revoke_link(typer_ctx: typer.Context, token_id: str) -> None:
    """Revoke a link: from now on it is refused and changes nothing."""
    link_service.revoke_link(context(typer_ctx), token_id=token_id)
    console.print(f"Link {token_id} revoked.")


def _rows(views: list[RequestView]) -> list[tuple[object, ...]]:
    return [
        (
            v.id,
            v.kind.value,
            v.status.value,
            v.received_at,
            v.due_on,
            "OVERDUE" if v.overdue else "",
            v.subject_id,
        )
        for v in views
    ]


def _show(view: RequestView, as_json: bool) -> None:
    if as_json:
        print_json(
            {k: v for k, v in vars(view).items() if k != "steps"}
            | {"steps": [vars(s) for s in view.steps]}
        )
        return
    table(
        f"Request {view.id}",
        ["field", "value"],
        [
            ("kind", view.kind.value),
            ("status", view.status.value),
            ("subject", view.subject_id),
            ("received", view.received_at),
            ("due on (Rome)", f"{view.due_on}{'  OVERDUE' if view.overdue else ''}"),
            ("extension reason sent", view.extension_reason),
            ("details", view.details if view.details is not None else "(none, or erased)"),
            ("outcome", view.outcome),
            ("handler", view.handler),
        ],
    )
    table(
        "Steps",
        ["status", "event", "actor", "at"],
        [(s.status, s.event_id, s.actor, s.at) for s in view.steps],
    )


@requests.command("list")
def list_requests(
    typer_ctx: typer.Context,
    due_within: str | None = typer.Option(None, "--due-within", help="e.g. 7d, 48h, 2w"),
    overdue: bool = typer.Option(False, "--overdue", help="Only requests past their deadline."),
    status: list[RequestStatus] = typer.Option([], "--status", help="Statuses (default: open)."),
    as_json: bool = JSON,
) -> None:
    """List rights requests by deadline, most urgent first."""
    ctx = context(typer_ctx)
    views: list[RequestView] = []
    cursor = None
    while True:
        page = rights_requests.list_requests(
            ctx,
            due_within=parse_duration(due_within) if due_within else None,
            overdue=overdue,
            statuses=status or None,
            cursor=cursor,
            limit=500,
        )
        views.extend(page.items)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    if as_json:
        print_json(
            [
                {
                    "id": v.id,
                    "kind": v.kind.value,
                    "status": v.status.value,
                    "due_on": v.due_on.isoformat(),
                    "overdue": v.overdue,
                    "subject_id": v.subject_id,
                }
                for v in views
            ]
        )
        return
    title = "Overdue rights requests" if overdue else "Rights requests"
    table(title, ["id", "kind", "status", "received", "due on", "", "subject"], _rows(views))


@requests.command("overdue")
def overdue_requests(typer_ctx: typer.Context, as_json: bool = JSON) -> None:
    """List the requests past their legal deadline."""
    list_requests(typer_ctx, due_within=None, overdue=True, status=[], as_json=as_json)


@requests.command("show")
def show_request(typer_ctx: typer.Context, request_id: str, as_json: bool = JSON) -> None:
    """Show a request with its deadline and its steps (each a ledger event)."""
    _show(rights_requests.get_request(context(typer_ctx), request_id=request_id), as_json)


@requests.command("add")
def add_request(
    typer_ctx: typer.Context,
    kind: RequestKind = typer.Option(..., "--kind"),
    email: str | None = typer.Option(None, "--email"),
    phone: str | None = typer.Option(None, "--phone"),
    subject: str | None = typer.Option(None, "--subject"),
    channel: Channel = typer.Option(Channel.LETTER, "--channel", help="How it arrived."),
    touchpoint: str = typer.Option("privacy-desk", "--touchpoint"),
    details: str | None = typer.Option(None, "--details"),
    language: str = typer.Option("it", "--language"),
    received_at: datetime | None = typer.Option(
        None, "--received-at", help="ISO time with offset."
    ),
    actor: str = ACTOR,
    as_json: bool = JSON,
) -> None:
    """Take in a request received by an operator (letter, phone, desk)."""
    ctx = context(typer_ctx)
    view = rights_requests.submit_request(
        ctx,
        kind=kind,
        touchpoint=touchpoint,
        channel=channel,
        identifiers=identifiers_from(email, phone),
        subject_id=subject,
        details=details,
        language=language,
        received_at=received_at,
        actor=actor,
    )
    if as_json:
        print_json({"id": view.id, "status": view.status.value, "due_on": view.due_on})
        return
    console.print(f"Request {view.id} received; due on {view.due_on} (Europe/Rome).")


@requests.command("verify")
def send_code(typer_ctx: typer.Context, request_id: str, actor: str = ACTOR) -> None:
    """Send the person a verification code by e-mail or SMS."""
    sent = rights_verify.send_code(context(typer_ctx), request_id=request_id, actor=actor)
    console.print(f"Code sent by {sent.method}; valid until {sent.expires_at:%H:%M} UTC.")


@requests.command("confirm")
def confirm(typer_ctx: typer.Context, request_id: str, code: str, actor: str = ACTOR) -> None:
    """Enter the code the person read back: the request goes in progress."""
    view = rights_verify.confirm_code(
        context(typer_ctx), request_id=request_id, code=code, actor=actor
    )
    console.print(f"Request {view.id} verified: {view.status.value}.")


@requests.command("start")
def start(typer_ctx: typer.Context, request_id: str, actor: str = ACTOR) -> None:
    """Put a request in progress (identity checked otherwise, e.g. in person)."""
    view = rights_requests.advance_request(
        context(typer_ctx), request_id=request_id, to=RequestStatus.IN_PROGRESS, actor=actor
    )
    console.print(f"Request {view.id}: {view.status.value}.")


@requests.command("reject")
def reject(
    typer_ctx: typer.Context,
    request_id: str,
    reason: str = typer.Option(..., "--reason"),
    actor: str = ACTOR,
) -> None:
    """Reject a request, stating the reasons (art. 12(4))."""
    view = rights_requests.advance_request(
        context(typer_ctx),
        request_id=request_id,
        to=RequestStatus.REJECTED,
        actor=actor,
        outcome=reason,
    )
    console.print(f"Request {view.id}: {view.status.value}.")


@requests.command("extend")
def extend(
    typer_ctx: typer.Context,
    request_id: str,
    reason: str = typer.Option(..., "--reason"),
    actor: str = ACTOR,
) -> None:
    """Extend the deadline once by two months; the reason is sent to the person."""
    view = rights_verify.extend_request(
        context(typer_ctx), request_id=request_id, reason=reason, actor=actor
    )
    console.print(
        f"Request {view.id} extended: due on {view.due_on}; "
        f"reason sent ({view.extension_message_id})."
    )


requests.command("fulfil")(fulfil)
requests.command("lift")(lift)


@requests.command("export")
def export(
    typer_ctx: typer.Context,
    request_id: str,
    fmt: str = typer.Option("json", "--format", help="json or csv"),
    out: Path | None = typer.Option(
        None, "--out", help="The file to write; standard output if none."
    ),
    output: Path | None = typer.Option(None, "--output", "-o", hidden=True),
) -> None:
    """Write the person's data and history (access, portability) as JSON or CSV."""
    # `--output`/`-o` was this option's first name: scripts that use it keep working.
    output = out or output
    if fmt not in ("json", "csv"):
        raise InvalidInput("format", errors=[FieldError("format", "json or csv")])
    ctx = context(typer_ctx)
    view = rights_requests.get_request(ctx, request_id=request_id)
    data = subject_export(ctx, subject_id=view.subject_id)
    text = export_csv(data) if fmt == "csv" else json.dumps(data, indent=2, ensure_ascii=False)
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text, encoding="utf-8")
        console.print(f"Wrote {output}.")


@sale_sharing.command("set")
def set_flag(
    typer_ctx: typer.Context, purpose: str, off: bool = typer.Option(False, "--off")
) -> None:
    """Flag a purpose as selling or sharing data (Sec-GPC: 1 objects to it); --off clears it."""
    purpose_flags.set_sale_sharing(context(typer_ctx), purpose=purpose, value=not off)
    console.print(f"Purpose {purpose}: sale/sharing {'off' if off else 'on'}.")


@sale_sharing.command("list")
def list_flags(typer_ctx: typer.Context, as_json: bool = JSON) -> None:
    """List the purposes flagged as sale/sharing."""
    keys = list(purpose_flags.sale_sharing_purposes(context(typer_ctx)))
    if as_json:
        print_json(keys)
        return
    for key in keys:
        typer.echo(key)
