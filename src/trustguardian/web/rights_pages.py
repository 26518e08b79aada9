"""Public Right touchpoint pages: the home page that leads to them, unsubscribe (with RFC 8058
one-click), the preference centre and the rights-request form. Server-rendered, no JavaScript,
no cookies, Italian and English.

Links carry signed tokens (`service/engage/tokens.py`); the rights form carries a single-use signed
form token, so a page on another site cannot submit it on a visitor's behalf.
"""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from trustguardian.domain.complaints import ComplaintKind
from trustguardian.domain.errors import DomainError, InvalidToken, TooManyAttempts
from trustguardian.domain.registry import Channel
from trustguardian.domain.rights import RequestKind
from trustguardian.i18n import Words
from trustguardian.service.accountability.records import register_header
from trustguardian.service.context import Context
from trustguardian.service.engage import preferences as prefs
from trustguardian.service.engage.preference_mail import mail_preferences_link
from trustguardian.service.engage.preference_switches import Switch, save_preferences
from trustguardian.service.engage.tokens import new_form_token
from trustguardian.service.rights.public_complaint import CONTACT_CHANNELS
from trustguardian.service.rights.public_form import (
    BadContact,
    Visitor,
    check_verify_token,
    confirm_filed,
    file_request,
)
from trustguardian.web.i18n import BAD_CONTACT, FORM_EXPIRED, reader_words
from trustguardian.web.rights_cases import gpc_for, install_case_pages
from trustguardian.web.templating import PUBLIC_CSP, public_templates

Field = Annotated[str | None, Form()]
CHANNELS = frozenset(c.value for c in Channel)


def _ctx(request: Request) -> Context:
    ctx: Context = request.app.state.context
    return ctx


def _network(request: Request) -> prefs.Network:
    host = request.client.host if request.client else "unknown"
    return prefs.Network(ip=host, user_agent=request.headers.get("user-agent", "")[:500])


def _page(
    request: Request, name: str, t: Words, status: int = 200, **values: object
) -> HTMLResponse:
    response = public_templates(request).TemplateResponse(
        request, f"rights/{name}.html", {"t": t, **values}, status_code=status
    )
    # Pages behind a token must not be cached or leak the token to other sites.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    # No framing (a hidden frame could steer a click onto "I agree"), no scripts at all.
    response.headers["Content-Security-Policy"] = PUBLIC_CSP
    response.headers["X-Frame-Options"] = "DENY"
    return response


def _invalid(request: Request, t: Words, exc: InvalidToken) -> HTMLResponse:
    reason = {"wrong-kind": "forged"}.get(exc.reason, exc.reason)
    if reason not in ("forged", "expired", "revoked", "used"):
        reason = "other"
    return _page(request, "invalid", t, 403 if reason == "forged" else 410, reason=reason)


def install_rights_pages(app: FastAPI) -> None:
    """Adds the public pages of the Right touchpoints to the app."""

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request) -> HTMLResponse:
        # Anyone may open it: it leads to the public pages and shows nothing of the registry.
        return _page(request, "home", reader_words(request))

    @app.get("/u/{token}", response_class=HTMLResponse, include_in_schema=False)
    def unsubscribe_page(request: Request, token: str) -> HTMLResponse:
        t = reader_words(request)
        try:
            what = prefs.read_unsubscribe(_ctx(request), token=token, language=t.language)
        except InvalidToken as exc:
            return _invalid(request, t, exc)
        return _page(request, "unsubscribe", t, what=what, token=token, done=False)

    @app.post(
        "/u/{token}",
        operation_id="oneClickUnsubscribe",
        response_class=HTMLResponse,
        summary="RFC 8058 one-click unsubscribe",
    )
    def unsubscribe(
        request: Request,
        token: str,
        list_unsubscribe: Annotated[str | None, Form(alias="List-Unsubscribe")] = None,
        lang: Field = None,
    ) -> HTMLResponse:
        """`List-Unsubscribe=One-Click` (RFC 8058) or the page's button: withdraws the consent."""
        t = reader_words(request, lang)
        try:
            what = prefs.unsubscribe(
                _ctx(request),
                token=token,
                network=_network(request),
                one_click=list_unsubscribe == "One-Click",
                language=t.language,
            )
        except InvalidToken as exc:
            return _invalid(request, t, exc)
        except DomainError:
            return _page(request, "invalid", t, 409, reason="other")
        return _page(request, "unsubscribe", t, what=what, token=token, done=True)

    @app.get("/p/{token}", response_class=HTMLResponse, include_in_schema=False)
    def preference_centre(request: Request, token: str) -> HTMLResponse:
        t = reader_words(request)
        ctx = _ctx(request)
        try:
            gpc = _honour_gpc(request, ctx, token)
            saved = request.query_params.get("saved") == "1"
            return _centre(request, t, token, gpc=gpc, saved=saved)
        except InvalidToken as exc:
            return _invalid(request, t, exc)

    @app.post("/p/{token}", response_class=HTMLResponse, include_in_schema=False)
    def change_preference(
        request: Request,
        token: str,
        action: Field = None,
        purpose: Field = None,
        channel: Field = None,
        lang: Field = None,
        shown: Annotated[list[str] | None, Form()] = None,
        on: Annotated[list[str] | None, Form()] = None,
    ) -> Response:
        t = reader_words(request, lang)
        ctx = _ctx(request)
        network = _network(request)
        try:
            gpc = _honour_gpc(request, ctx, token)
            switches = _switches(shown or [], on or []) if action == "save" else None
            if action == "object-all":
                prefs.object_to_marketing(ctx, token=token, network=network)
            elif switches is not None:
                save_preferences(ctx, token=token, switches=switches, network=network)
            elif action in ("give", "withdraw") and purpose and channel in CHANNELS:
                prefs.change_preference(
                    ctx,
                    token=token,
                    purpose=purpose,
                    channel=Channel(str(channel)),
                    action="give" if action == "give" else "withdraw",
                    network=network,
                )
            else:
                error = t("The link is not valid. Nothing has changed.")
                return _centre(request, t, token, gpc=gpc, status=422, error=error)
        except InvalidToken as exc:
            return _invalid(request, t, exc)
        except DomainError as exc:
            return _centre(request, t, token, gpc=gpc, status=422, error=exc.detail)
        # Post/redirect/get: a reload never repeats the change.
        return RedirectResponse(f"/p/{token}?lang={t.language}&saved=1", status_code=303)

    @app.get("/preferences", response_class=HTMLResponse, include_in_schema=False)
    def preferences_entry(request: Request) -> HTMLResponse:
        t = reader_words(request)
        return _page(request, "entry", t, form_token=new_form_token(_ctx(request)), sent=False)

    @app.post("/preferences", response_class=HTMLResponse, include_in_schema=False)
    def mail_preferences(
        request: Request, form_token: Field = None, email: Field = None, lang: Field = None
    ) -> HTMLResponse:
        t = reader_words(request, lang)
        ctx = _ctx(request)
        try:
            mail_preferences_link(
                ctx, address=email or "", language=t.language, form_token=form_token or ""
            )
        except InvalidToken:
            return _page(
                request,
                "entry",
                t,
                400,
                form_token=new_form_token(ctx),
                sent=False,
                error=t(FORM_EXPIRED),
            )
        gpc_for(request, ctx, "/preferences", contact=email)
        return _page(request, "entry", t, sent=True)

    @app.get("/rights", response_class=HTMLResponse, include_in_schema=False)
    def rights_form(request: Request) -> HTMLResponse:
        t = reader_words(request)
        return _form(request, t, status=200, error=None, values={})

    @app.post("/rights", response_class=HTMLResponse, include_in_schema=False)
    def submit_rights(
        request: Request,
        form_token: Field = None,
        kind: Field = None,
        contact: Field = None,
        details: Field = None,
        lang: Field = None,
    ) -> Response:
        t = reader_words(request, lang)
        ctx = _ctx(request)
        values = {"kind": kind, "contact": contact, "details": details}
        network = _network(request)
        try:
            filed = file_request(
                ctx,
                form_token=form_token or "",
                kind=kind or "",
                contact=contact or "",
                details=details,
                language=t.language,
                visitor=Visitor(network.ip, network.user_agent),
                form_fields={"kind": kind, "lang": lang},
            )
        except InvalidToken:
            return _form(
                request,
                t,
                status=400,
                error=t(FORM_EXPIRED),
                values=values,
            )
        except BadContact:
            return _form(
                request,
                t,
                status=422,
                error=t(BAD_CONTACT),
                values=values,
            )
        except TooManyAttempts as exc:
            page = _form(request, t, status=429, error=exc.detail, values=values)
            page.headers["Retry-After"] = str(math.ceil(exc.retry_after))
            return page
        except DomainError as exc:
            return _form(request, t, status=422, error=exc.detail, values=values)
        gpc_for(request, ctx, "/rights", contact=contact)
        return RedirectResponse(
            f"/rights/verify/{filed.verify_token}?lang={t.language}", status_code=303
        )

    @app.get("/rights/verify/{token}", response_class=HTMLResponse, include_in_schema=False)
    def verify_page(request: Request, token: str) -> HTMLResponse:
        t = reader_words(request)
        try:
            check_verify_token(_ctx(request), token=token)
        except InvalidToken as exc:
            return _invalid(request, t, exc)
        return _page(request, "verify", t, token=token, error=None)

    @app.post("/rights/verify/{token}", response_class=HTMLResponse, include_in_schema=False)
    def verify(request: Request, token: str, code: Field = None, lang: Field = None) -> Response:
        t = reader_words(request, lang)
        try:
            view = confirm_filed(_ctx(request), token=token, code=code or "")
        except InvalidToken as exc:
            return _invalid(request, t, exc)
        except DomainError as exc:
            return _page(request, "verify", t, 422, token=token, error=exc.detail)
        gpc_for(request, _ctx(request), "/rights/verify", subject_id=view.subject_id)
        return _page(request, "received", t, view=view)

    install_case_pages(app)


def _honour_gpc(request: Request, ctx: Context, token: str) -> bool:
    """Records the browser's Global Privacy Control signal; True when it was sent."""
    if request.headers.get("sec-gpc", "").strip() != "1":
        return False
    prefs.honour_gpc(ctx, token=token, network=_network(request))
    return True


def _centre(
    request: Request,
    t: Words,
    token: str,
    *,
    gpc: bool,
    saved: bool = False,
    status: int = 200,
    error: str | None = None,
) -> HTMLResponse:
    centre = prefs.preference_centre(_ctx(request), token=token, language=t.language)
    return _page(
        request,
        "preferences",
        t,
        status,
        centre=centre,
        token=token,
        gpc=gpc,
        saved=saved,
        error=error,
    )


def _switches(shown: list[str], on: list[str]) -> list[Switch] | None:
    """The centre's switches from its form (`shown`: "1 email newsletter", the state shown, the
    channel and the purpose; `on`: "email newsletter" for each switch sent on); None when the
    form was not the page's."""
    wanted = set(on)
    switches = []
    for value in shown:
        was, _, pair = value.partition(" ")
        channel, _, purpose = pair.partition(" ")
        if was not in ("0", "1") or channel not in CHANNELS or not purpose:
            return None
        switches.append(Switch(purpose, Channel(channel), was_on=was == "1", on=pair in wanted))
    if not switches or not wanted <= {f"{s.channel.value} {s.purpose}" for s in switches}:
        return None
    return switches


def _form(
    request: Request,
    t: Words,
    *,
    status: int,
    error: str | None,
    values: dict[str, str | None],
    complaint_error: str | None = None,
) -> HTMLResponse:
    ctx = _ctx(request)
    return _page(
        request,
        "form",
        t,
        status,
        form_token=new_form_token(ctx),
        error=error,
        values=values,
        kinds=[k.value for k in RequestKind],
        complaint_token=new_form_token(ctx),
        complaint_error=complaint_error,
        complaint_kinds=[k.value for k in ComplaintKind],
        complaint_channels=[c.value for c in CONTACT_CHANNELS],
        controller=register_header(ctx),
    )
