"""The public pages on a phone, in headless Chromium against a real server, on SQLite and
PostgreSQL: the preference centre is one card per purpose with a switch per channel, names the
purposes in the person's language, never scrolls sideways at 360-414 px, has targets of at least
44 px and text at WCAG AA contrast, and works by plain form posts; the rights form names the
controller."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from tests.factories import add_purpose, add_touchpoint
from tests.factories.events import HISTORY_DAYS, NOTICE, ago, at_instant, email, make_draft, record

from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import Channel, LegalBasis, PurposeLabel, TouchpointKind
from trustguardian.service.context import Context
from trustguardian.service.engage.links import preferences_link
from trustguardian.service.events.consent import subject_timeline

from .helpers import check
from .phone_checks import PHONES, assert_aa_contrast, assert_fits, assert_large_targets, contrast

NEWS, TASTES, POST = "phone-news", "phone-tastes", "phone-post"
CENTRE, WEB = "phone-centre", "phone-web"
NAMES = {
    NEWS: {"en": "News and offers", "it": "Novità e offerte"},
    TASTES: {"en": "Offers that match your tastes", "it": "Offerte in base ai suoi gusti"},
    POST: {"en": "Catalogue by post", "it": "Catalogo per posta"},
}
CHANNELS = {
    NEWS: (Channel.EMAIL, Channel.SMS, Channel.PHONE),
    TASTES: (Channel.EMAIL, Channel.SMS),
    POST: (Channel.LETTER,),
}


def _labels(key: str) -> tuple[PurposeLabel, ...]:
    about = {"en": f"What {NAMES[key]['en']} means.", "it": f"Che cosa è {NAMES[key]['it']}."}
    return tuple(PurposeLabel(lang, NAMES[key][lang], about[lang]) for lang in ("en", "it"))


@pytest.fixture(scope="module")
def phone(served: tuple[Context, str, Path]) -> tuple[Context, str]:
    """The shared server with three purposes labelled in Italian and English (nine switches in
    all), a preference centre that offers them and a web form that collects them."""
    ctx, base, _ = served
    past = at_instant(ctx, ago(days=HISTORY_DAYS))
    for key in (NEWS, TASTES):
        add_purpose(past, key, name=f"{key} (default)", channels=CHANNELS[key], labels=_labels(key))
    add_purpose(
        past,
        POST,
        name=f"{POST} (default)",
        channels=CHANNELS[POST],
        legal_basis=LegalBasis.LEGITIMATE_INTEREST,
        consent_lifetime_days=None,
        labels=_labels(POST),
    )
    add_touchpoint(
        ctx,
        CENTRE,
        name="Phone centre",
        kind=TouchpointKind.RIGHT,
        channel=Channel.WEB_FORM,
        purposes=[NEWS, TASTES, POST],
        notice_key=NOTICE,
    )
    add_touchpoint(ctx, WEB, purposes=[NEWS, TASTES], notice_key=NOTICE)
    return ctx, base


def _person(ctx: Context) -> tuple[str, str]:
    """Someone who agreed to the news by e-mail and SMS and to the tastes by e-mail."""
    address = f"lucia.{uuid.uuid4().hex[:8]}@example.com"
    ids = (email(address),)
    events = record(
        ctx,
        make_draft(
            touchpoint=WEB, identifiers=ids, purpose=NEWS, channels=(Channel.EMAIL, Channel.SMS)
        ),
        make_draft(touchpoint=WEB, identifiers=ids, purpose=TASTES, channels=(Channel.EMAIL,)),
    )
    return events[0].subject_id, address


def _centre(ctx: Context, base: str, subject_id: str) -> str:
    url = preferences_link(ctx, subject_id=subject_id, touchpoint=CENTRE).url
    return base + "/" + url.split("/", 3)[3]


def test_the_preference_centre_fits_a_phone_with_large_targets_and_aa_contrast(
    phone: tuple[Context, str], browser: Browser
) -> None:
    ctx, base = phone
    subject_id, _ = _person(ctx)
    url = _centre(ctx, base, subject_id)
    for width, height in PHONES:
        context = browser.new_context(viewport={"width": width, "height": height}, locale="it-IT")
        page = context.new_page()
        page.goto(url)
        expect(page.get_by_role("heading", name="Le sue preferenze privacy")).to_be_visible()
        assert_fits(page)
        assert_large_targets(page)
        assert_aa_contrast(page)
        page.locator("summary").click()  # the notice, open, still fits
        assert_fits(page)
        context.close()
    # In forced colours (Windows high contrast) backgrounds are dropped: the native checkbox shows.
    context = browser.new_context(viewport={"width": 390, "height": 844}, forced_colors="active")
    page = context.new_page()
    page.goto(url)
    styles = page.get_by_role("switch").evaluate_all(
        "(all) => all.map((s) => getComputedStyle(s).appearance)"
    )
    assert len(styles) == 6  # the three purposes' six channels
    assert set(styles) == {"auto"}
    context.close()


def test_one_card_per_purpose_with_a_switch_per_channel_in_the_persons_language(
    phone: tuple[Context, str], browser: Browser
) -> None:
    ctx, base = phone
    subject_id, _ = _person(ctx)
    url = _centre(ctx, base, subject_id)
    for locale, lang, other in (("it-IT", "it", "en"), ("en-GB", "en", "it")):
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale=locale)
        page = context.new_page()
        page.goto(url)  # no ?lang=: the browser's language decides
        expect(page.locator("html")).to_have_attribute("lang", lang)
        cards = page.locator("section.purpose")
        assert cards.evaluate_all("(all) => all.map((c) => c.dataset.purpose)") == [
            NEWS,
            TASTES,
            POST,
        ]
        for key, channels in CHANNELS.items():
            card = page.locator(f'section.purpose[data-purpose="{key}"]')
            expect(card.get_by_role("heading", level=2)).to_have_text(NAMES[key][lang])
            expect(card).not_to_contain_text(NAMES[key][other])
            expect(card).not_to_contain_text("(default)")
            switches = card.get_by_role("switch")
            expect(switches).to_have_count(len(channels))
            values = switches.evaluate_all("(all) => all.map((s) => s.value.split(' ')[0])")
            assert values == [c.value for c in channels]
        news = page.locator(f'section.purpose[data-purpose="{NEWS}"]')
        assert [news.get_by_role("switch").nth(i).is_checked() for i in range(3)] == [
            True,
            True,
            False,
        ]
        # A legitimate interest is on until the person objects.
        expect(
            page.locator(f'section.purpose[data-purpose="{POST}"]').get_by_role("switch")
        ).to_be_checked()
        context.close()


def test_switching_a_channel_off_and_saving_records_the_withdrawal(
    phone: tuple[Context, str], browser: Browser
) -> None:
    ctx, base = phone
    subject_id, address = _person(ctx)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    page = context.new_page()
    page.goto(_centre(ctx, base, subject_id))
    sms = page.get_by_role("switch", name=f"{NAMES[NEWS]['en']} SMS")
    expect(sms).to_be_checked()
    sms.click()
    expect(sms).not_to_be_checked()
    assert check(ctx, NEWS, Channel.SMS, address) == "consent_given"  # nothing until saved
    page.get_by_role("button", name="Save my choices").click()
    expect(page.get_by_role("status").filter(has_text="Change recorded.")).to_be_visible()
    expect(sms).not_to_be_checked()
    expect(page.locator(f'.state[data-purpose="{NEWS}"][data-channel="sms"]')).to_have_text(
        "Withdrawn"
    )
    assert check(ctx, NEWS, Channel.SMS, address) == "withdrawn"
    assert check(ctx, NEWS, Channel.EMAIL, address) == "consent_given"
    last = subject_timeline(ctx, subject_id=subject_id)[-1]
    assert (last.kind, last.purpose, last.touchpoint) == (EventKind.CONSENT_WITHDRAWN, NEWS, CENTRE)
    assert tuple(last.channels) == (Channel.SMS,)
    # Two switches of two purposes at once: one event each; the page reloads them as saved.
    before = len(subject_timeline(ctx, subject_id=subject_id))
    page.get_by_role("switch", name=f"{NAMES[NEWS]['en']} Phone").click()
    page.get_by_role("switch", name=f"{NAMES[TASTES]['en']} E-mail").click()
    page.get_by_role("button", name="Save my choices").click()
    expect(page.get_by_role("switch", name=f"{NAMES[TASTES]['en']} E-mail")).not_to_be_checked()
    expect(page.get_by_role("switch", name=f"{NAMES[NEWS]['en']} Phone")).to_be_checked()
    assert check(ctx, NEWS, Channel.PHONE, address) == "consent_given"
    assert check(ctx, TASTES, Channel.EMAIL, address) == "withdrawn"
    assert len(subject_timeline(ctx, subject_id=subject_id)) == before + 2
    # By keyboard alone: Tab to a switch, Space turns it on, Tab to Save, Enter.
    _tab_to(page, f'input[value="sms {TASTES}"]')
    page.keyboard.press("Space")
    _tab_to(page, 'button[value="save"]')
    page.keyboard.press("Enter")
    expect(page.get_by_role("switch", name=f"{NAMES[TASTES]['en']} SMS")).to_be_checked()
    assert check(ctx, TASTES, Channel.SMS, address) == "consent_given"
    context.close()


def _tab_to(page: Page, selector: str, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with the keyboard")


def test_the_rights_form_names_the_controller_and_fits_a_phone(
    phone: tuple[Context, str], browser: Browser
) -> None:
    _, base = phone
    for width, height in PHONES:
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.goto(f"{base}/rights?lang=en")
        # No controller name in the settings: the purposes' controller.
        expect(page.locator("address.controller")).to_contain_text(
            "You are writing to Bottega Rossi S.p.A., the controller of your data."
        )
        assert_fits(page)
        assert_large_targets(page)
        assert_aa_contrast(page)
        context.close()
    page = browser.new_page()
    page.goto(f"{base}/rights?lang=it")
    expect(page.locator("address.controller")).to_contain_text("Sta scrivendo a Bottega Rossi")
    page.close()


def test_the_contrast_helper_agrees_with_wcag() -> None:
    white, black = (255.0, 255.0, 255.0, 1.0), (0.0, 0.0, 0.0, 1.0)
    assert round(contrast(black, white), 2) == 21.0
    assert round(contrast((118.0, 118.0, 118.0, 1.0), white), 2) == 4.54  # #767676, the AA edge
    assert contrast((0.0, 0.0, 0.0, 0.5), white) < 4.5  # half-transparent black is grey
