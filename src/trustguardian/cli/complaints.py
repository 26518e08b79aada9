"""`trustguardian complaints ...`: cases linked to the subject's timeline."""

from __future__ import annotations

from pathlib import Path

import typer

from trustguardian.cli.common import JSON, console, context, print_json, rows_out, table
from trustguardian.cli.rights_effects import ACTOR, identifiers_from
from trustguardian.domain.complaints import ComplaintStatus
from trustguardian.domain.registry import Channel
from trustguardian.service.rights import complaints as complaint_service

complaints = typer.Typer(no_args_is_help=True)


@complaints.command("list")
def list_complaints(
    typer_ctx: typer.Context,
    status: list[ComplaintStatus] = typer.Option([], "--status"),
    as_json: bool = JSON,
) -> None:
    """List complaints."""
    page = complaint_service.list_complaints(context(typer_ctx), statuses=status or None, limit=500)
    rows_out(
        as_json,
        "Complaints",
        ["id", "status", "received", "channel", "handler", "subject"],
        [
            (c.id, c.status.value, c.received_at, c.channel, c.handler, c.subject_id)
            for c in page.items
        ],
    )


@complaints.command("show")
def show_complaint(typer_ctx: typer.Context, complaint_id: str, as_json: bool = JSON) -> None:
    """Show a complaint, its steps and the subject's timeline."""
    c = complaint_service.get_complaint(context(typer_ctx), complaint_id=complaint_id)
    if as_json:
        print_json(
            {
                "id": c.id,
                "status": c.status.value,
                "subject_id": c.subject_id,
                "about_event_id": c.about_event_id,
                "received_at": c.received_at,
                "handler": c.handler,
                "summary": c.summary,
                "outcome": c.outcome,
                "attachments": [{"position": a.position, "name": a.name} for a in c.attachments],
                "timeline": [
                    {
                        "occurred_at": e.occurred_at,
                        "kind": e.kind.value,
                        "touchpoint": e.touchpoint,
                        "purpose": e.purpose,
                        "event_id": e.id,
                    }
                    for e in c.timeline
                ],
            }
        )
        return
    table(
        f"Complaint {c.id}",
        ["field", "value"],
        [
            ("status", c.status.value),
            ("subject", c.subject_id),
            ("about event", c.about_event_id),
            ("received", c.received_at),
            ("handler", c.handler),
            ("summary", c.summary if c.summary is not None else "(erased)"),
            ("outcome", c.outcome),
            ("attachments", ", ".join(f"{a.position}: {a.name}" for a in c.attachments)),
        ],
    )
    table(
        "Timeline",
        ["when", "kind", "touchpoint", "purpose", "event"],
        [(e.occurred_at, e.kind.value, e.touchpoint, e.purpose, e.id) for e in c.timeline],
    )


@complaints.command("add")
def add_complaint(
    typer_ctx: typer.Context,
    summary: str = typer.Option(..., "--summary"),
    channel: Channel = typer.Option(..., "--channel"),
    touchpoint: str = typer.Option("privacy-desk", "--touchpoint"),
    subject: str | None = typer.Option(None, "--subject"),
    email: str | None = typer.Option(None, "--email"),
    phone: str | None = typer.Option(None, "--phone"),
    about: str | None = typer.Option(
        None, "--about", help="The event (e.g. a contact) complained of."
    ),
    handler: str | None = typer.Option(None, "--handler"),
    actor: str = ACTOR,
    as_json: bool = JSON,
) -> None:
    """Open a complaint."""
    c = complaint_service.open_complaint(
        context(typer_ctx),
        touchpoint=touchpoint,
        channel=channel,
        summary=summary,
        actor=actor,
        identifiers=identifiers_from(email, phone),
        subject_id=subject,
        about_event_id=about,
        handler=handler,
    )
    if as_json:
        print_json({"id": c.id, "status": c.status.value, "subject_id": c.subject_id})
        return
    console.print(f"Complaint {c.id} opened.")


@complaints.command("update")
def update_complaint(
    typer_ctx: typer.Context,
    complaint_id: str,
    status: ComplaintStatus | None = typer.Option(None, "--status"),
    handler: str | None = typer.Option(None, "--handler"),
    outcome: str | None = typer.Option(None, "--outcome"),
    actor: str = ACTOR,
) -> None:
    """Change a complaint's status, handler or outcome."""
    c = complaint_service.update_complaint(
        context(typer_ctx),
        complaint_id=complaint_id,
        actor=actor,
        status=status,
        handler=handler,
        outcome=outcome,
    )
    console.print(f"Complaint {c.id}: {c.status.value}.")


@complaints.command("attach")
def attach(
    typer_ctx: typer.Context,
    complaint_id: str,
    file: Path = typer.Argument(..., exists=True, dir_okay=False),
    media_type: str = typer.Option("application/octet-stream", "--media-type"),
    actor: str = ACTOR,
) -> None:
    """Attach a file to a complaint (sealed with the subject's key)."""
    complaint_service.attach_file(
        context(typer_ctx),
        complaint_id=complaint_id,
        name=file.name,
        media_type=media_type,
        content=file.read_bytes(),
        actor=actor,
    )
    console.print(f"Attached {file.name} to complaint {complaint_id}.")
