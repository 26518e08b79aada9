"""The reports in Italian and English: English source strings, Italian from `italian.py`.

The console's mechanism (web/console/i18n.py), kept beside the reports because `reports/`
may not import `web/`: `t = translator("it")`, then `t("Period: {start} to {end}", ...)`.
Coded values (consent statuses, event kinds) read through `t.code("status", "given")`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from trustguardian.domain.errors import FieldError, InvalidInput
from trustguardian.reports.italian import CODES, ITALIAN

LANGUAGES = ("en", "it")


class Language(StrEnum):
    """The languages a report is written in."""

    EN = "en"
    IT = "it"


@dataclass(frozen=True)
class Translator:
    lang: str

    def __call__(self, text: str, **values: object) -> str:
        found: str = ITALIAN.get(text, text) if self.lang == "it" else text
        return found.format(**values) if values else found

    def code(self, kind: str, value: str) -> str:
        """A coded value as a word (`status`, `given` -> `prestato`); English keeps the code."""
        if self.lang != "it":
            return value
        return CODES.get(f"{kind}:{value}", value)


def translator(lang: str) -> Translator:
    """The reports' words in one of LANGUAGES; refuses any other."""
    if lang not in LANGUAGES:
        raise InvalidInput(
            f"no report in {lang!r}", errors=[FieldError("lang", f"one of {', '.join(LANGUAGES)}")]
        )
    return Translator(lang)
