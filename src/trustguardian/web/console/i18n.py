"""The console in English and Italian: English source strings, Italian from this table."""

from __future__ import annotations

from collections.abc import Callable

from trustguardian.web.console.italian import ENGLISH, ITALIAN

LANGUAGES = ("en", "it")


def pick_language(accept_language: str) -> str:
    """The first of our languages the browser asks for (English when none)."""
    weighted: list[tuple[float, int, str]] = []
    for n, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        weighted.append((-quality, n, tag.strip().lower()[:2]))
    for _, _, tag in sorted(weighted):
        if tag in LANGUAGES:
            return tag
    return "en"


def translator(lang: str) -> Callable[..., str]:
    """`_("text", name=value)`: the text in the language, with `{name}` filled in."""
    table = ITALIAN if lang == "it" else ENGLISH

    def translate(text: str, **values: object) -> str:
        found = table.get(text, text)
        return found.format(**values) if values else found

    return translate
