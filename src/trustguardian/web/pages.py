"""The web pages: the public ones, the collect demo form and the console."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def install_pages(app: FastAPI) -> None:
    """Adds the web pages to the app."""
    from trustguardian.web.rights_pages import install_rights_pages

    install_rights_pages(app)

    @app.get("/collect/demo", response_class=HTMLResponse, include_in_schema=False)
    def collect_demo(request: Request) -> HTMLResponse:
        from trustguardian.service.demo import demo_notice

        ctx = request.app.state.context
        key = ctx.settings.demo_form_key
        if key is None:
            return HTMLResponse("Start the server with --demo for this page.", status_code=404)
        # The page shows the very text the consents will cite: the SDK sends it, the server
        # compares it with the version in force.
        return TEMPLATES.TemplateResponse(
            request, "collect_demo.html", {"key": key, "notice": demo_notice(ctx)}
        )

    from trustguardian.web.console import install_console

    install_console(app)
