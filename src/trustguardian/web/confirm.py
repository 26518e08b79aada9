"""The double opt-in page: GET shows what is being confirmed, POST (the button) confirms.

A link opened by a mail scanner (GET) changes nothing; only the person's click does.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from trustguardian.domain.errors import DomainError, InvalidToken
from trustguardian.service.collect.confirmations import confirm_link, open_link
from trustguardian.service.context import Context
from trustguardian.web.pages import TEMPLATES

ROME = ZoneInfo("Europe/Rome")
LANGUAGES = [("it", "Italiano"), ("en", "English")]
WORDS = {
    "it": {
        "title": "Conferma il tuo consenso",
        "intro": "Confermi il consenso che hai espresso tramite",
        "until": "Puoi confermare fino al",
        "button": "Confermo",
        "done": "Grazie: il tuo consenso è confermato.",
        "forged": "Questo link è stato alterato o non è nostro: non è cambiato nulla.",
        "expired": "Questo link è scaduto: non è cambiato nulla. Iscriviti di nuovo se vuoi.",
        "used": "Questo link è già stato usato: non è cambiato nulla.",
        "cancelled": "Questa conferma è stata annullata: dopo l'iscrizione è stata registrata una "
        "revoca o un rifiuto. Non è cambiato nulla.",
        "other": "Questo link non è valido: non è cambiato nulla.",
        "erased": "I tuoi dati sono stati cancellati: non c'è nulla da confermare.",
    },
    "en": {
        "title": "Confirm your consent",
        "intro": "Please confirm the consent you gave through",
        "until": "You can confirm until",
        "button": "I confirm",
        "done": "Thank you: your consent is confirmed.",
        "forged": "This link was altered or is not ours: nothing has changed.",
        "expired": "This link has expired: nothing has changed. Sign up again if you wish.",
        "used": "This link was used already: nothing has changed.",
        "cancelled": "This confirmation was cancelled: a withdrawal or refusal was recorded after "
        "the sign-up. Nothing has changed.",
        "other": "This link is not valid: nothing has changed.",
        "erased": "Your data was erased: there is nothing to confirm.",
    },
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
    asked = request.query_params.get("lang")
    if asked in WORDS:
        return asked
    header = request.headers.get("accept-language", "").lower()
    for part in header.split(","):
        code = part.split(";")[0].strip()[:2]
        if code in WORDS:
            return code
    return fallback


def _page(request: Request, lang: str, state: str, status: int, **extra: object) -> HTMLResponse:
    context = {"lang": lang, "t": WORDS[lang], "languages": LANGUAGES, "state": state, **extra}
    return TEMPLATES.TemplateResponse(
        request,
        "confirm.html",
        context,
        status_code=status,
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


def _refusal(request: Request, lang: str, exc: DomainError) -> HTMLResponse:
    if isinstance(exc, InvalidToken):
        words = WORDS[lang]
        message = words.get(exc.reason, words["other"])
        return _page(request, lang, "refused", STATUS.get(exc.reason, 403), message=message)
    if exc.code == "erased":
        return _page(request, lang, "refused", 410, message=WORDS[lang]["erased"])
    return _page(request, lang, "refused", 409, message=WORDS[lang]["other"])


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
        until = view.request.expires_at.astimezone(ROME).strftime("%d/%m/%Y %H:%M")
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
