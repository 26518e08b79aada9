"""`/docs` (Swagger UI) and `/redoc` (ReDoc) from assets this server ships: no CDN, so the API
description renders on a machine with no network beyond this server, under a CSP that allows
scripts from this origin only (see api/hardening.py)."""

from __future__ import annotations

from functools import cache
from html import escape
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response

from trustguardian.problems import problem

ASSETS = Path(__file__).parent.parent / "web" / "static" / "docs"
ASSET_URL = "/docs/assets"
# Only these files are served, each with its type; anything else in the folder is not.
MEDIA_TYPES = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "swagger-init.js": "text/javascript; charset=utf-8",
    "redoc.standalone.js": "text/javascript; charset=utf-8",
}
# The assets change only with a release of this package: browsers may keep them a day.
CACHE = "public, max-age=86400"

SWAGGER_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - API</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{assets}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-spec-url="{spec}"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="{assets}/swagger-init.js"></script>
</body>
</html>
"""

REDOC_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - API reference</title>
<link rel="icon" href="data:,">
</head>
<body>
<redoc spec-url="{spec}"></redoc>
<script src="{assets}/redoc.standalone.js"></script>
</body>
</html>
"""


def install_docs(app: FastAPI) -> None:
    """Adds `/docs`, `/redoc` and their assets (the app is made with docs_url=None)."""
    spec = escape(app.openapi_url or "/openapi.json")
    title = escape(app.title)

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return HTMLResponse(SWAGGER_PAGE.format(title=title, assets=ASSET_URL, spec=spec))

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return HTMLResponse(REDOC_PAGE.format(title=title, assets=ASSET_URL, spec=spec))

    @app.get(ASSET_URL + "/{name}", include_in_schema=False)
    def asset(name: str) -> Response:
        media_type = MEDIA_TYPES.get(name)
        if media_type is None:
            return problem(404, "not-found", "Not found", f"no documentation asset {name!r}")
        return Response(
            _read(name),
            media_type=media_type,
            headers={"Cache-Control": CACHE},
        )


@cache
def _read(name: str) -> bytes:
    """An asset's bytes, read once per process (3 MB in all)."""
    return (ASSETS / name).read_bytes()
