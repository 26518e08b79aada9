"""The first pages: the census of touchpoints at a glance."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from trustguardian import __version__
from trustguardian.domain.registry import Touchpoint
from trustguardian.service.context import Context
from trustguardian.service.touchpoints import list_touchpoints

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def install_pages(app: FastAPI) -> None:
    """Adds the web pages to the app."""
    from trustguardian.web.rights_pages import install_rights_pages

    install_rights_pages(app)

    @app.get("/collect/demo", response_class=HTMLResponse, include_in_schema=False)
    def collect_demo(request: Request) -> HTMLResponse:
        key = request.app.state.context.settings.demo_form_key
        if key is None:
            return HTMLResponse("Start the server with --demo for this page.", status_code=404)
        return TEMPLATES.TemplateResponse(request, "collect_demo.html", {"key": key})

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request) -> HTMLResponse:
        ctx: Context = request.app.state.context
        items: list[Touchpoint] = []
        cursor: str | None = None
        while True:
            page = list_touchpoints(ctx, cursor=cursor, limit=500)
            items.extend(page.items)
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        by_kind = Counter(tp.kind.value for tp in items)
        return TEMPLATES.TemplateResponse(
            request,
            "home.html",
            {"touchpoints": items, "by_kind": by_kind, "version": __version__},
        )

    from trustguardian.web.console import install_console

    install_console(app)
