"""The dashboard, the touchpoint map, touchpoints and the ledger."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from trustguardian.domain.registry import STATUS_MOVES, TouchpointStatus
from trustguardian.domain.roles import AdminUser, Permission
from trustguardian.service.access import users
from trustguardian.service.console import overview as console
from trustguardian.service.console import queues as console_queues
from trustguardian.service.registry.census import examine_touchpoints
from trustguardian.service.registry.securing import secure_touchpoint, touchpoint_signoffs
from trustguardian.service.registry.touchpoints import TouchpointPatch, update_touchpoint
from trustguardian.service.verify.full import verify_ledger
from trustguardian.web.console.core import (
    PREFIX,
    CsrfSession,
    Ctx,
    SessionDep,
    need,
    reader_words,
    redirect,
    render,
)

router = APIRouter(prefix=PREFIX, include_in_schema=False)
Dashboard = Annotated[AdminUser, Depends(need(Permission.VIEW_DASHBOARD))]
Registry = Annotated[AdminUser, Depends(need(Permission.VIEW_REGISTRY))]
Ledger = Annotated[AdminUser, Depends(need(Permission.VIEW_LEDGER))]
STATUSES = [s.value for s in TouchpointStatus]


@router.get("")
def dashboard(request: Request, ctx: Ctx, session: SessionDep, _: Dashboard) -> HTMLResponse:
    return render(
        request,
        "dashboard.html",
        session=session,
        d=console.dashboard(ctx),
        statuses=STATUSES,
        # Requests name pseudonymous subjects and deadlines only, for those who may see them.
        requests=(
            console_queues.requests_due(ctx) if session.user.can(Permission.VIEW_REQUESTS) else None
        ),
        now=ctx.clock.now(),
    )


@router.get("/map")
def touchpoint_map(request: Request, ctx: Ctx, session: SessionDep, _: Registry) -> HTMLResponse:
    return render(request, "map.html", session=session, m=console.touchpoint_map(ctx))


@router.get("/touchpoints")
def touchpoints(request: Request, ctx: Ctx, session: SessionDep, _: Registry) -> HTMLResponse:
    rows = console.touchpoint_rows(ctx)
    return render(request, "touchpoints.html", session=session, rows=rows)


def _touchpoint(
    request: Request, ctx: Ctx, session: SessionDep, key: str, message: str | None = None
) -> HTMLResponse:
    page = console.touchpoint_page(ctx, key=key)
    # Securing is a sign-off with a note (below), not a move of the status.
    moves = sorted(
        m.value for m in STATUS_MOVES[page.touchpoint.status] if m is not TouchpointStatus.SECURED
    )
    return render(
        request,
        "touchpoint.html",
        session=session,
        p=page,
        moves=moves,
        message=message,
        signoffs=touchpoint_signoffs(ctx, key=key),
    )


@router.get("/touchpoints/{key}")
def touchpoint(
    request: Request, ctx: Ctx, session: SessionDep, key: str, _: Registry
) -> HTMLResponse:
    return _touchpoint(request, ctx, session, key)


@router.post("/touchpoints/{key}/status")
def change_status(
    request: Request,
    ctx: Ctx,
    session: CsrfSession,
    key: str,
    status: Annotated[TouchpointStatus, Form()],
    _: Annotated[AdminUser, Depends(need(Permission.EDIT_TOUCHPOINTS))],
) -> Response:
    update_touchpoint(ctx, key=key, patch=TouchpointPatch(status=status))
    return redirect(f"{PREFIX}/touchpoints/{key}")


@router.post("/touchpoints/{key}/secure")
def secure(
    request: Request,
    ctx: Ctx,
    session: CsrfSession,
    key: str,
    note: Annotated[str, Form()],
    _: Annotated[AdminUser, Depends(need(Permission.EDIT_TOUCHPOINTS))],
) -> Response:
    """Signs the touchpoint off as secured in the signed-in user's name."""
    secure_touchpoint(ctx, key=key, by=session.user.username, note=note)
    return redirect(f"{PREFIX}/touchpoints/{key}")


@router.post("/touchpoints/{key}/examine")
def examine(
    request: Request,
    ctx: Ctx,
    session: CsrfSession,
    key: str,
    _: Annotated[AdminUser, Depends(need(Permission.EDIT_TOUCHPOINTS))],
) -> Response:
    """Runs the census rules on the touchpoint now: findings open or resolve, status follows."""
    examine_touchpoints(ctx, key=key)
    return redirect(f"{PREFIX}/touchpoints/{key}")


@router.get("/ledger")
def ledger(
    request: Request, ctx: Ctx, session: SessionDep, _: Ledger, message: str | None = None
) -> HTMLResponse:
    return _ledger(request, ctx, session)


def _ledger(
    request: Request, ctx: Ctx, session: SessionDep, message: str | None = None, ok: bool = True
) -> HTMLResponse:
    state = console.ledger_state(ctx)
    return render(
        request,
        "ledger.html",
        session=session,
        checkpoint=state.checkpoint,
        size=state.size,
        verification=state.verification,
        verifier_key=ctx.keys.signer.verifier_key,
        message=message,
        ok=ok,
    )


@router.post("/ledger/verify")
def verify_now(
    request: Request,
    ctx: Ctx,
    session: CsrfSession,
    _: Annotated[AdminUser, Depends(need(Permission.VERIFY_LEDGER))],
) -> HTMLResponse:
    report = verify_ledger(ctx)
    users.record_verification(
        ctx, tree_size=report.tree_size, problems=len(report.problems), by=session.user.username
    )
    _t = reader_words(request)
    message = (
        _t("The ledger verified: {n} events.", n=report.events)
        if report.ok
        else _t("The ledger did NOT verify: {n} problems.", n=len(report.problems))
    )
    return _ledger(request, ctx, session, message, report.ok)
