"""Words, dates and times in the reader's language: gettext catalogs read with Babel.

The catalogs are `locale/<lang>/LC_MESSAGES/messages.po`; adding a language is adding a
catalog (docs/i18n.md). Source strings are English; their placeholders are `{name}`
(python-brace-format). A coded value (an enum) is looked up by its context and its raw value,
`label("legal basis", "consent")`, so every catalog, English included, names it in words.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, negotiate_locale
from babel.dates import format_date, format_datetime, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).parent.parent / "locale"
DOMAIN = "messages"
DEFAULT_ZONE = "Europe/Rome"


def languages() -> tuple[str, ...]:
    """The languages with a catalog, sorted (`en`, `it`, ...)."""
    return _languages()


@cache
def _languages() -> tuple[str, ...]:
    return tuple(
        sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    )


@cache
def catalog_translations(lang: str) -> gettext.GNUTranslations:
    """A language's catalog, compiled in memory from its .po (no .mo to go stale)."""
    with (LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as po:
        catalog = read_po(po, locale=lang, domain=DOMAIN)
    mo = BytesIO()
    write_mo(mo, catalog, use_fuzzy=False)
    mo.seek(0)
    return gettext.GNUTranslations(mo)


def parse_accept_language(header: str) -> list[str]:
    """The tags of an Accept-Language header, most wanted first (RFC 9110 quality values)."""
    weighted: list[tuple[float, int, str]] = []
    for n, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip()
        if not tag or tag == "*":
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            weighted.append((-quality, n, tag))
    return [tag for _, _, tag in sorted(weighted)]


def negotiate(*wanted: str | None, accept_language: str = "", default: str) -> str:
    """The first explicitly wanted language we have, else Accept-Language's best, else default."""
    available = languages()
    for candidate in wanted:
        if candidate and candidate in available:
            return candidate
    found = negotiate_locale(parse_accept_language(accept_language), list(available), sep="-")
    return found or default


@dataclass(frozen=True)
class Words:
    """A reader's words and clock: `t("Version {v}", v=2)`, `t.label("role", "dpo")`."""

    lang: str
    zone: ZoneInfo

    @property
    def language(self) -> str:
        return self.lang

    @property
    def _catalog(self) -> gettext.GNUTranslations:
        return catalog_translations(self.lang)

    def __call__(self, text: str, **values: object) -> str:
        found = self._catalog.gettext(text)
        return found.format(**values) if values else found

    def gettext(self, text: str) -> str:
        return self._catalog.gettext(text)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._catalog.ngettext(singular, plural, n)

    def pgettext(self, context: str, text: str) -> str:
        return self._catalog.pgettext(context, text)

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        return self._catalog.npgettext(context, singular, plural, n)

    def label(self, context: str, value: object) -> str:
        """A coded value in words: `label("consent", "given")`; an unknown value stays as is."""
        raw = str(getattr(value, "value", value))
        return self._catalog.pgettext(context, raw)

    def when(self, moment: datetime | None, *, seconds: bool = False) -> str:
        """A date and time in the company's zone, in the locale's medium format."""
        if moment is None:
            return "—"
        locale = Locale.parse(self.lang)
        day = locale.date_formats["medium"].pattern
        clock = locale.time_formats["medium" if seconds else "short"].pattern
        pattern = str(locale.datetime_formats["medium"]).replace("{1}", day).replace("{0}", clock)
        return format_datetime(moment, pattern, tzinfo=self.zone, locale=locale)

    def day(self, moment: datetime | date | None) -> str:
        """A date (a moment's date in the company's zone), in the locale's medium format."""
        if moment is None:
            return "—"
        if isinstance(moment, datetime):
            moment = moment.astimezone(self.zone).date()
        return format_date(moment, "medium", locale=self.lang)

    def clock(self, moment: datetime) -> str:
        """A time of day in the company's zone (hours and minutes)."""
        return format_time(moment, "short", tzinfo=self.zone, locale=self.lang)


def words(lang: str, zone: str = DEFAULT_ZONE) -> Words:
    """The words of one of languages() (an unknown one falls back to English)."""
    return Words(lang if lang in languages() else "en", ZoneInfo(zone))
