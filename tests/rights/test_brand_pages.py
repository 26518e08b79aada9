"""With a brand configured, the public pages show the company's logo and name in the header,
its footer links, and its colours from the one public stylesheet, in headless Chromium against
a real server (both backends); a colour that would fail AA is made readable; a template
directory replaces a page without touching the package."""

from __future__ import annotations

import re
from email import message_from_bytes
from email.utils import parseaddr
from pathlib import Path

from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, expect
from tests.collect.helpers import live_app
from tests.factories.brand import COMPANY, SENDER, brand_values, png_logo
from tests.web.browser import ARTIFACTS

from trustguardian.asgi import create_app
from trustguardian.domain.registry import Channel
from trustguardian.service.brand import set_brand
from trustguardian.service.context import Context
from trustguardian.service.engage.links import preferences_link, unsubscribe_links

from .helpers import ANNA, CENTRE, PURPOSE, UNSUB, outbox_files, person, text_part
from .phone_checks import assert_aa_contrast, assert_fits

PAGE_WIDTH = 390


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def assert_branded(page: Page, name: str, backend: str) -> None:
    """The header shows the logo (decoded, inside the header) and the company's name over a
    rule in the brand's colour; the footer its text and links."""
    header = page.locator("header.brand")
    logo = page.locator("header img.brand-logo")
    expect(logo).to_be_visible()
    assert logo.evaluate("img => img.complete && img.naturalWidth") == 160
    box, frame = logo.bounding_box(), header.bounding_box()
    assert box is not None
    assert frame is not None
    assert frame["x"] <= box["x"]
    assert box["x"] + box["width"] <= frame["x"] + frame["width"]
    assert frame["y"] <= box["y"]
    assert box["y"] + box["height"] <= frame["y"] + frame["height"]
    expect(page.locator("header .brand-name")).to_have_text(COMPANY)
    expect(page.get_by_role("link", name="Privacy policy")).to_have_attribute(
        "href", "https://bottegarossi.example/privacy"
    )
    expect(page.locator("footer.brand")).to_contain_text("P.IVA 01234567890")
    colour = "e => getComputedStyle(e).borderBottomColor"
    assert header.evaluate(colour) == "rgb(180, 30, 40)"  # from the stylesheet's variables
    # The header and footer fit a phone's width, and so does the whole page.
    for part in ("header.brand", "footer.brand"):
        assert page.locator(part).evaluate("e => e.scrollWidth <= e.clientWidth"), part
    assert_fits(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{backend}-brand-{name}.png"), full_page=True)


def test_the_unsubscribe_page_and_the_preference_centre_show_the_brand(
    rctx: Context, browser: Browser
) -> None:
    set_brand(rctx, values=brand_values(), logo=png_logo(), actor="test")
    anna = person(rctx)
    [unsubscribe] = unsubscribe_links(
        rctx,
        subject_ids=[anna.subject_id],
        purpose=PURPOSE,
        channel=Channel.EMAIL,
        touchpoint=UNSUB,
    )
    centre = preferences_link(rctx, subject_id=anna.subject_id, touchpoint=CENTRE)
    backend = rctx.engine.dialect.name
    with live_app(rctx) as base:
        page = browser.new_page(viewport={"width": PAGE_WIDTH, "height": 844})
        page.goto(f"{base}{_path(unsubscribe.url)}?lang=en")
        assert_branded(page, "unsubscribe", backend)
        button = page.get_by_role("button", name="Yes, unsubscribe me")
        assert button.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(180, 30, 40)"
        assert_aa_contrast(page)
        page.goto(f"{base}{_path(centre.url)}?lang=en")
        assert_branded(page, "preferences", backend)
        assert COMPANY in page.title()

        # A light primary colour: the server picks a text colour that keeps AA on it.
        set_brand(
            rctx,
            values=brand_values(primary_color="#f0c000", on_primary_color="#ffffff"),
            actor="test",
        )
        page.goto(f"{base}{_path(unsubscribe.url)}?lang=en")
        assert button.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(240, 192, 0)"
        assert_aa_contrast(page)
        expect(page.locator("header img.brand-logo")).to_be_visible()  # the logo was kept
        page.close()


def test_a_template_directory_replaces_a_page_and_keeps_the_brand(
    rctx: Context, tmp_path: Path
) -> None:
    set_brand(rctx, values=brand_values(), actor="test")
    (tmp_path / "rights").mkdir()
    (tmp_path / "rights" / "home.html").write_text(
        '{% extends "rights/base.html" %}{% block title %}Casa{% endblock %}'
        '{% block main %}<h1 id="own">Our own home page</h1>{% endblock %}',
        encoding="utf-8",
    )
    rctx.settings = rctx.settings.model_copy(update={"templates_dir": tmp_path})
    with TestClient(create_app(rctx)) as client:
        home = client.get("/?lang=en")
        assert '<h1 id="own">Our own home page</h1>' in home.text
        assert COMPANY in home.text  # the package's base page, with the brand
        assert "rights/base.html" not in home.text
        # A page the directory does not hold comes from the package.
        assert client.get("/rights?lang=en").status_code == 200


def test_without_a_brand_the_pages_keep_their_default_look(rctx: Context) -> None:
    with TestClient(create_app(rctx)) as client:
        home = client.get("/?lang=en")
        assert "brand-logo" not in home.text
        assert "footer" in home.text
        css = client.get("/static/public.css").text
        assert "--brand-primary: #0b4a8b;" in css
        assert client.get("/brand/logo").status_code == 404


def test_the_preference_link_mail_comes_from_the_brand_in_text_and_html(rctx: Context) -> None:
    set_brand(rctx, values=brand_values(), logo=png_logo(), actor="test")
    person(rctx)
    with TestClient(create_app(rctx)) as client:
        form = client.get("/preferences", params={"lang": "en"})
        found = re.search(r'name="form_token" value="([^"]+)"', form.text)
        assert found is not None
        sent = client.post(
            "/preferences", data={"form_token": found.group(1), "email": ANNA, "lang": "en"}
        )
        assert sent.status_code == 200
    [mail] = outbox_files(rctx.settings.outbox_dir)
    message = message_from_bytes(mail.read_bytes())
    assert parseaddr(message["From"]) == ("Bottega Rossi", SENDER)
    text = text_part(mail.read_bytes()).decode()
    assert "/p/" in text
    assert f"-- \n{COMPANY}" in text  # the company's lines under the message
    assert "Privacy policy: https://bottegarossi.example/privacy" in text
    html = next(
        part.get_payload(decode=True).decode()
        for part in message.walk()
        if part.get_content_type() == "text/html"
    )
    assert 'class="brand-logo"' in html
    assert COMPANY in html
    assert re.search(r'<a href="[^"]+/p/[A-Za-z0-9_.-]+">', html)
