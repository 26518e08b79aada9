"""Console plumbing: templates, the signed-in user, permissions, CSRF, cookies, security headers."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import jinja2
from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from trustguardian import __version__
from trustguardian.domain.errors import DomainError, Forbidden, Unauthorized
from trustguardian.domain.roles import AdminUser, Permission
from trustguardian.i18n import Words, languages, negotiate, words
from trustguardian.i18n.access_log import access_what
from trustguardian.i18n.findings import finding_text
from trustguardian.service.access.users import Session, open_session
from trustguardian.service.context import Context

PLACEHOLDER = re.compile(r"\{[^}]+\}")
SESSION_COOKIE = "tg_session"
LOGIN_CSRF_COOKIE = "tg_login_csrf"
LANG_COOKIE = "tg_lang"
PREFIX = "/console"

CONSOLE_TEMPLATES = Path(__file__).parent.parent / "templates" / "console"


def _templates(loader: jinja2.BaseLoader) -> Jinja2Templates:
    env = jinja2.Environment(
        loader=loader,
        autoescape=True,  # every value is escaped; nothing in the console is marked safe by hand
        undefined=jinja2.StrictUndefined,
        # gettext, ngettext and `{% trans %}`; each render passes the reader's catalog.
        extensions=["jinja2.ext.i18n"],
    )
    return Jinja2Templates(env=env)


TEMPLATES = _templates(jinja2.FileSystemLoader(str(CONSOLE_TEMPLATES)))


def console_templates(request: Request) -> Jinja2Templates:
    """The console's templates; with `templates_dir` set, its `console/` folder's come first."""
    ctx: Context = request.app.state.context
    if ctx.settings.templates_dir is None:
        return TEMPLATES
    found: Jinja2Templates | None = getattr(request.app.state, "console_templates", None)
    if found is None:
        own = jinja2.FileSystemLoader(str(ctx.settings.templates_dir / "console"))
        package = jinja2.FileSystemLoader(str(CONSOLE_TEMPLATES))
        found = _templates(jinja2.ChoiceLoader([own, package]))
        request.app.state.console_templates = found
    return found


# Console pages load nothing from elsewhere and run only our own files; a form snapshot is framed
# from this origin, under its own sandbox policy (see SNAPSHOT_POLICY).
PAGE_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; "
    "frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SNAPSHOT_POLICY = (
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "form-action 'none'; frame-ancestors 'self'"
)


class NotSignedIn(Unauthorized):
    code = "not-signed-in"
    title = "Sign in to the console"


class NotAllowed(Forbidden):
    code = "not-allowed"
    title = "Your role does not allow this"


class BadCsrf(Forbidden):
    code = "bad-csrf"
    title = "The form has expired or did not come from this console"


def get_ctx(request: Request) -> Context:
    ctx: Context = request.app.state.context
    return ctx


Ctx = Annotated[Context, Depends(get_ctx)]


def current_session(request: Request, ctx: Ctx) -> Session:
    """The signed-in user's session, or NotSignedIn (pages turn it into a redirect to login)."""
    token = request.cookies.get(SESSION_COOKIE)
    session = open_session(ctx, token=token) if token else None
    if session is None:
        raise NotSignedIn("sign in to the console first")
    request.state.console_session = session
    return session


SessionDep = Annotated[Session, Depends(current_session)]


def need(permission: Permission) -> Callable[..., AdminUser]:
    """A dependency: the signed-in user, who must hold a permission."""

    def dependency(session: SessionDep) -> AdminUser:
        if not session.user.can(permission):
            raise NotAllowed(f"the role {session.user.role.value!r} may not do this ({permission})")
        return session.user

    return dependency


def check_same_origin(request: Request) -> None:
    """Refuses a form posted from another site (SameSite cookies already stop most).

    Hosts are compared, not schemes: behind a proxy that ends TLS the request may look plain.
    """
    origin = request.headers.get("origin")
    if not origin:
        return
    ctx: Context = request.app.state.context
    ours = {request.headers.get("host", ""), urlsplit(ctx.settings.public_base_url).netloc}
    if urlsplit(origin).netloc not in ours:
        raise BadCsrf("the form was posted from another site")


def csrf_checked(
    request: Request, session: SessionDep, csrf_token: Annotated[str, Form()] = ""
) -> Session:
    """A dependency for every state-changing form: the session's CSRF token must come back."""
    check_same_origin(request)
    if not csrf_token or not secrets.compare_digest(csrf_token, session.csrf_token):
        raise BadCsrf("the form's security token does not match this session")
    return session


CsrfSession = Annotated[Session, Depends(csrf_checked)]


def language(request: Request) -> str:
    """The console's language: the reader's choice (cookie), else Accept-Language, else English."""
    return negotiate(
        request.cookies.get(LANG_COOKIE),
        accept_language=request.headers.get("accept-language", ""),
        default="en",
    )


def reader_words(request: Request) -> Words:
    """The reader's words, and the company's clock (settings.timezone)."""
    ctx: Context = request.app.state.context
    return words(language(request), ctx.settings.timezone)


def i18n_context(t: Words) -> dict[str, Any]:
    """What a template reads words and times with: `_`, `gettext`, `label`, `when`, `day`..."""
    return {
        "_": t,
        "gettext": t,
        "ngettext": t.ngettext,
        "pgettext": t.pgettext,
        "npgettext": t.npgettext,
        "label": t.label,
        "labels": lambda context, values: ", ".join(t.label(context, v) for v in values),
        "access_what": lambda what: access_what(t, what),
        "finding_text": lambda text: finding_text(t, text),
        "when": t.when,
        "day": t.day,
        "clock": t.clock,
        "lang": t.lang,
        "languages": languages(),
        "zone": t.zone.key,
    }


@dataclass(frozen=True)
class NavItem:
    path: str
    label: str
    permission: Permission


# The console's sections. An entry shows only once a route serves its path, so the work queues
# of rights requests and complaints appear by themselves when their pages are installed.
NAV: list[NavItem] = [
    NavItem("/console", "Dashboard", Permission.VIEW_DASHBOARD),
    NavItem("/console/map", "Touchpoint map", Permission.VIEW_REGISTRY),
    NavItem("/console/touchpoints", "Touchpoints", Permission.VIEW_REGISTRY),
    NavItem("/console/subjects", "Subjects", Permission.VIEW_SUBJECTS),
    NavItem("/console/purposes", "Purposes", Permission.VIEW_REGISTRY),
    NavItem("/console/notices", "Notices", Permission.VIEW_REGISTRY),
    NavItem("/console/lists", "Lists", Permission.CHECK_CONTACT),
    NavItem("/console/requests", "Requests", Permission.VIEW_REQUESTS),
    NavItem("/console/complaints", "Complaints", Permission.VIEW_REQUESTS),
    NavItem("/console/ledger", "Ledger", Permission.VIEW_LEDGER),
    NavItem("/console/access-log", "Access log", Permission.VIEW_ACCESS_LOG),
    # Systems and webhooks, API keys, users: one entry, so the sections fit one line.
    NavItem("/console/manage", "Administration", Permission.MANAGE_KEYS),
]


def served(request: Request, path: str) -> bool:
    """Tells whether the app answers GET on a path template (e.g. a later feature's page).

    Asks the routes themselves (included routers hold theirs out of `app.routes`).
    """
    scope = {
        "type": "http",
        "method": "GET",
        "path": PLACEHOLDER.sub("x", path),
        "root_path": "",
        "headers": [],
        "query_string": b"",
    }
    return any(route.matches(scope)[0] is Match.FULL for route in request.app.router.routes)


def render(
    request: Request,
    template: str,
    *,
    status: int = 200,
    session: Session | None = None,
    personal: bool = False,
    **values: Any,
) -> HTMLResponse:
    """Renders a console page in the reader's language; `personal` pages are never cached."""
    user = session.user if session else None
    context = {
        **i18n_context(reader_words(request)),
        "user": user,
        "csrf": session.csrf_token if session else "",
        "nav": [
            n
            for n in NAV
            if user is not None and user.can(n.permission) and served(request, n.path)
        ],
        "can": (lambda p: user is not None and user.can(Permission(p))),
        "path": request.url.path,
        "version": __version__,
        **values,
    }
    response = console_templates(request).TemplateResponse(
        request, template, context, status_code=status
    )
    if personal:
        response.headers["Cache-Control"] = "no-store"
    return response


def set_cookie(request: Request, response: Response, name: str, value: str, **extra: Any) -> None:
    """Sets a console cookie: HttpOnly, SameSite=Strict, Secure over TLS (or when configured)."""
    ctx: Context = request.app.state.context
    secure = ctx.settings.console_secure_cookies
    if secure is None:
        secure = request.url.scheme == "https" or ctx.settings.environment == "production"
    response.set_cookie(
        name, value, httponly=True, samesite="strict", secure=secure, path=PREFIX, **extra
    )


def redirect(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


CONSOLE_HEADERS = (
    (b"content-security-policy", PAGE_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    # Not no-referrer: with it, browsers send `Origin: null` on our own POSTs (Fetch spec).
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
)


class ConsoleHeaders:
    """Adds the console's security headers to its responses; a route may set stricter ones.

    Plain ASGI, and it steps aside for every other path, so the API's streaming is untouched.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path == PREFIX or path.startswith(PREFIX + "/")):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend((n, v) for n, v in CONSOLE_HEADERS if n not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def error_page(request: Request, exc: DomainError, status: int) -> Response:
    """A console error as a page (a signed-out reader is sent to the login page instead)."""
    if isinstance(exc, NotSignedIn) and request.method == "GET":
        return redirect(f"{PREFIX}/login")
    session = getattr(request.state, "console_session", None)
    return render(
        request, "error.html", status=status, session=session, error=exc, status_code=status
    )
