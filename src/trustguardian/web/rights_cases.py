"""Public pages for a person's cases: the complaint form's intake (on the rights page) and the
page behind the link of an access or portability answer, shown by GET (a mail scanner that
opens links uses nothing), downloaded once by its button (POST), refused afterwards."""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, Response

from trustguardian.domain.errors import DomainError, InvalidToken
from trustguardian.service.context import Context
from trustguardian.service.rights.answers import check_answer_link, download_answer
from trustguardian.service.rights.gpc import Signal, honour_gpc, sends_gpc
from trustguardian.service.rights.public_complaint import ComplaintForm, file_complaint
from trustguardian.service.rights.public_form import BadContact, contact_identifier
from trustguardian.web.i18n import BAD_CONTACT, FORM_EXPIRED, reader_words

Field = Annotated[str | None, Form()]


def gpc_for(
    request: Request,
    ctx: Context,
    entry: str,
    *,
    contact: str | None = None,
    subject_id: str | None = None,
) -> bool:
    """Honours the browser's `Sec-GPC: 1` for the person a public page names (by subject id,
    else by the contact typed); True when the signal was sent."""
    if not sends_gpc(request.headers.items()):
        return False
    identifier = contact_identifier(ctx, contact) if contact and subject_id is None else None
    if subject_id is not None or identifier is not None:
        client = request.client.host if request.client else "unknown"
        signal = Signal(entry, client, request.headers.get("user-agent", "")[:500])
        honour_gpc(ctx, signal=signal, subject_id=subject_id, identifier=identifier)
    return True


def install_case_pages(app: FastAPI) -> None:
    """Adds the complaint intake and the answer link's page and download to the app."""
    # Imported here: rights_pages installs these pages and owns the page helpers they share.
    from trustguardian.web.rights_pages import _form, _invalid, _page

    def ctx_of(request: Request) -> Context:
        ctx: Context = request.app.state.context
        return ctx

    @app.post("/rights/complaint", response_class=HTMLResponse, include_in_schema=False)
    def complaint(
        request: Request,
        form_token: Field = None,
        kind: Field = None,
        contact_channel: Field = None,
        contact: Field = None,
        summary: Field = None,
        lang: Field = None,
    ) -> HTMLResponse:
        t = reader_words(request, lang)
        ctx = ctx_of(request)
        form = ComplaintForm(
            form_token=form_token or "",
            kind=kind or "",
            contact=contact or "",
            summary=summary or "",
            contact_channel=contact_channel or None,
        )
        try:
            file_complaint(ctx, form=form)
        except InvalidToken:
            error = t(FORM_EXPIRED)
        except BadContact:
            error = t(BAD_CONTACT)
        except DomainError as exc:
            error = exc.detail
        else:
            gpc_for(request, ctx, "/rights/complaint", contact=contact)
            return _page(request, "complaint", t)
        status = 400 if error == t(FORM_EXPIRED) else 422
        return _form(request, t, status=status, error=None, values={}, complaint_error=error)

    @app.get("/rights/answer/{token}", response_class=HTMLResponse, include_in_schema=False)
    def answer_page(request: Request, token: str) -> HTMLResponse:
        t = reader_words(request)
        try:
            check_answer_link(ctx_of(request), token=token)
        except InvalidToken as exc:
            return _invalid(request, t, exc)
        return _page(request, "answer", t, token=token)

    @app.post("/rights/answer/{token}", include_in_schema=False)
    def answer_download(request: Request, token: str, lang: Field = None) -> Response:
        t = reader_words(request, lang)
        try:
            found = download_answer(ctx_of(request), token=token)
        except InvalidToken as exc:
            return _invalid(request, t, exc)
        except DomainError:
            return _page(request, "invalid", t, 410, reason="other")
        return Response(
            found.content,
            media_type=found.media_type,
            headers={
                "Content-Disposition": f'attachment; filename="{found.name}"',
                "Cache-Control": "no-store",
                "Referrer-Policy": "no-referrer",
            },
        )
