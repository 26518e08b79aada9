"""The operator page in headless Chromium against a real server: its touchpoint selector works
under the page's own Content-Security-Policy, and its forms pass the origin and CSRF checks."""

from __future__ import annotations

from playwright.sync_api import Browser
from tests.collect.helpers import NEWSLETTER, PHONE_TP, live_app, setup_collect

from trustguardian.domain.access import Scope
from trustguardian.service.access.api_keys import create_api_key
from trustguardian.service.context import Context


def test_the_selector_and_the_form_work_in_a_browser(ctx: Context, browser: Browser) -> None:
    setup_collect(ctx)
    _, key = create_api_key(ctx, name="Front desk", scopes=[Scope.EVENTS_WRITE])
    with live_app(ctx) as base:
        page = browser.new_page()
        refused: list[str] = []
        page.on(
            "console", lambda m: refused.append(m.text) if "Content Security" in m.text else None
        )
        page.goto(f"{base}/operator")
        page.fill("#api_key", key)
        page.click("button[type=submit]")
        page.wait_for_selector("#touchpoint")
        with page.expect_navigation():
            page.select_option("#touchpoint", PHONE_TP)  # the static script submits the choice
        assert f"touchpoint={PHONE_TP}" in page.url
        page.check(f"#purpose-{NEWSLETTER}")
        page.fill("#email", "lucia.galli@example.com")
        page.fill("#staff_member", "Giulia Neri")
        page.fill("#campaign", "Autumn calls")
        page.fill("#recording_reference", "CALL-7")
        page.fill("#recording_sha256", "a" * 64)
        page.click("#record")
        page.wait_for_selector("#recorded, #error")
        assert page.locator("#recorded").count() == 1, page.content()
        assert refused == []
        page.close()
