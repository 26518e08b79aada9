"""The operator page's guards: its cookie, the CSRF token bound to it, and the origin check.

The cookie holds the id of a server-side session (service.access.operator_sessions), never the
API key: it is HttpOnly, SameSite=Strict, scoped to /operator, Secure over TLS or in production
(as the console's cookies, `console_secure_cookies` forcing either way) and lives
`console_session_hours`, as the session does.

Every form posted with the cookie carries `csrf_token`, an HMAC of the cookie's value under a key
derived for the purpose; a page of another site can neither read the cookie nor compute it. A
POST whose Origin (or, without one, Referer) names another host is refused before anything else.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlsplit

from fastapi import Request, Response

from trustguardian.domain.errors import Forbidden
from trustguardian.service.context import Context
from trustguardian.vault import derive_key

COOKIE = "tg_operator"
PATH = "/operator"
PURPOSE_OPERATOR_CSRF = "operator-csrf/v1"


class ForeignForm(Forbidden):
    code = "foreign-form"
    title = "The form did not come from this page"


def check_origin(request: Request) -> None:
    """Refuses a POST sent from another site: its Origin, or its Referer, must be ours."""
    ctx: Context = request.app.state.context
    sent = request.headers.get("origin") or request.headers.get("referer")
    if sent is None:
        return  # not a browser's cross-site form: browsers send Origin on every such POST
    ours = {request.headers.get("host", ""), urlsplit(ctx.settings.public_base_url).netloc}
    if sent == "null" or urlsplit(sent).netloc not in ours:
        raise ForeignForm("the form was posted from another site")


def csrf_token(ctx: Context, cookie: str) -> str:
    """The token the page's forms carry for this cookie."""
    key = derive_key(ctx.keys.master, PURPOSE_OPERATOR_CSRF)
    return hmac.new(key, cookie.encode("utf-8"), hashlib.sha256).hexdigest()


def check_csrf(ctx: Context, cookie: str, sent: str) -> None:
    if not sent or not hmac.compare_digest(sent, csrf_token(ctx, cookie)):
        raise ForeignForm("the form's security token does not match this sign-in")


def set_cookie(request: Request, response: Response, value: str) -> None:
    ctx: Context = request.app.state.context
    secure = ctx.settings.console_secure_cookies
    if secure is None:
        secure = request.url.scheme == "https" or ctx.settings.environment == "production"
    response.set_cookie(
        COOKIE,
        value,
        max_age=int(ctx.settings.console_session_hours * 3600),
        httponly=True,
        samesite="strict",
        secure=secure,
        path=PATH,
    )
