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
    from trustguardian.web.templating import install_brand_assets, public_templates

    install_rights_pages(app)
    install_brand_assets(app)

    @app.get("/collect/demo", response_class=HTMLResponse, include_in_schema=False)
    def collect_demo(request: Request) -> HTMLResponse:
        from trustguardian.i18n import words
        from trustguardian.service.demo import demo_notice

        ctx = request.app.state.context
        key = ctx.settings.demo_form_key
        if key is None:
            return HTMLResponse("Start the server with --demo for this page.", status_code=404)
        # The page shows the very text the consents will cite: the SDK sends it, the server
        # compares it with the version in force.
        return public_templates(request).TemplateResponse(
            request,
            "collect_demo.html",
            {"key": key, "notice": demo_notice(ctx), "t": words("it", ctx.settings.timezone)},
        )

    from trustguardian.web.console import install_console

    install_console(app)
