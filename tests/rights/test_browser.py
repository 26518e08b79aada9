"""The preference centre and the rights form in headless Chromium, against a real server
(`trustguardian serve` on a free port), on SQLite and PostgreSQL: switches saved by a form post,
and a keyboard-only path through the rights form. A worker's tests share one server per backend
(tests/rights/conftest.py); each test brings its own person."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from trustguardian.domain.registry import Channel
from trustguardian.service.context import Context
from trustguardian.service.engage.links import preferences_link
from trustguardian.store import tables as t

from .helpers import CENTRE, OTHER_PURPOSE, PURPOSE, check, outbox_files, person

# WCAG 2.1 relative luminance and contrast of each element's text against its nearest opaque
# background, computed in the browser from the styles it actually applied.
CONTRAST_JS = """
(selector) => {
  const lum = (c) => {
    const [r, g, b] = c.match(/[0-9.]+/g).slice(0, 3).map(Number).map((v) => {
      v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const background = (el) => {
    for (; el; el = el.parentElement) {
      const bg = getComputedStyle(el).backgroundColor;
      if (!bg.startsWith('rgba(0, 0, 0, 0)') && bg !== 'transparent') return bg;
    }
    return 'rgb(255, 255, 255)';
  };
  return [...document.querySelectorAll(selector)].map((el) => {
    const a = lum(getComputedStyle(el).color), b = lum(background(el));
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  });
}
"""


def assert_contrast(page: Page, selector: str = "h1, p, th, td, button, label, a, small") -> None:
    ratios = page.evaluate(CONTRAST_JS, selector)
    assert ratios, selector
    assert min(ratios) >= 4.5, sorted(ratios)[:3]  # WCAG AA for normal text


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_preference_centre_switches_saved_by_a_form_post(
    served: tuple[Context, str, Path], browser: Browser
) -> None:
    ctx, base, _ = served
    address = f"anna.{uuid.uuid4().hex[:8]}@example.com"
    anna = person(ctx, address)
    link = preferences_link(ctx, subject_id=anna.subject_id, touchpoint=CENTRE)
    page = browser.new_page()
    page.goto(f"{base}{_path(link.url)}?lang=en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Your privacy preferences")).to_be_visible()
    sms = page.get_by_role("switch", name="Newsletter marketing SMS")
    sms_state = page.locator(f'.state[data-purpose="{PURPOSE}"][data-channel="sms"]')
    expect(sms_state).to_have_text("Consent given")
    expect(sms).to_be_checked()
    assert_contrast(page)
    save = page.get_by_role("button", name="Save my choices")
    sms.click()
    save.click()
    expect(page.get_by_role("status").filter(has_text="Change recorded.")).to_be_visible()
    expect(sms_state).to_have_text("Withdrawn")
    assert check(ctx, PURPOSE, Channel.SMS, address) == "withdrawn"
    assert check(ctx, PURPOSE, Channel.EMAIL, address) == "consent_given"
    sms.click()
    save.click()
    expect(sms_state).to_have_text("Consent given")
    assert check(ctx, PURPOSE, Channel.SMS, address) == "consent_given"
    page.get_by_role("switch", name="Profiling E-mail").click()
    save.click()
    expect(page.locator(f'.state[data-purpose="{OTHER_PURPOSE}"]')).to_have_text("Withdrawn")
    assert check(ctx, OTHER_PURPOSE, Channel.EMAIL, address) == "withdrawn"
    # In Italian, with the notice text one click away.
    page.goto(f"{base}{_path(link.url)}?lang=it")
    expect(page.get_by_role("heading", name="Le sue preferenze privacy")).to_be_visible()
    page.locator("summary").click()
    expect(page.get_by_text("Informativa v1")).to_be_visible()
    page.close()


def _tab_to(page: Page, selector: str, limit: int = 30) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
    raise AssertionError(f"{selector} cannot be reached with the keyboard")


def test_rights_form_by_keyboard_only(served: tuple[Context, str, Path], browser: Browser) -> None:
    ctx, base, outbox = served
    address = f"anna.{uuid.uuid4().hex[:8]}@example.com"
    person(ctx, address)
    earlier = set(outbox_files(outbox))
    page = browser.new_page()
    page.goto(f"{base}/rights?lang=en")
    for field in ("kind", "contact", "details"):
        assert page.locator(f'label[for="{field}"]').count() == 1  # every field is labelled
    assert_contrast(page)
    _tab_to(page, "#kind")
    page.keyboard.press("ArrowDown")  # access -> rectification
    _tab_to(page, "#contact")
    page.keyboard.type(address)
    _tab_to(page, "#details")
    page.keyboard.type("Please send me a copy.")
    _tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Verify your identity")).to_be_visible()
    mails = [m for m in outbox_files(outbox) if m not in earlier]
    assert len(mails) == 1
    code = re.search(rb"\b(\d{6})\b", mails[0].read_bytes()).group(1).decode()  # type: ignore[union-attr]
    _tab_to(page, "#code")
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Request received")).to_be_visible()
    text = page.get_by_role("status").inner_text()
    request_id = re.search(r"(req_[0-9a-f]+)", text).group(1)  # type: ignore[union-attr]
    with ctx.engine.connect() as conn:
        row = conn.execute(
            select(t.rights_requests).where(t.rights_requests.c.id == request_id)
        ).one()
    assert (row.status, row.channel, row.language) == ("in_progress", "web_form", "en")
    assert row.kind == "rectification"
    assert address not in page.url
    page.close()


def test_rights_form_refuses_a_bad_code_and_a_replayed_form(
    served: tuple[Context, str, Path], browser: Browser
) -> None:
    ctx, base, _ = served
    with ctx.engine.connect() as conn:
        earlier = set(conn.execute(select(t.rights_requests.c.id)).scalars())
        intakes = set(conn.execute(select(t.pending_intakes.c.id)).scalars())
    page = browser.new_page()
    page.goto(f"{base}/rights?lang=it")
    expect(page.get_by_role("heading", name="Eserciti i suoi diritti")).to_be_visible()
    page.get_by_label("Tipo di richiesta").select_option("access")
    page.get_by_label("E-mail o numero di cellulare").fill("not an address")
    page.get_by_role("button", name="Invia la richiesta").click()
    expect(page.get_by_role("alert")).to_contain_text("Indichi un indirizzo e-mail")
    page.get_by_label("E-mail o numero di cellulare").fill("+39 347 111 2233")
    page.get_by_role("button", name="Invia la richiesta").click()
    expect(page.get_by_role("heading", name="Verifichi la sua identità")).to_be_visible()
    page.get_by_label("Codice di verifica").fill("000000")
    page.get_by_role("button", name="Verifica").click()
    expect(page.get_by_role("alert")).to_be_visible()
    # A wrong code proves nothing: no request is taken in, the submission waits sealed.
    with ctx.engine.connect() as conn:
        rows = conn.execute(select(t.rights_requests.c.id)).scalars().all()
        waiting = set(conn.execute(select(t.pending_intakes.c.id)).scalars()) - intakes
    assert [r for r in rows if r not in earlier] == []
    assert len(waiting) == 1
    page.close()
