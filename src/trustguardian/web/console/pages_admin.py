"""For the DPO: the access log and the console's users."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import AwareDatetime

from trustguardian.domain.errors import Conflict, FieldError, InvalidInput
from trustguardian.domain.roles import PERMISSIONS, AdminUser, Permission, Role
from trustguardian.service.access import users
from trustguardian.service.context import Context
from trustguardian.web.console.core import (
    PREFIX,
    CsrfSession,
    Ctx,
    SessionDep,
    need,
    redirect,
    render,
)
from trustguardian.web.console.forms import Fields, Submitted, show
from trustguardian.web.console.pages_requests import actor

router = APIRouter(prefix=PREFIX, include_in_schema=False)
Manager = Annotated[AdminUser, Depends(need(Permission.MANAGE_USERS))]
USERS = f"{PREFIX}/users"
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


@router.get("/manage")
def administration(
    request: Request,
    session: SessionDep,
    _: Annotated[AdminUser, Depends(need(Permission.MANAGE_KEYS))],
) -> HTMLResponse:
    """One entry in the navigation for the administration pages each role may open."""
    return render(request, "manage.html", session=session)


@router.get("/users")
def user_list(
    request: Request,
    ctx: Ctx,
    session: SessionDep,
    _: Manager,
) -> HTMLResponse:
    return show(request, session, "users.html", **_users_page(ctx))


def _users_page(ctx: Context) -> dict[str, object]:
    return {
        "users": users.list_users(ctx),
        "now": ctx.clock.now(),
        "roles": list(Role),
        "role_choices": [(r.value, r.value) for r in Role],
        "permissions": list(Permission),
        "table": PERMISSIONS,
        "message": None,
    }


@router.post("/users")
def create_user(ctx: Ctx, post: Submitted, user: Manager) -> Response:
    def action(f: Fields) -> str:
        username, role = f.text("username", limit=80), f.choice("role", Role)
        password = str(f.form.get("password") or "")
        f.check()
        users.create_user(ctx, username=username, password=password, role=role, actor=actor(user))
        return USERS

    return post.run("users.html", _users_page(ctx), action)


@router.post("/users/role")
def set_role(ctx: Ctx, post: Submitted, user: Manager) -> Response:
    def action(f: Fields) -> str:
        username, role = f.text("username", limit=80), f.choice("role", Role)
        f.check()
        _not_yourself(user, username)
        users.set_role(ctx, username=username, role=role, actor=actor(user))
        return USERS

    return post.run("users.html", _users_page(ctx), action)


@router.post("/users/disable")
def disable_user(ctx: Ctx, post: Submitted, user: Manager) -> Response:
    def action(f: Fields) -> str:
        username = f.text("username", limit=80)
        _not_yourself(user, username)
        users.disable_user(ctx, username=username, actor=actor(user))
        return USERS

    return post.run("users.html", _users_page(ctx), action)


def _not_yourself(user: AdminUser, username: str) -> None:
    """The DPO cannot lock themselves out: another user with the role does it."""
    if username == user.username:
        raise Conflict("you cannot change your own role or disable yourself")


@router.post("/users/unlock")
def unlock(
    ctx: Ctx,
    session: CsrfSession,
    username: Annotated[str, Form(max_length=80)],
    _: Annotated[AdminUser, Depends(need(Permission.MANAGE_USERS))],
) -> Response:
    users.unlock_user(ctx, username=username)
    return redirect(USERS)
