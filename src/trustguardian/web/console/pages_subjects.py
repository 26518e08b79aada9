"""Subjects: search through the blind index, the person's page, proofs and evidence files.

Identifiers travel only in POSTed forms; URLs carry the pseudonymous subject and event ids.
Every page that shows a person's data records the view in the access log first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from trustguardian.domain.errors import InvalidInput, NotFound
from trustguardian.domain.registry import Channel
from trustguardian.domain.roles import AdminUser, Permission
from trustguardian.domain.subjects import IdentifierKind
from trustguardian.reports.dossier import file_extension
from trustguardian.service.access import users
from trustguardian.service.access.users import Session
from trustguardian.service.collect.proofs import read_proof
from trustguardian.service.console.overview import registry_purposes
from trustguardian.service.console.queues import subject_cases
from trustguardian.service.console.subject import (
    event_of_subject,
    find_subject_id,
    proof_page,
    subject_page,
)
from trustguardian.service.context import Context
from trustguardian.service.engage.checks import CheckOutcome, CheckRequest, check_contact
from trustguardian.service.events.identifiers import normalise
from trustguardian.web.console.core import (
    PREFIX,
    SNAPSHOT_POLICY,
    CsrfSession,
    Ctx,
    SessionDep,
    need,
    redirect,
    render,
    served,
)

router = APIRouter(prefix=PREFIX, include_in_schema=False)
Subjects = Annotated[AdminUser, Depends(need(Permission.VIEW_SUBJECTS))]
Proofs = Annotated[AdminUser, Depends(need(Permission.VIEW_PROOFS))]
Files = Annotated[AdminUser, Depends(need(Permission.VIEW_EVIDENCE_FILES))]
SEARCHABLE = {IdentifierKind.EMAIL, IdentifierKind.PHONE, IdentifierKind.CUSTOMER_ID}


@dataclass(frozen=True)
class SubjectAction:
    label: str
    path: str  # with {subject_id}
    permission: Permission


# Buttons on a subject's page, shown once a route serves their path (dossiers and rights
# requests come with their own features).
SUBJECT_ACTIONS: list[SubjectAction] = [
    SubjectAction(
        "Download the dossier",
        "/console/subjects/{subject_id}/dossier",
        Permission.DOWNLOAD_DOSSIER,
    ),
    SubjectAction(
        "Open a rights request",
        "/console/subjects/{subject_id}/requests/new",
        Permission.HANDLE_REQUESTS,
    ),
]


@router.get("/subjects")
def search_page(request: Request, session: SessionDep, _: Subjects) -> HTMLResponse:
    return render(
        request, "subjects.html", session=session, kind="email", not_found=False, error=None
    )


@router.post("/subjects/search")
def search(
    request: Request,
    ctx: Ctx,
    session: CsrfSession,
    user: Subjects,
    kind: Annotated[IdentifierKind, Form()],
    value: Annotated[str, Form(max_length=320)],
) -> Response:
    def again(status: int, *, not_found: bool = False, error: str | None = None) -> HTMLResponse:
        return render(
            request,
            "subjects.html",
            status=status,
            session=session,
            kind=kind.value,
            not_found=not_found,
            error=error,
            personal=True,
        )

    if kind not in SEARCHABLE:
        return again(422, error="search by e-mail, phone or customer id")
    try:
        identifier = normalise(kind, value, region=ctx.settings.default_phone_region, loc="value")
        subject_id = find_subject_id(ctx, identifier=identifier)
    except InvalidInput as exc:
        return again(422, error=exc.detail)
    except NotFound:
        return again(404, not_found=True)
    users.log_subject_view(ctx, user=user, subject_id=subject_id, what=f"search by {kind.value}")
    return redirect(f"{PREFIX}/subjects/{subject_id}")


def _subject(
    request: Request,
    ctx: Context,
    session: Session,
    subject_id: str,
    *,
    what: str,
    check: CheckOutcome | None = None,
) -> HTMLResponse:
    page = subject_page(ctx, subject_id=subject_id)
    users.log_subject_view(ctx, user=session.user, subject_id=subject_id, what=what)
    purposes = sorted(registry_purposes(ctx))
    cases = (
        subject_cases(ctx, subject_id=subject_id)
        if session.user.can(Permission.VIEW_REQUESTS)
        else None
    )
    actions = [
        {"label": a.label, "path": a.path.format(subject_id=subject_id)}
        for a in SUBJECT_ACTIONS
        if session.user.can(a.permission) and served(request, a.path)
    ]
    return render(
        request,
        "subject.html",
        session=session,
        personal=True,
        s=page,
        check=check,
        purposes=purposes,
        channels=[c.value for c in Channel],
        actions=actions,
        cases=cases,
    )


@router.get("/subjects/{subject_id}")
def subject(
    request: Request, ctx: Ctx, session: SessionDep, subject_id: str, _: Subjects
) -> HTMLResponse:
    return _subject(request, ctx, session, subject_id, what="consents, timeline, checks, contacts")


@router.post("/subjects/{subject_id}/check")
def check(
    request: Request,
    ctx: Ctx,
    session: CsrfSession,
    subject_id: str,
    purpose: Annotated[str, Form(max_length=64)],
    channel: Annotated[Channel, Form()],
    _: Annotated[AdminUser, Depends(need(Permission.CHECK_CONTACT))],
) -> HTMLResponse:
    outcome = check_contact(
        ctx, request=CheckRequest(purpose=purpose, channel=channel, subject_id=subject_id)
    )
    return _subject(
        request,
        ctx,
        session,
        subject_id,
        what=f"contact check {purpose}/{channel.value}",
        check=outcome,
    )


@router.get("/events/{event_id}/proofs/{position}")
def proof(
    request: Request, ctx: Ctx, session: SessionDep, event_id: str, position: int, _: Proofs
) -> HTMLResponse:
    page = proof_page(ctx, event_id=event_id, position=position)
    users.log_subject_view(
        ctx,
        user=session.user,
        subject_id=page.event.subject_id,
        what=f"proof {position} ({page.type.value}) of {event_id}",
    )
    return render(request, "proof.html", session=session, personal=True, p=page, position=position)


def _file(
    ctx: Context, user: AdminUser, event_id: str, position: int, what: str
) -> tuple[bytes, str]:
    opened = read_proof(ctx, event_id=event_id, position=position)
    if opened.file is None:
        raise NotFound(f"proof {position} of {event_id!r} has no file")
    event = event_of_subject(ctx, event_id=event_id)  # read_proof found it
    users.log_subject_view(ctx, user=user, subject_id=event.subject_id, what=what)
    media = str(opened.content.get("file", {}).get("media_type", "application/octet-stream"))
    return opened.file, media


@router.get("/events/{event_id}/proofs/{position}/snapshot")
def snapshot(ctx: Ctx, event_id: str, position: int, user: Files) -> Response:
    """A form snapshot for the sandboxed frame: the policy forbids scripts, forms and loads."""
    body, _ = _file(ctx, user, event_id, position, f"form snapshot {position} of {event_id}")
    return Response(
        body,
        media_type="text/html; charset=utf-8",
        headers={
            "Content-Security-Policy": SNAPSHOT_POLICY,
            "X-Frame-Options": "SAMEORIGIN",
            "Cache-Control": "no-store",
        },
    )


@router.get("/events/{event_id}/proofs/{position}/file")
def evidence_file(ctx: Ctx, event_id: str, position: int, user: Files) -> Response:
    """The evidence file as a download, never rendered inside the console."""
    body, media = _file(ctx, user, event_id, position, f"evidence file {position} of {event_id}")
    # A page a browser would script (a form snapshot) is named `.html.txt`, as in dossiers.
    extension = file_extension(media)
    return Response(
        body,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="{event_id}-{position}{extension}"',
            "Content-Security-Policy": "sandbox; default-src 'none'",
            "Cache-Control": "no-store",
        },
    )
