"""The words of confirmation messages, from the catalogs (trustguardian.i18n), in the person's
language, with times in the company's zone."""

from __future__ import annotations

from datetime import datetime
from html import escape

from trustguardian.i18n import DEFAULT_ZONE, words


def link_email(
    language: str, touchpoint: str, link: str, expires: datetime, zone: str = DEFAULT_ZONE
) -> tuple[str, str, str]:
    """Subject, text and HTML of a double opt-in e-mail."""
    t = words(language, zone)
    subject = t("Please confirm your consent")
    intro = t(
        "You gave your consent through “{touchpoint}”. Please confirm it:", touchpoint=touchpoint
    )
    after = t(
        "The link works once, until {until} ({zone}). If it was not you, ignore it.",
        until=t.when(expires),
        zone=zone,
    )
    button = t("Confirm")
    text = f"{intro}\n\n{link}\n\n{after}\n"
    html = (
        f"<p>{escape(intro)}</p>"
        f'<p><a href="{escape(link)}">{escape(button)}</a></p>'
        f"<p>{escape(after)}</p>"
    )
    return subject, text, html


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


def code_email(
    language: str, touchpoint: str, code: str, expires: datetime, zone: str = DEFAULT_ZONE
) -> tuple[str, str]:
    """Subject and text of a one-time code by e-mail."""
    t = words(language, zone)
    return t("Your confirmation code"), t(
        "Your code to confirm your consent ({touchpoint}) is {code}.\n"
        "It is valid until {until} ({zone}).\n",
        touchpoint=touchpoint,
        code=code,
        until=t.when(expires),
        zone=zone,
    )
