"""A census finding's stored English text in a reader's language.

The census (domain.risk) writes each message and fix from one template of domain.risk_texts;
the text is stored, and committed by the examination's leaf, in English. To show it in another
language, the text is matched against the templates (the first that matches whole), its values
read back, and the template's translation filled in with them. A text no template made (one
stored by an older release) is shown as it is.
"""

from __future__ import annotations

import re
from functools import cache

from trustguardian.domain.risk_texts import TEMPLATES
from trustguardian.i18n import Words

PLACEHOLDER = re.compile(r"\{(\w+)\}")


@cache
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Each template with a pattern that reads its values back out of a text it made."""
    found = []
    for template in TEMPLATES:
        parts = PLACEHOLDER.split(template)  # literal, name, literal, name, ...
        regex = "".join(
            re.escape(part) if n % 2 == 0 else f"(?P<{part}>.+?)" for n, part in enumerate(parts)
        )
        found.append((template, re.compile(regex, re.DOTALL)))
    return tuple(found)


def finding_text(t: Words, text: str) -> str:
    """A finding's message or fix in `t`'s language (as stored when no template made it)."""
    for template, pattern in _patterns():
        match = pattern.fullmatch(text)
        if match is not None:
            return t(template, **match.groupdict())
    return text
