"""A census finding's stored English text is shown in the reader's language: the template it
was made from is found, its values read back and put into the template's translation."""

from __future__ import annotations

import re

from trustguardian.domain import risk_texts as w
from trustguardian.i18n import words
from trustguardian.i18n.findings import finding_text

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def test_every_finding_template_comes_back_in_italian_with_its_values() -> None:
    italian, english = words("it"), words("en")
    for template in w.TEMPLATES:
        values = {name: f"v{n}x" for n, name in enumerate(PLACEHOLDER.findall(template))}
        stored = template.format(**values)
        shown = finding_text(italian, stored)
        assert shown == italian(template, **values), template
        assert shown != stored, template
        assert all(v in shown for v in values.values()), template
        assert finding_text(english, stored) == stored


def test_the_longer_retention_finding_is_not_read_as_the_shorter() -> None:
    stored = w.KEPT_TOO_LONG_NO_LIFETIME.format(purpose="newsletter", days=900, limit=730)
    assert finding_text(words("it"), stored) == (
        "la finalità 'newsletter' conserva i dati 900 giorni, oltre 730, e non ha un periodo di "
        "rinnovo per i suoi consensi"
    )


def test_a_text_no_template_made_is_shown_as_stored() -> None:
    assert finding_text(words("it"), "an older release's words") == "an older release's words"
