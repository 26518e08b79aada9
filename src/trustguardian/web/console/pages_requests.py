"""The rights-request work queue: the list by deadline, a request with its steps, and its actions.

Every action goes through the rights use cases (`rights_requests`, `rights_verify`,
`rights_fulfil`), acting as `console:<username>`; a refused action shows the request again with
the reason. A request's page shows the person's own words, so opening it is logged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from trustguardian.domain.errors import DomainError
from trustguardian.domain.rights import MOVES, RequestKind, RequestStatus
from trustguardian.domain.roles import AdminUser, Permission
from trustguardian.problems import status_of
from trustguardian.service.access import users
from trustguardian.service.access.users import Session
from trustguardian.service.console import queues as console_queues
from trustguardian.service.console.queues import Queue
from trustguardian.service.context import Context
from trustguardian.service.rights import requests as rights_requests
from trustguardian.service.rights import verification as rights_verify
from trustguardian.service.rights.effects import identifiers_from, lift_restriction
from trustguardian.service.rights.fulfil import fulfil_request
from trustguardian.web.console.core import (
    PREFIX,
    CsrfSession,
    Ctx,
    SessionDep,
    need,
    redirect,
    render,
)

router = APIRouter(prefix=PREFIX, include_in_schema=False)
Readers = Annotated[AdminUser, Depends(need(Permission.VIEW_REQUESTS))]
Handlers = Annotated[AdminUser, Depends(need(Permission.HANDLE_REQUESTS))]
Text = Annotated[str, Form(max_length=4000)]
# Kind and assignee filter each page read, so a page reads many requests at once.
QUEUE_PAGE = 200
# What a finished action says on the request's page (keys travel in the redirect's query).
DONE = {
    "code-sent": "A verification code was sent to the person.",
    "confirmed": "The code is right: the request is in progress.",
    "started": "The request is in progress.",
    "extended": "The deadline is extended; the person was told why.",
    "rejected": "The request is rejected; the person was told the reasons.",
    "fulfilled": "The request is fulfilled; the person was told.",
    "assigned": "The assignment is saved.",
    "lifted": "The restriction is lifted; the person was told.",
    "opened": "The rights request is open; its deadline runs from its receipt.",
}


def actor(user: AdminUser) -> str:
    """How a console user appears in the steps and proofs of what they do."""
    return f"console:{user.username}"


@router.get("/requests")
def queue(
    request: Request,
    ctx: Ctx,
    session: SessionDep,
    _: Readers,
    view: Queue = Queue.OPEN,
    kind: RequestKind | None = None,
    assignee: str | None = None,
    cursor: str | None = None,
) -> HTMLResponse:
    items, next_cursor = console_queues.request_queue(
        ctx, queue=view, kind=kind, assignee=assignee or None, cursor=cursor, limit=QUEUE_PAGE
    )
    more = None
    if next_cursor:
        more = {"view": view.value, "cursor": next_cursor}
        if kind:
            more["kind"] = kind.value
        if assignee:
            more["assignee"] = assignee
    return render(
        request,
        "requests.html",
        session=session,
        items=items,
        view=view.value,
        views=[q.value for q in Queue],
        kind=kind.value if kind else "",
        kinds=[k.value for k in RequestKind],
        assignee=assignee or "",
        handlers=console_queues.handlers(ctx),
        more=more,
        now=ctx.clock.now(),
    )


def request_page(
    request: Request,
    ctx: Context,
    session: Session,
    request_id: str,
    *,
    done: str | None = None,
    error: DomainError | None = None,
) -> HTMLResponse:
    """A request with its steps and the actions its status allows; the view is logged."""
    view = rights_requests.get_request(ctx, request_id=request_id)
    users.log_subject_view(
        ctx, user=session.user, subject_id=view.subject_id, what=f"rights request {view.id}"
    )
    item = console_queues.request_item(ctx, view=view)
    return render(
        request,
        "request.html",
        status=status_of(error) if error else 200,
        session=session,
        personal=True,
        item=item,
        r=view,
        moves=[m.value for m in MOVES[view.status]],
        handlers=console_queues.handlers(ctx),
        done=DONE.get(done or ""),
        error=error,
        now=ctx.clock.now(),
    )


@router.get("/requests/{request_id}")
def one(
    request: Request,
    ctx: Ctx,
    session: SessionDep,
    request_id: str,
    _: Readers,
    done: str | None = None,
) -> HTMLResponse:
    return request_page(request, ctx, session, request_id, done=done)


def act(
    request: Request,
    ctx: Context,
    session: Session,
    request_id: str,
    done: str,
    action: Callable[[], Any],
) -> Response:
    """Runs an action; on success back to the request (303), on refusal the page with why."""
    try:
        action()
    except DomainError as exc:
        return request_page(request, ctx, session, request_id, error=exc)
    return redirect(f"{PREFIX}/requests/{request_id}?done={done}")


@router.post("/requests/{request_id}/verification")
def start_verification(
    request: Request, ctx: Ctx, session: CsrfSession, request_id: str, user: Handlers
) -> Response:
    """Sends the person a verification code (the request becomes verifying)."""
    return act(
        request,
        ctx,
        session,
        request_id,
        "code-sent",
        lambda: rights_verify.send_code(ctx, request_id=request_id, actor=actor(user)),
    )


@router.post("/requests/{request_id}/confirm")
def confirm(
    request: Request,
    ctx: Ctx,
    session: CsrfSession,
    request_id: str,
    user: Handlers,
    code: Annotated[str, Form(max_length=12)],
) -> Response:
    """Checks the code the person read back (by phone or at the desk)."""
    return act(
        request,
        ctx,
        session,
        request_id,
        "confirmed",
        lambda: rights_verify.confirm_code(
            ctx, request_id=request_id, code=code, actor=actor(user)
        ),
    )


@router.post("/requests/{request_id}/start")
def start(
    request: Request, ctx: Ctx, session: CsrfSession, request_id: str, user: Handlers
) -> Response:
    """Puts the request in progress (the identity was verified by other means)."""
    return act(
        request,
        ctx,
        session,
        request_id,
        "started",
        lambda: rights_requests.advance_request(
            ctx, request_id=request_id, to=RequestStatus.IN_PROGRESS, actor=actor(user)
        ),
    )


@router.post("/requests/{request_id}/extend")
def extend(
    request: Request,
    ctx: Ctx,
    session: CsrfSession,
    request_id: str,
    user: Handlers,
    reason: Text = "",
) -> Response:
    return act(
        request,
        ctx,
        session,
        request_id,
        "extended",
        lambda: rights_verify.extend_request(
            ctx, request_id=request_id, reason=reason, actor=actor(user)
        ),
    )


@router.post("/requests/{request_id}/reject")
def reject(
    request: Request,
    ctx: Ctx,
    session: CsrfSession,
    request_id: str,
    user: Handlers,
    outcome: Text = "",
) -> Response:
    return act(
        request,
        ctx,
        session,
        request_id,
        "rejected",
        lambda: rights_requests.advance_request(
            ctx,
            request_id=request_id,
            to=RequestStatus.REJECTED,
            actor=actor(user),
            outcome=outcome.strip() or None,
        ),
    )


@router.post("/requests/{request_id}/fulfil")
def fulfil(
    request: Request,
    ctx: Ctx,
    session: CsrfSession,
    request_id: str,
    user: Handlers,
    outcome: Text = "",
    purposes: Text = "",
    email: Text = "",
    phone: Text = "",
) -> Response:
    held = [p.strip() for p in purposes.split(",") if p.strip()]
    return act(
        request,
        ctx,
        session,
        request_id,
        "fulfilled",
        lambda: fulfil_request(
            ctx,
            request_id=request_id,
            actor=actor(user),
            outcome=outcome.strip() or None,
            purposes=held or None,
            identifiers=identifiers_from(email.strip() or None, phone.strip() or None),
        ),
    )


@router.post("/requests/{request_id}/lift")
def lift(
    request: Request,
    ctx: Ctx,
    session: CsrfSession,
    request_id: str,
    user: Handlers,
    reason: Text = "",
) -> Response:
    """Lifts a restriction (art. 18(3)); the person is told."""
    return act(
        request,
        ctx,
        session,
        request_id,
        "lifted",
        lambda: lift_restriction(
            ctx, request_id=request_id, actor=actor(user), reason=reason.strip() or None
        ),
    )


@router.post("/requests/{request_id}/assign")
def assign(
    request: Request,
    ctx: Ctx,
    session: CsrfSession,
    request_id: str,
    user: Handlers,
    username: Annotated[str, Form(max_length=80)] = "",
) -> Response:
    return act(
        request,
        ctx,
        session,
        request_id,
        "assigned",
        lambda: console_queues.assign_request(
            ctx, request_id=request_id, username=username, by=user.username
        ),
    )
