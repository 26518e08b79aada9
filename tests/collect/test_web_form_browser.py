"""The web-form capture in headless Chromium: a demo page on another origin loads collect.js,
the form is filled and submitted, and the recorded event's form_snapshot matches the screen."""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from playwright.sync_api import Browser, Page
from tests.collect.helpers import (
    NEWSLETTER,
    NOTICE,
    NOTICE_TEXT,
    PROFILING,
    TP,
    live_app,
    setup_collect,
    sms_gateway,
    status_of,
)

from trustguardian.domain.collect import Confirmation
from trustguardian.domain.registry import ProofType
from trustguardian.service.collect.admin import create_publishable_key
from trustguardian.service.collect.proofs import read_proof
from trustguardian.service.context import Context
from trustguardian.service.events.recording import list_events
from trustguardian.store.events import EventFilter

DEMO = (Path(__file__).parent / "demo_form.html").read_text(encoding="utf-8")
OTP_FORM = (Path(__file__).parent / "otp_form.html").read_text(encoding="utf-8")


@contextmanager
def demo_site(base: str, key: dict[str, str], template: str = DEMO) -> Iterator[str]:
    """A shop's own web server (another origin) serving the demo form with `key["key"]`
    (read per request: the key names the site's origin, known once the server listens)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            page = template.replace("{{base}}", base).replace("{{key}}", key["key"]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class Inputs(HTMLParser):
    """The inputs and options of a snapshot, as its HTML says they were."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: dict[str, dict[str, str | None]] = {}
        self.selected: list[str] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("id"):
            self.inputs[str(found["id"])] = found
        if tag == "option" and "selected" in found:
            self.selected.append(str(found.get("value")))
        if tag == "a" and found.get("href"):
            self.hrefs.append(str(found["href"]))


def fill(page: Page, url: str, email: str) -> dict[str, object]:
    """Fills the form like a person would; returns what is on the screen just before submitting."""
    page.goto(url)
    page.wait_for_function("document.querySelector('script[data-tg-key]') !== null")
    page.fill("#email", email)
    page.fill("#name", "Anna Bianchi")
    page.select_option("#store", "rm")
    page.check("#c_news")
    page.check("#c_prof")
    page.uncheck("#c_prof")  # changed her mind: the snapshot must show it unticked
    screen = {
        "email": page.input_value("#email"),
        "name": page.input_value("#name"),
        "store": page.input_value("#store"),
        "c_news": page.is_checked("#c_news"),
        "c_prof": page.is_checked("#c_prof"),
    }
    page.click("#send")
    return screen


def test_chromium_submits_the_demo_form_and_the_snapshot_matches_the_screen(
    ctx: Context, browser: Browser
) -> None:
    setup_collect(ctx)
    with live_app(ctx) as base:
        context = browser.new_context()  # its own cookies and storage
        try:
            holder: dict[str, str] = {}
            with demo_site(base, holder) as shop:
                _, holder["key"] = create_publishable_key(
                    ctx, name="shop", touchpoint=TP, origins=[shop]
                )
                page = context.new_page()
                screen = fill(page, shop, "anna.bianchi@example.com")
                page.wait_for_function(
                    "document.querySelector('#status').textContent === 'Registrato.'",
                    timeout=15_000,
                )
                user_agent = page.evaluate("navigator.userAgent")
        finally:
            context.close()
    assert screen["c_news"] is True
    assert screen["c_prof"] is False
    events = list_events(ctx, flt=EventFilter(touchpoint=TP)).items
    assert [(e.kind.value, e.purpose) for e in events] == [
        ("consent.given", NEWSLETTER),
        ("consent.refused", PROFILING),
    ]
    given = events[0]
    assert (given.notice, given.notice_version) == (NOTICE, 1)
    types = [p.type for p in given.proofs]
    assert types == [ProofType.FORM_SNAPSHOT, ProofType.NETWORK, ProofType.NOTICE_SHOWN]
    snapshot = read_proof(ctx, event_id=given.id, position=0)
    assert snapshot.file is not None
    html = snapshot.file.decode("utf-8")
    parsed = Inputs()
    parsed.feed(html)
    assert parsed.inputs["email"].get("value") == screen["email"]
    assert parsed.inputs["name"].get("value") == screen["name"]
    assert ("checked" in parsed.inputs["c_news"]) is screen["c_news"]
    assert ("checked" in parsed.inputs["c_prof"]) is screen["c_prof"]
    assert parsed.selected == [screen["store"]]
    assert "Voglio ricevere la newsletter" in html
    assert "Acconsento alla profilazione" in html
    assert snapshot.content["notice_url"] == "https://shop.example/privacy"
    # The text the page showed, as it laid it out: the server found it to be v1's.
    assert " ".join(snapshot.content["notice_text"].split()) == NOTICE_TEXT.strip()
    assert snapshot.content["file"]["media_type"] == "text/html"
    network = read_proof(ctx, event_id=given.id, position=1).content
    assert network["ip"] == "127.0.0.1"
    assert network["user_agent"] == user_agent
    assert "Chrome" in user_agent
    assert network["origin"] == shop
    # The refusal carries the very same snapshot.
    refused = read_proof(ctx, event_id=events[1].id, position=0)
    assert refused.file == snapshot.file


def test_chromium_on_an_unconfigured_origin_records_nothing(ctx: Context, browser: Browser) -> None:
    setup_collect(ctx)
    _, key = create_publishable_key(
        ctx, name="shop", touchpoint=TP, origins=["https://shop.example"]
    )
    with live_app(ctx) as base:
        context = browser.new_context()  # its own cookies and storage
        try:
            with demo_site(base, {"key": key}) as elsewhere:
                page = context.new_page()
                fill(page, elsewhere, "mallory@example.com")
                page.wait_for_function(
                    "document.querySelector('#status').textContent === 'Error'", timeout=15_000
                )
        finally:
            context.close()
    assert list_events(ctx, flt=EventFilter(touchpoint=TP)).items == []


def test_chromium_confirms_a_consent_with_the_code_sent_by_sms(
    ctx: Context, browser: Browser
) -> None:
    setup_collect(ctx, Confirmation.OTP_SMS)
    with sms_gateway() as (sent, url):
        settings = ctx.settings.model_copy(
            update={"sms_gateway_url": url, "outbound_allow_hosts": "127.0.0.1"}
        )
        live = dataclasses.replace(ctx, settings=settings)
        with live_app(live) as base:
            context = browser.new_context()  # its own cookies and storage
            try:
                holder: dict[str, str] = {}
                with demo_site(base, holder, OTP_FORM) as shop:
                    _, holder["key"] = create_publishable_key(
                        ctx, name="shop", touchpoint=TP, origins=[shop]
                    )
                    page = context.new_page()
                    page.goto(shop)
                    page.wait_for_function("document.querySelector('script[data-tg-key]')")
                    page.fill("#phone", "333 765 4321")
                    page.check("#c_news")
                    page.click("#send")
                    page.wait_for_selector("#otp:not([hidden])", timeout=15_000)
                    assert page.inner_text("#status") == "Inserisci il codice."
                    code = re.search(r"\b(\d{6})\b", sent[0]["body"]["text"])
                    assert code is not None
                    assert sent[0]["body"]["to"] == "+393337654321"
                    page.fill("#code", code.group(1))
                    page.click("#check")
                    page.wait_for_function(
                        "document.querySelector('#status').textContent === 'Confermato.'",
                        timeout=15_000,
                    )
            finally:
                context.close()
    kinds = [e.kind.value for e in list_events(ctx, flt=EventFilter(touchpoint=TP)).items]
    assert kinds == ["consent.given", "consent.confirmed"]
    [given, confirmed] = list_events(ctx, flt=EventFilter(touchpoint=TP)).items
    assert status_of(ctx, given.subject_id) == {"given"}
    assert given.confirm_by is not None
    otp = read_proof(ctx, event_id=confirmed.id, position=0).content
    assert otp["address"] == "+393337654321"
    assert otp["confirming_ip"] == "127.0.0.1"
