"""The words of confirmation messages, in Italian and English."""

from __future__ import annotations

from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

ROME = ZoneInfo("Europe/Rome")


def _when(moment: datetime) -> str:
    return moment.astimezone(ROME).strftime("%d/%m/%Y %H:%M")


def link_email(
    language: str, touchpoint: str, link: str, expires: datetime
) -> tuple[str, str, str]:
    """Subject, text and HTML of a double opt-in e-mail."""
    until = _when(expires)
    if language == "en":
        subject = "Please confirm your consent"
        intro = f"You gave your consent through “{touchpoint}”. Please confirm it:"
        after = f"The link works once, until {until} (Rome time). If it was not you, ignore it."
        button = "Confirm"
    else:
        subject = "Conferma il tuo consenso"
        intro = f"Hai espresso il tuo consenso tramite “{touchpoint}”. Confermalo qui:"
        after = f"Il link vale una volta sola, fino al {until}. Se non sei stato tu, ignoralo."
        button = "Conferma"
    text = f"{intro}\n\n{link}\n\n{after}\n"
    html = (
        f"<p>{escape(intro)}</p>"
        f'<p><a href="{escape(link)}">{escape(button)}</a></p>'
        f"<p>{escape(after)}</p>"
    )
    return subject, text, html


def code_sms(language: str, touchpoint: str, code: str, expires: datetime) -> str:
    """A one-time code by text message (short: one SMS)."""
    until = expires.astimezone(ROME).strftime("%H:%M")
    if language == "en":
        return f"{code} is your code to confirm your consent ({touchpoint}). Valid until {until}."
    return (
        f"{code} è il codice per confermare il consenso ({touchpoint}). Valido fino alle {until}."
    )


def code_email(language: str, touchpoint: str, code: str, expires: datetime) -> tuple[str, str]:
    """Subject and text of a one-time code by e-mail."""
    if language == "en":
        return "Your confirmation code", (
            f"Your code to confirm your consent ({touchpoint}) is {code}.\n"
            f"It is valid until {_when(expires)} (Rome time).\n"
        )
    return "Il tuo codice di conferma", (
        f"Il codice per confermare il consenso ({touchpoint}) è {code}.\n"
        f"Vale fino al {_when(expires)}.\n"
    )
