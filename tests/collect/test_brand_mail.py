"""With a brand configured, the double opt-in mail, as a real SMTP server receives it, comes
from the brand's sender, names the controller and the purpose in text and HTML, and shows the
logo the server serves."""

from __future__ import annotations

import dataclasses
from email.utils import parseaddr
from html.parser import HTMLParser

import httpx
from tests.collect.helpers import (
    NEWSLETTER,
    SHOP,
    client_from,
    free_port,
    live_app,
    publishable,
    setup_collect,
    smtp_server,
    submission,
)
from tests.factories.brand import COMPANY, SENDER, brand_values, png_logo

from trustguardian.domain.collect import Confirmation
from trustguardian.domain.registry import purpose_label
from trustguardian.service.brand import set_brand
from trustguardian.service.context import Context

ANNA = "anna.bianchi@example.com"


class Images(HTMLParser):
    """The <img> tags of an HTML part, as attribute dicts."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.found.append(dict(attrs))


def test_the_confirmation_mail_carries_the_brand_the_controller_and_the_purpose(
    ctx: Context,
) -> None:
    setup_collect(ctx, Confirmation.DOUBLE_OPT_IN, language="it")
    logo = png_logo()
    set_brand(ctx, values=brand_values(), logo=logo, actor="test")
    with ctx.uow(write=False) as uow:
        purpose = uow.purposes.get(NEWSLETTER)
    assert purpose is not None
    key = publishable(ctx)
    port = free_port()
    with smtp_server() as (inbox, smtp_port):
        settings = ctx.settings.model_copy(
            update={
                "smtp_host": "127.0.0.1",
                "smtp_port": smtp_port,
                "public_base_url": f"http://127.0.0.1:{port}",
            }
        )
        live = dataclasses.replace(ctx, settings=settings)
        with live_app(live, port) as base:
            with client_from("127.0.0.2", base, Origin=SHOP) as browser:
                answer = browser.post(f"/sdk/v1/{key}/consents", json=submission(ANNA))
            assert answer.status_code == 201, answer.text
            assert len(inbox.messages) == 1
            envelope = inbox.messages[0]
            assert envelope.mail_from == SENDER
            mail = inbox.parsed()
            assert parseaddr(mail["From"]) == ("Bottega Rossi", SENDER)
            assert COMPANY in mail["Subject"]
            text = inbox.text()
            assert f"{COMPANY} ti chiede di confermare il consenso" in text
            assert purpose_label(purpose, "it") in text
            assert "https://bottegarossi.example/privacy" in text
            html = next(
                part.get_payload(decode=True).decode()
                for part in mail.walk()
                if part.get_content_type() == "text/html"
            )
            assert COMPANY in html
            assert f"<li>{purpose_label(purpose, 'it')}</li>" in html
            images = Images()
            images.feed(html)
            [img] = [i for i in images.found if i.get("class") == "brand-logo"]
            src = img["src"]
            assert src is not None
            assert src.startswith(f"{base}/brand/logo")
            served = httpx.get(src, timeout=10)
            assert served.status_code == 200
            assert served.content == logo
            assert "#b41e28" in html  # the button in the brand's colour
