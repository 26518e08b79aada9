"""The double opt-in page: GET shows what is being confirmed, POST (the button) confirms.

A link opened by a mail scanner (GET) changes nothing; only the person's click does.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from trustguardian.domain.errors import DomainError, InvalidToken
from trustguardian.i18n import Words, negotiate, words
from trustguardian.service.collect.confirmations import confirm_link, open_link
from trustguardian.service.context import Context
from trustguardian.web.templating import PUBLIC_CSP, public_templates

LANGUAGES = [("it", "Italiano"), ("en", "English")]
# Why a link is refused, in the catalog's source words (the reader's come from the catalog).
REFUSALS = {
    "forged": "This link was altered or is not ours: nothing has changed.",
    "expired": "This link has expired: nothing has changed. Sign up again if you wish.",
    "used": "This link was used already: nothing has changed.",
    "cancelled": (
        "This confirmation was cancelled: a withdrawal or refusal was recorded after the sign-up. "
        "Nothing has changed."
    ),
    "other": "This link is not valid: nothing has changed.",
    "erased": "Your data was erased: there is nothing to confirm.",
}
STATUS = {
    "forged": 400,
    "wrong-kind": 400,
    "unknown": 404,
    "expired": 410,
    "used": 410,
    "cancelled": 410,
}


def _language(request: Request, fallback: str) -> str:
    """`?lang=`, then Accept-Language, then the language the person signed up in."""
    return negotiate(
        request.query_params.get("lang"),
        accept_language=request.headers.get("accept-language", ""),
        default=fallback,
    )


def _words(request: Request, lang: str) -> Words:
    ctx: Context = request.app.state.context
    return words(lang, ctx.settings.timezone)


def _page(request: Request, lang: str, state: str, status: int, **extra: object) -> HTMLResponse:
    t = _words(request, lang)
    context = {"lang": lang, "t": t, "languages": LANGUAGES, "state": state, **extra}
    return public_templates(request).TemplateResponse(
        request,
        "confirm.html",
        context,
        status_code=status,
        headers={
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
            "Content-Security-Policy": PUBLIC_CSP,
        },
    )


def _refusal(request: Request, lang: str, exc: DomainError) -> HTMLResponse:
    if isinstance(exc, InvalidToken):
        message = _words(request, lang)(REFUSALS.get(exc.reason, REFUSALS["other"]))
        return _page(request, lang, "refused", STATUS.get(exc.reason, 403), message=message)
    if exc.code == "erased":
        message = _words(request, lang)(REFUSALS["erased"])
        return _page(request, lang, "refused", 410, message=message)
    return _page(request, lang, "refused", 409, message=_words(request, lang)(REFUSALS["other"]))


def install_confirm_pages(app: FastAPI) -> None:
    """Adds `/confirm/{token}` to the app."""

    @app.get("/confirm/{token}", response_class=HTMLResponse, include_in_schema=False)
    def show(token: str, request: Request) -> HTMLResponse:
        ctx: Context = request.app.state.context
        try:
            view = open_link(ctx, token=token)
        except DomainError as exc:
            return _refusal(request, _language(request, "it"), exc)
        lang = _language(request, view.request.language)
        until = _words(request, lang).when(view.request.expires_at)
        return _page(
            request,
            lang,
            "open",
            200,
            touchpoint=view.touchpoint_name,
            purposes=view.purposes,
            until=until,
        )

    @app.post("/confirm/{token}", response_class=HTMLResponse, include_in_schema=False)
    def confirm(token: str, request: Request) -> HTMLResponse:
        ctx: Context = request.app.state.context
        lang = _language(request, "it")
        try:
            confirm_link(
                ctx,
                token=token,
                ip=request.client.host if request.client else None,
                user_agent=request.headers.get("user-agent"),
            )
        except DomainError as exc:
            return _refusal(request, lang, exc)
        return _page(request, lang, "done", 200)
