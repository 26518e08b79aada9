"""The reports in Italian and English, from the catalogs (trustguardian.i18n).

`t = translator("it")`, then `t("Period: {start} to {end}", ...)`; coded values (consent
statuses, event kinds) read through `t.code("status", "given")`, by the catalog's context.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from trustguardian.domain.errors import FieldError, InvalidInput
from trustguardian.i18n import DEFAULT_ZONE, Words, words
from trustguardian.i18n.findings import finding_text

LANGUAGES = ("en", "it")
# The reports' short names for the catalog's contexts.
CONTEXTS = {
    "basis": "legal basis (article)",
    "channel": "channel",
    "confirmation": "confirmation",
    "nature": "nature",
    "complaint": "complaint status",
    "data": "data category",
    "kind": "event kind",
    "record": "record status",
    "right": "right",
    "request": "request status",
    "safeguard": "transfer safeguard",
    "proof": "proof type",
    "status": "consent status",
    "tpkind": "touchpoint kind",
    "tpstatus": "touchpoint status",
}


class Language(StrEnum):
    """The languages a report is written in."""

    EN = "en"
    IT = "it"


@dataclass(frozen=True)
class Translator:
    lang: str
    zone: str = DEFAULT_ZONE

    @property
    def words(self) -> Words:
        return words(self.lang, self.zone)

    def __call__(self, text: str, **values: object) -> str:
        return self.words(text, **values)

    def code(self, kind: str, value: object) -> str:
        """A coded value as a word (`status`, `given` -> `prestato`)."""
        return self.words.label(CONTEXTS[kind], value)

    def finding(self, text: str) -> str:
        """A census finding's stored English message or fix, in the language."""
        return finding_text(self.words, text)

    def when(self, moment: datetime | None) -> str:
        """A moment in the company's zone, in the language's format."""
        return self.words.when(moment, seconds=True)

    def day(self, moment: datetime | date | None) -> str:
        return self.words.day(moment)


def translator(lang: str, zone: str = DEFAULT_ZONE) -> Translator:
    """The reports' words in one of LANGUAGES; refuses any other."""
    if lang not in LANGUAGES:
        raise InvalidInput(
            f"no report in {lang!r}", errors=[FieldError("lang", f"one of {', '.join(LANGUAGES)}")]
        )
    return Translator(lang, zone)
