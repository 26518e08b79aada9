"""`/docs` and `/redoc` from assets this server ships: same-origin references only, the assets
served with their types, and both pages rendered by headless Chromium with every request beyond
the server refused (a machine with no network), under the server's own CSP."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, Route
from tests.engage.server import live_server

from trustguardian.service.context import Context

REFERENCE = re.compile(r'(?:src|href|spec-url|data-spec-url)="([^"]*)"')
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
TYPES = {".js": "text/javascript", ".css": "text/css", ".json": "application/json"}


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_reference_only_assets_this_server_serves(client: TestClient, page: str) -> None:
    answer = client.get(page)
    assert answer.status_code == 200
    references = [r for r in REFERENCE.findall(answer.text) if not r.startswith("data:")]
    assert references, answer.text
    for url in references:
        assert url.startswith("/"), url  # same origin
        assert not url.startswith("//"), url
        served = client.get(url)
        assert served.status_code == 200, url
        expected = TYPES[Path(url).suffix]
        assert served.headers["content-type"].startswith(expected), url
        assert len(served.content) > 100, url
    csp = answer.headers["content-security-policy"]
    assert "script-src 'self';" in csp
    assert "http" not in csp


def test_only_the_listed_assets_are_served(client: TestClient) -> None:
    for name in ("README.md", "redoc.LICENSE", "..%2F..%2F__init__.py", "nothing.js"):
        answer = client.get(f"/docs/assets/{name}")
        assert answer.status_code == 404, name
        assert answer.headers["content-type"] == "application/problem+json"


@pytest.fixture(scope="module")
def base_url(
    make_shared_ctx: Callable[[str], Context], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A real server on SQLite that the module's tests share: they only read its pages."""
    ctx = make_shared_ctx("sqlite")
    with live_server(ctx.settings, tmp_path_factory.mktemp("docs")) as base:
        yield base


def _offline_page(browser: Browser) -> tuple[Page, list[str], list[str]]:
    """A page whose requests beyond loopback are aborted; returns it, the refused URLs and
    the console errors (CSP violations show there)."""
    context = browser.new_context()
    refused: list[str] = []
    errors: list[str] = []

    def only_loopback(route: Route) -> None:
        host = urlsplit(route.request.url).hostname
        if route.request.url.startswith("data:") or host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort("internetdisconnected")

    context.route("**/*", only_loopback)
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return page, refused, errors


def test_swagger_ui_renders_every_operation_with_no_network(
    base_url: str, browser: Browser
) -> None:
    page, refused, errors = _offline_page(browser)
    page.goto(f"{base_url}/docs")
    page.wait_for_selector(".opblock", timeout=30_000)
    spec = page.request.get(f"{base_url}/openapi.json").json()
    operations = sum(len(methods) for methods in spec["paths"].values())
    shown = page.locator(".opblock").count()
    assert shown >= operations  # an operation with two tags shows under each
    assert "checkContact" in page.content()
    assert refused == []
    assert not [e for e in errors if "Content Security Policy" in e], errors
    page.context.close()  # an open connection would hold the shared server's shutdown


def test_redoc_renders_with_no_network(base_url: str, browser: Browser) -> None:
    page, refused, errors = _offline_page(browser)
    page.goto(f"{base_url}/redoc")
    page.wait_for_selector("[data-section-id='operation/checkContact']", timeout=60_000)
    spec = page.request.get(f"{base_url}/openapi.json").json()
    operations = sum(len(methods) for methods in spec["paths"].values())
    assert page.locator("[data-section-id^='operation/']").count() >= operations
    assert refused == []
    # ReDoc's footer asks for its vendor's logo on the web: the CSP stops it before any request
    # (so nothing is refused above) and ReDoc then hides the image. Nothing else is blocked.
    blocked = [e for e in errors if "Content Security Policy" in e]
    assert [e for e in blocked if REDOC_LOGO not in e] == [], errors
    page.context.close()
