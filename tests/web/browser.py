"""What the console's browser tests share: the backend's server with this test's own person
and users, signing in by keyboard, and screenshots kept out of the repository."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page
from tests.web.helpers import PASSWORD, Company

from trustguardian.service.context import Context

ARTIFACTS = Path(os.environ.get("TRUSTGUARDIAN_ARTIFACTS", "artifacts")) / "console"


@dataclass(frozen=True)
class Site:
    base: str
    company: Company
    backend: str
    ctx: Context
    outbox: Path  # where the server writes messages to people (its working directory's)
    email: str  # this test's person
    phone: str
    suffix: str  # this test's users are named after their role and this

    def user(self, role: str) -> str:
        return role + self.suffix


def shot(page: Page, site: Site, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{site.backend}-{name}.png"), full_page=True)


def sign_in(page: Page, site: Site, role: str) -> None:
    """Signs in with the keyboard only as the test's user of a role: the username field has
    focus when the page opens."""
    page.goto(f"{site.base}/console")
    assert page.url.endswith("/console/login")
    page.wait_for_selector("#username:focus")
    page.keyboard.type(site.user(role))
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{site.base}/console")
