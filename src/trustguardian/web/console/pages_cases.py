"""Complaints, and what a person's page opens: a new rights request and the dossier download.

Complaint pages show the person's words and their timeline, so each view is logged; so is every
attachment and dossier downloaded.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from trustguardian.domain.complaints import COMPLAINT_MOVES, ComplaintStatus
from trustguardian.domain.errors import DomainError, InvalidInput
from trustguardian.domain.registry import Channel
from trustguardian.domain.rights import RequestKind
from trustguardian.domain.roles import AdminUser, Permission
from trustguardian.problems import status_of
from trustguardian.reports.dossier import subject_dossier
from trustguardian.service.access import users
from trustguardian.service.access.users import Session
from trustguardian.service.console import queues as console_queues
from trustguardian.service.console.overview import right_touchpoints
from trustguardian.service.context import Context
from trustguardian.service.events.subjects import get_subject
from trustguardian.service.rights import complaints
from trustguardian.service.rights import requests as rights_requests
from trustguardian.web.console.core import (
    PREFIX,
    CsrfSession,
    Ctx,
    SessionDep,
    need,
    redirect,
    render,
)
from trustguardian.web.console.pages_requests import Handlers, Readers, actor

router = APIRouter(prefix=PREFIX, include_in_schema=False)
Files = Annotated[AdminUser, Depends(need(Permission.VIEW_EVIDENCE_FILES))]
Dossiers = Annotated[AdminUser, Depends(need(Permission.DOWNLOAD_DOSSIER))]
LANGS = ("it", "en")


@router.get("/complaints")
def complaint_list(
    request: Request,
    ctx: Ctx,
    session: SessionDep,
    _: Readers,
    status: ComplaintStatus | None = None,
    cursor: str | None = None,
) -> HTMLResponse:
    page = console_queues.complaint_queue(
        ctx, statuses=[status.value] if status else None, cursor=cursor
    )
    more = {"cursor": page.next_cursor, **({"status": status.value} if status else {})}
    return render(
        request,
        "complaints.html",
        session=session,
        complaints=page.items,
        chosen=status.value if status else "",
        statuses=[s.value for s in ComplaintStatus],
        more=more if page.next_cursor else None,
    )


def complaint_page(
    request: Request,
    ctx: Context,
    session: Session,
    complaint_id: str,
    *,
    done: bool = False,
    error: DomainError | None = None,
) -> HTMLResponse:
    view = complaints.get_complaint(ctx, complaint_id=complaint_id)
    users.log_subject_view(
        ctx, user=session.user, subject_id=view.subject_id, what=f"complaint {view.id}"
    )
    return render(
        request,
        "complaint.html",
        status=status_of(error) if error else 200,
        session=session,
        personal=True,
        c=view,
        moves=sorted(m.value for m in COMPLAINT_MOVES[view.status]),
        handlers=console_queues.handlers(ctx),
        done=done,
        error=error,
    )


@router.get("/complaints/{complaint_id}")
def complaint(
    request: Request,
    ctx: Ctx,
    session: SessionDep,
    complaint_id: str,
    _: Readers,
    done: bool = False,
) -> HTMLResponse:
    return complaint_page(request, ctx, session, complaint_id, done=done)


@router.post("/complaints/{complaint_id}/update")
def update(
    request: Request,
    ctx: Ctx,
    session: CsrfSession,
    complaint_id: str,
    user: Handlers,
    status: Annotated[str, Form(max_length=20)] = "",
    handler: Annotated[str, Form(max_length=80)] = "",
    outcome: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    """Changes status, handler or outcome; blank fields stay as they are."""
    try:
        complaints.update_complaint(
            ctx,
            complaint_id=complaint_id,
            actor=actor(user),
            status=ComplaintStatus(status) if status else None,
            handler=handler.strip() or None,
            outcome=outcome.strip() or None,
        )
    except ValueError:
        return complaint_page(
            request,
            ctx,
            session,
            complaint_id,
            error=InvalidInput(f"unknown status {status!r}"),
        )
    except DomainError as exc:
        return complaint_page(request, ctx, session, complaint_id, error=exc)
    return redirect(f"{PREFIX}/complaints/{complaint_id}?done=true")


@router.get("/complaints/{complaint_id}/attachments/{position}")
def attachment(ctx: Ctx, complaint_id: str, position: int, user: Files) -> Response:
    """An attachment as a download, never rendered inside the console."""
    _name, media, content = complaints.read_attachment(
        ctx, complaint_id=complaint_id, position=position
    )
    view = complaints.get_complaint(ctx, complaint_id=complaint_id)
    users.log_subject_view(
        ctx, user=user, subject_id=view.subject_id, what=f"attachment {position} of {view.id}"
    )
    # The person chose the file's name: keep it out of the header, which we cannot escape well.
    return Response(
        content,
        media_type=media if "/" in media else "application/octet-stream",
        headers={
            "Content-Disposition": f'attachment; filename="{view.id}-{position}.bin"',
            "Content-Security-Policy": "sandbox; default-src 'none'",
            "Cache-Control": "no-store",
        },
    )


@router.get("/subjects/{subject_id}/dossier")
def dossier(ctx: Ctx, subject_id: str, user: Dossiers) -> Response:
    """The person's evidence dossier (zip), verifiable offline; the download is logged."""
    body = subject_dossier(ctx, subject_id=subject_id)
    users.log_subject_view(ctx, user=user, subject_id=subject_id, what="dossier download")
    return Response(
        body,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="dossier-{subject_id}.zip"',
            "Cache-Control": "no-store",
        },
    )


def _new_form(
    request: Request,
    ctx: Context,
    session: Session,
    subject_id: str,
    error: DomainError | None = None,
) -> HTMLResponse:
    get_subject(ctx, subject_id=subject_id)  # a 404 for a subject nobody knows
    return render(
        request,
        "request_new.html",
        status=status_of(error) if error else 200,
        session=session,
        subject_id=subject_id,
        kinds=[k.value for k in RequestKind],
        touchpoints=right_touchpoints(ctx),
        channels=[c.value for c in Channel],
        languages=LANGS,
        error=error,
    )


@router.get("/subjects/{subject_id}/requests/new")
def new_request(
    request: Request, ctx: Ctx, session: SessionDep, subject_id: str, _: Handlers
) -> HTMLResponse:
    return _new_form(request, ctx, session, subject_id)


@router.post("/subjects/{subject_id}/requests")
def open_request(
    request: Request,
    ctx: Ctx,
    session: CsrfSession,
    subject_id: str,
    user: Handlers,
    kind: Annotated[RequestKind, Form()],
    touchpoint: Annotated[str, Form(max_length=64)],
    channel: Annotated[Channel, Form()],
    language: Annotated[str, Form(max_length=2)] = "it",
    details: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    """Takes in a request the person made at a desk, by phone or by letter, for this subject."""
    try:
        view = rights_requests.submit_request(
            ctx,
            kind=kind,
            touchpoint=touchpoint,
            channel=channel,
            subject_id=subject_id,
            details=details.strip() or None,
            language=language,
            actor=actor(user),
        )
    except DomainError as exc:
        return _new_form(request, ctx, session, subject_id, exc)
    return redirect(f"{PREFIX}/requests/{view.id}?done=opened")
