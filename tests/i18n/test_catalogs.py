"""The gettext catalogs: complete for every word the code and templates ask for, every coded
value named in every language, placeholders kept, one glossary, one Accept-Language parser."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from trustguardian.i18n import (
    LOCALE_DIR,
    catalog_translations,
    languages,
    negotiate,
    parse_accept_language,
    words,
)
from trustguardian.i18n.enums import coded_values
from trustguardian.i18n.extract import refreshed_template
from trustguardian.web.console import core

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _catalog(lang: str) -> dict[tuple[str | None, str], str]:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return {(m.context, str(m.id)): str(m.string) for m in read_po(f) if m.id}


def test_italian_and_english_are_the_catalogs_shipped() -> None:
    assert languages() == ("en", "it")
    assert (LOCALE_DIR / "messages.pot").is_file()


def test_every_string_the_sources_ask_for_is_translated_into_italian() -> None:
    italian = _catalog("it")
    asked = {(m.context, str(m.id)) for m in refreshed_template() if m.id}
    nav = {(None, item.label) for item in core.NAV}
    missing = sorted((k for k in asked | nav if not italian.get(k)), key=str)
    assert missing == []
    assert len(asked) > 700


def test_every_coded_value_has_words_in_every_catalog() -> None:
    for lang in languages():
        catalog = _catalog(lang)
        missing = [
            (context, value)
            for context, values in coded_values().items()
            for value in values
            if not catalog.get((context, value))
        ]
        assert missing == [], lang
    t = words("it")
    assert t.label("legal basis", "legitimate_interest") == "legittimo interesse"
    assert words("en").label("event kind", "consent.given") == "consent given"


def test_placeholders_survive_translation() -> None:
    for lang in languages():
        for (_context, msgid), text in _catalog(lang).items():
            if text:
                assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(msgid)), msgid
    assert words("it")("size {size}", size=3) == "dimensione 3"


def test_the_template_holds_every_catalog_entry() -> None:
    with (LOCALE_DIR / "messages.pot").open("rb") as f:
        template = {(m.context, str(m.id)) for m in read_po(f) if m.id}
    for lang in languages():
        assert set(_catalog(lang)) <= template, lang


ENTRY = re.compile(r'^(?:msgctxt (".*")\n)?msgid ((?:".*"\n)+)', re.M)


@pytest.mark.parametrize(
    "name", ["messages.pot", "en/LC_MESSAGES/messages.po", "it/LC_MESSAGES/messages.po"]
)
def test_no_entry_is_written_twice(name: str) -> None:
    """Babel keeps the first of two entries with one context and id and drops the other's
    words silently: each may be written once."""
    text = (LOCALE_DIR / name).read_text(encoding="utf-8")
    keys = [m.groups() for m in ENTRY.finditer(text)]
    twice = [key for key, count in Counter(keys).items() if count > 1]
    assert keys
    assert not twice


def test_the_catalog_compiled_in_memory_is_the_po() -> None:
    italian = catalog_translations("it")
    for (context, msgid), text in list(_catalog("it").items())[:200]:
        if text:
            found = italian.pgettext(context, msgid) if context else italian.gettext(msgid)
            assert found == text
    # No compiled catalog ships to go stale: the .po is what is read.
    assert not list(Path(LOCALE_DIR).glob("**/*.mo"))


def test_one_glossary_names_the_ledger_and_the_access_log_apart() -> None:
    italian = _catalog("it")
    assert italian[(None, "Ledger")] == "Registro delle prove"
    assert italian[(None, "Access log")] == "Registro degli accessi"
    assert "impegno crittografico" in italian[(None, "Commitment in the ledger")].lower()
    for (_, msgid), text in italian.items():
        if re.search(r"\bledger\b", msgid, re.I):
            assert "registro delle prove" in text.lower(), msgid
        # "Registro" alone would be either: every one says which.
        for found in re.finditer(r"\bregistro\b(?P<rest>.{0,20})", text, re.I):
            assert re.match(
                r" (delle prove|degli accessi|delle opposizioni|delle attività|Merkle)",
                found.group("rest"),
            ), (msgid, text)


@pytest.mark.parametrize(
    ("header", "wanted", "default", "expected"),
    [
        ("it-IT,it;q=0.9,en;q=0.8", (), "en", "it"),
        ("de-DE,en;q=0.5,it;q=0.4", (), "it", "en"),
        ("fr,it;q=0.7", (), "en", "it"),
        ("en;q=0.1,it;q=0.9", (), "en", "it"),
        ("", (), "en", "en"),
        ("", (), "it", "it"),
        ("fr, de", (), "it", "it"),
        ("it", ("en",), "it", "en"),
        ("it", ("xx", None), "en", "it"),
    ],
)
def test_one_parser_picks_the_language(
    header: str, wanted: tuple[str | None, ...], default: str, expected: str
) -> None:
    assert negotiate(*wanted, accept_language=header, default=default) == expected


def test_accept_language_quality_orders_and_zero_refuses() -> None:
    assert parse_accept_language("en;q=0.2, it-IT, fr;q=0") == ["it-IT", "en"]
    assert parse_accept_language("*, en;q=bad") == []
