"""The public pages' templates and brand: a template in `templates_dir` replaces the package's
of the same name (a Jinja ChoiceLoader, that directory first), and every page is given the brand
in force; the one public stylesheet and the logo are served from here.

The stylesheet is web/static/public.css, preceded by the brand's colours as CSS custom
properties (`--brand-primary` and the rest, made AA-safe by domain.brand); its URL carries a
version of those colours, so a browser fetches it again when they change.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import jinja2
from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from trustguardian.domain.brand import Brand
from trustguardian.service.brand import brand_in_force, brand_logo
from trustguardian.service.context import Context

PACKAGE = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
# Public pages: no script at all, styles and images from this server only; inline styles stay
# allowed for templates a company overrides.
PUBLIC_CSP = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
# The logo alone: an SVG opened by itself runs nothing and loads nothing.
LOGO_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


def loader(templates_dir: Path | None) -> jinja2.BaseLoader:
    """The package's templates, behind those of `templates_dir` when set."""
    package = jinja2.FileSystemLoader(str(PACKAGE))
    if templates_dir is None:
        return package
    return jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(templates_dir)), package])


def _brand(request: Request) -> dict[str, Any]:
    ctx: Context = request.app.state.context
    brand = brand_in_force(ctx)
    return {"brand": brand, "brand_css": stylesheet_url(brand)}


def public_templates(request: Request) -> Jinja2Templates:
    """The app's public templates (made on first use, from its settings)."""
    state = request.app.state
    found: Jinja2Templates | None = getattr(state, "public_templates", None)
    if found is None:
        ctx: Context = state.context
        env = jinja2.Environment(loader=loader(ctx.settings.templates_dir), autoescape=True)
        found = Jinja2Templates(env=env, context_processors=[_brand])
        state.public_templates = found
    return found


def css_variables(brand: Brand) -> str:
    """`:root { --brand-primary: ...; }` of the brand's palette."""
    lines = "".join(f"  --brand-{name}: {value};\n" for name, value in brand.palette().items())
    return f":root {{\n{lines}}}\n"


def stylesheet_url(brand: Brand) -> str:
    version = hashlib.sha256(css_variables(brand).encode()).hexdigest()[:12]
    return f"/static/public.css?v={version}"


def install_brand_assets(app: FastAPI) -> None:
    """Adds `/static/public.css` and `/brand/logo` to the app."""

    @app.get("/static/public.css", include_in_schema=False)
    def public_css(request: Request) -> Response:
        ctx: Context = request.app.state.context
        body = css_variables(brand_in_force(ctx)) + (STATIC / "public.css").read_text("utf-8")
        return Response(
            body, media_type="text/css", headers={"Cache-Control": "public, max-age=86400"}
        )

    @app.get("/brand/logo", include_in_schema=False)
    def logo(request: Request) -> Response:
        ctx: Context = request.app.state.context
        found = brand_logo(ctx)
        if found is None:
            return Response(status_code=404)
        data, media_type = found
        return Response(
            data,
            media_type=media_type,
            headers={
                "Cache-Control": "public, max-age=86400",
                "Content-Security-Policy": LOGO_CSP,
                "X-Content-Type-Options": "nosniff",
                "Content-Disposition": 'inline; filename="logo"',
            },
        )
