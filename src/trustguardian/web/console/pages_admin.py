"""For the DPO: the access log and the console's users."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import AwareDatetime

from trustguardian.domain.errors import FieldError, InvalidInput
from trustguardian.domain.roles import PERMISSIONS, AdminUser, Permission, Role
from trustguardian.service.access import users
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
SUBJECT_ID = re.compile(r"^sub_[0-9a-f]{1,64}$")
PAGE = 200


@router.get("/access-log")
def access_log(
    request: Request,
    ctx: Ctx,
    session: SessionDep,
    _: Annotated[AdminUser, Depends(need(Permission.VIEW_ACCESS_LOG))],
    subject: str | None = None,
    before: AwareDatetime | None = None,
) -> HTMLResponse:
    subject = (subject or "").strip() or None
    if subject is not None and not SUBJECT_ID.fullmatch(subject):
        raise InvalidInput(
            "not a subject id", errors=[FieldError("subject", "sub_ and hex digits")]
        )
    records = users.access_log(ctx, subject_id=subject, before=before, limit=PAGE)
    older = None
    if len(records) == PAGE:
        older = {"before": records[-1].at.isoformat(), **({"subject": subject} if subject else {})}
    return render(
        request, "access_log.html", session=session, records=records, subject=subject, older=older
    )


@router.get("/users")
def user_list(
    request: Request,
    ctx: Ctx,
    session: SessionDep,
    _: Annotated[AdminUser, Depends(need(Permission.MANAGE_USERS))],
) -> HTMLResponse:
    return render(
        request,
        "users.html",
        session=session,
        users=users.list_users(ctx),
        now=ctx.clock.now(),
        roles=list(Role),
        permissions=list(Permission),
        table=PERMISSIONS,
        message=None,
    )


@router.post("/users/unlock")
def unlock(
    ctx: Ctx,
    session: CsrfSession,
    username: Annotated[str, Form(max_length=80)],
    _: Annotated[AdminUser, Depends(need(Permission.MANAGE_USERS))],
) -> Response:
    users.unlock_user(ctx, username=username)
    return redirect(f"{PREFIX}/users")
