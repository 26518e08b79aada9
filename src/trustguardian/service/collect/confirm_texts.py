"""The words of confirmation messages, from the catalogs (trustguardian.i18n), in the person's
language, with times in the company's zone; mails name the controller and the purposes and
carry the company's brand (service.brand.mail)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from html import escape

from trustguardian.domain.brand import Brand
from trustguardian.i18n import DEFAULT_ZONE, Words, words
from trustguardian.service.brand.mail import button, html_page, text_footer


@dataclass(frozen=True)
class MailTexts:
    """What a confirmation mail says beside its link or code."""

    language: str
    touchpoint: str
    expires: datetime
    zone: str = DEFAULT_ZONE
    brand: Brand = field(default_factory=Brand)
    controller: str | None = None
    purposes: tuple[str, ...] = ()
    base_url: str = ""

    def words(self) -> Words:
        return words(self.language, self.zone)

    def intro(self) -> str:
        t = self.words()
        if self.controller:
            return t(
                "{controller} asks you to confirm the consent you gave through “{touchpoint}”.",
                controller=self.controller,
                touchpoint=self.touchpoint,
            )
        return t(
            "You gave your consent through “{touchpoint}”. Please confirm it:",
            touchpoint=self.touchpoint,
        )

    def purposes_text(self) -> str:
        if not self.purposes:
            return ""
        t = self.words()
        heading = t("You consented to:")
        return heading + "\n" + "".join(f"- {p}\n" for p in self.purposes) + "\n"

    def purposes_html(self) -> str:
        if not self.purposes:
            return ""
        t = self.words()
        heading = escape(t("You consented to:"))
        items = "".join(f"<li>{escape(p)}</li>" for p in self.purposes)
        return f'<p>{heading}</p><ul class="purposes">{items}</ul>'


def link_email(texts: MailTexts, link: str) -> tuple[str, str, str]:
    """Subject, text and HTML of a double opt-in e-mail."""
    t = texts.words()
    subject = t("Please confirm your consent")
    if texts.brand.company_name:
        subject = f"{subject} · {texts.brand.company_name}"
    after = t(
        "The link works once, until {until} ({zone}). If it was not you, ignore it.",
        until=t.when(texts.expires),
        zone=texts.zone,
    )
    intro = texts.intro()
    text = f"{intro}\n\n{texts.purposes_text()}{link}\n\n{after}\n" + text_footer(texts.brand, t)
    body = (
        f"<p>{escape(intro)}</p>{texts.purposes_html()}"
        + button(texts.brand, link, t("Confirm"))
        + f"<p>{escape(after)}</p>"
    )
    return subject, text, html_page(texts.brand, t, texts.base_url, body)


def code_sms(
    language: str, touchpoint: str, code: str, expires: datetime, zone: str = DEFAULT_ZONE
) -> str:
    """A one-time code by text message (short: one SMS)."""
    t = words(language, zone)
    return t(
        "{code} is your code to confirm your consent ({touchpoint}). Valid until {until}.",
        code=code,
        touchpoint=touchpoint,
        until=t.clock(expires),
    )


def code_email(texts: MailTexts, code: str) -> tuple[str, str, str]:
    """Subject, text and HTML of a one-time code by e-mail."""
    t = texts.words()
    body = t(
        "Your code to confirm your consent ({touchpoint}) is {code}.\n"
        "It is valid until {until} ({zone}).\n",
        touchpoint=texts.touchpoint,
        code=code,
        until=t.when(texts.expires),
        zone=texts.zone,
    )
    lead = f"{texts.intro()}\n\n{texts.purposes_text()}" if texts.controller else ""
    text = lead + body + text_footer(texts.brand, t)
    html = (
        f"<p>{escape(texts.intro())}</p>{texts.purposes_html()}" if texts.controller else ""
    ) + "".join(f"<p>{escape(line)}</p>" for line in body.splitlines() if line)
    return t("Your confirmation code"), text, html_page(texts.brand, t, texts.base_url, html)
