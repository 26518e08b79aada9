"""Single sign-on: the way to the identity provider and back (service.access.sso)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from trustguardian.service.access import sso
from trustguardian.web.console.core import PREFIX, SESSION_COOKIE, Ctx, render, set_cookie

router = APIRouter(prefix=f"{PREFIX}/sso", include_in_schema=False)
FLOW_COOKIE = "tg_sso"


@router.get("/start")
def start(request: Request, ctx: Ctx) -> Response:
    started = sso.start(ctx)
    response = RedirectResponse(started.url, status_code=303)
    # Lax, not Strict: the provider's redirect back is a cross-site navigation.
    response.set_cookie(
        FLOW_COOKIE,
        started.cookie,
        max_age=sso.FLOW_SECONDS,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path=f"{PREFIX}/sso",
    )
    return response


@router.get("/callback")
def callback(
    request: Request, ctx: Ctx, state: str = "", code: str = "", error: str = ""
) -> Response:
    if error or not code:
        raise sso.SsoFailed(f"the identity provider did not sign you in ({error or 'no code'})")
    session = sso.finish(ctx, cookie=request.cookies.get(FLOW_COOKIE, ""), state=state, code=code)
    # The session cookie is SameSite=Strict, and this request came from the provider's site: a
    # redirect would carry that cross-site origin, so a page of ours moves on to the console.
    response: HTMLResponse = render(request, "signed_in.html", session=session)
    max_age = int(ctx.settings.console_session_hours * 3600)
    set_cookie(request, response, SESSION_COOKIE, session.token, max_age=max_age)
    response.delete_cookie(FLOW_COOKIE, path=f"{PREFIX}/sso")
    return response
