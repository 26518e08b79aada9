"""What an Italian page must not show: coded values and English source strings of the catalog."""

from __future__ import annotations

import re
from functools import cache
from html.parser import HTMLParser

from babel.messages.pofile import read_po

from trustguardian.i18n import LOCALE_DIR
from trustguardian.i18n.enums import coded_values

ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
HIDDEN = ("code", "script", "style", "textarea", "pre")


class _Text(HTMLParser):
    """A page's visible words: text outside <code>, <script>, <style>, <textarea>, and labels."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0
        self._stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # A language's own name (the switcher's "English") is in that language on purpose.
        if tag in HIDDEN or (tag != "html" and dict(attrs).get("lang") not in (None, "it")):
            self._hidden += 1
            self._stack.append(tag)
        self.parts.extend(v for k, v in attrs if k in ATTRIBUTES and v)

    def handle_endtag(self, tag: str) -> None:
        if self._stack and self._stack[-1] == tag:
            self._stack.pop()
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def page_text(html: str, data: tuple[str, ...] = ()) -> str:
    """The words a reader sees on the page, one space between pieces, without the data given
    (usernames, keys: names, not words)."""
    parser = _Text()
    parser.feed(html)
    text = " ".join(" ".join(parser.parts).split())
    for value in data:
        text = _pattern(value).sub("·", text)
    return text


def _catalog(lang: str) -> dict[tuple[str | None, str], str]:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return {
            (m.context, str(m.id)): str(m.string)
            for m in read_po(f)
            if m.id and isinstance(m.id, str)
        }


def _pattern(phrase: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w.@/-])" + re.escape(phrase) + r"(?![\w@/-])")


@cache
def suspects() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """(what, pattern) for each phrase that would mean an untranslated word on an Italian page.

    A raw coded value, its English label, and each English source string, unless Italian uses
    the same word (Touchpoint, Marketing, DPO, e-mail...): those prove nothing.
    """
    italian, english = _catalog("it"), _catalog("en")
    words = " ".join(italian.values())
    found: dict[str, str] = {}
    for context, values in coded_values().items():
        for value in values:
            label = english.get((context, value), "")
            for phrase in (value, label):
                if phrase and phrase != italian.get((context, value)):
                    found[phrase] = f"{context}: {value}"
    for (context, msgid), translation in italian.items():
        if context is None and translation and translation != msgid:
            # The literal text before a placeholder, when it says enough on its own.
            head = msgid.split("{", 1)[0].strip(" :;,(")
            if head == msgid.strip() or len(head) >= 16:
                found[head] = f"msgid: {msgid}"
    return tuple(
        (what, _pattern(phrase))
        for phrase, what in sorted(found.items())
        if len(phrase) > 1 and not _pattern(phrase).search(words)
    )


def untranslated(text: str) -> list[str]:
    """The suspects found in a page's text, each with the text around it."""
    found = []
    for what, pattern in suspects():
        hit = pattern.search(text)
        if hit:
            found.append(f"{what}: …{text[max(0, hit.start() - 40) : hit.end() + 40]}…")
    return found
