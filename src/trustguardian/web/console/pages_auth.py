"""Signing in and out, the language switch, and the console's style sheet."""

from __future__ import annotations

import math
import secrets
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from trustguardian.domain.errors import TooManyAttempts
from trustguardian.i18n import languages
from trustguardian.service.access import sso, users
from trustguardian.service.context import Context
from trustguardian.web.console.core import (
    LANG_COOKIE,
    LOGIN_CSRF_COOKIE,
    PREFIX,
    SESSION_COOKIE,
    BadCsrf,
    CsrfSession,
    Ctx,
    check_same_origin,
    redirect,
    render,
    set_cookie,
)

router = APIRouter(prefix=PREFIX, include_in_schema=False)
STATIC = Path(__file__).parent.parent / "static"


def _login_form(request: Request, *, failed: bool, username: str, status: int) -> HTMLResponse:
    # Before a session exists, the CSRF token is a double-submitted cookie (SameSite=Strict).
    token = secrets.token_urlsafe(32)
    ctx: Context = request.app.state.context
    response = render(
        request,
        "login.html",
        status=status,
        failed=failed,
        username=username,
        login_csrf=token,
        sso_label=ctx.settings.oidc_label if sso.enabled(ctx) else "",
    )
    set_cookie(request, response, LOGIN_CSRF_COOKIE, token, max_age=3600)
    return response


@router.get("/login")
def login_page(request: Request) -> HTMLResponse:
    return _login_form(request, failed=False, username="", status=200)


@router.post("/login")
def login(
    request: Request,
    ctx: Ctx,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    check_same_origin(request)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(expected, csrf_token):
        raise BadCsrf("the sign-in form has expired: open it again")
    source = request.client.host if request.client else "unknown"
    try:
        session = users.login(ctx, username=username, password=password, source=source)
    except users.LoginFailed:
        return _login_form(request, failed=True, username=username, status=401)
    except TooManyAttempts as exc:  # this address failed too often: not even checked
        refused = _login_form(request, failed=True, username=username, status=429)
        refused.headers["Retry-After"] = str(max(1, math.ceil(exc.retry_after)))
        return refused
    response = redirect(PREFIX)
    max_age = int(ctx.settings.console_session_hours * 3600)
    set_cookie(request, response, SESSION_COOKIE, session.token, max_age=max_age)
    set_cookie(request, response, LOGIN_CSRF_COOKIE, "", max_age=0)
    return response


@router.post("/logout")
def logout(request: Request, ctx: Ctx, session: CsrfSession) -> Response:
    users.logout(ctx, token=session.token)
    response = redirect(f"{PREFIX}/login")
    set_cookie(request, response, SESSION_COOKIE, "", max_age=0)
    return response


@router.get("/lang/{code}")
def choose_language(request: Request, code: str, next: str = PREFIX) -> Response:
    """Sets the console's language and returns to the page (only a console page)."""
    target = (
        next if next.startswith(f"{PREFIX}") and "//" not in next and "\\" not in next else PREFIX
    )
    response = redirect(target)
    if code in languages():
        set_cookie(request, response, LANG_COOKIE, code, max_age=365 * 86400)
    return response


@router.get("/static/console.css")
def stylesheet() -> Response:
    return Response(
        (STATIC / "console.css").read_bytes(),
        media_type="text/css",
        headers={"Cache-Control": "public, max-age=3600"},
    )
