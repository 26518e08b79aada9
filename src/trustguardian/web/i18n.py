"""How a public page picks its language: `?lang=`, then a form's `lang`, then Accept-Language.

The words are the catalogs' (trustguardian.i18n); Italian when nothing else is asked for.
"""

from __future__ import annotations

from fastapi import Request

from trustguardian.i18n import Words, negotiate, words
from trustguardian.service.context import Context

# Refusals the rights and complaint forms share (source strings; the catalog has the words).
FORM_EXPIRED = "The form had expired: we reloaded it, please send it again."
BAD_CONTACT = "Enter a valid e-mail address or mobile number."


def pick_language(request: Request, given: str | None = None) -> str:
    """`?lang=`, then a form's `lang`, then Accept-Language; Italian by default."""
    return negotiate(
        request.query_params.get("lang"),
        given,
        accept_language=request.headers.get("accept-language", ""),
        default="it",
    )


def reader_words(request: Request, given: str | None = None) -> Words:
    """The reader's words, with times in the company's zone."""
    ctx: Context = request.app.state.context
    return words(pick_language(request, given), ctx.settings.timezone)
