"""The page behind the link of an access or portability answer: shown by GET (a mail scanner
that opens links uses nothing), downloaded once by its button (POST), refused afterwards."""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, Response

from trustguardian.domain.errors import DomainError, InvalidToken
from trustguardian.service.context import Context
from trustguardian.service.rights.answers import check_answer_link, download_answer
from trustguardian.web.i18n import Words, pick_language

Field = Annotated[str | None, Form()]


def install_answer_pages(app: FastAPI) -> None:
    """Adds the answer link's page and download to the app."""
    # Imported here: rights_pages installs these pages and owns the page helpers they share.
    from trustguardian.web.rights_pages import _invalid, _page

    def ctx_of(request: Request) -> Context:
        ctx: Context = request.app.state.context
        return ctx

    @app.get("/rights/answer/{token}", response_class=HTMLResponse, include_in_schema=False)
    def answer_page(request: Request, token: str) -> HTMLResponse:
        t = Words(pick_language(request))
        try:
            check_answer_link(ctx_of(request), token=token)
        except InvalidToken as exc:
            return _invalid(request, t, exc)
        return _page(request, "answer", t, token=token)

    @app.post("/rights/answer/{token}", include_in_schema=False)
    def answer_download(request: Request, token: str, lang: Field = None) -> Response:
        t = Words(pick_language(request, lang))
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
