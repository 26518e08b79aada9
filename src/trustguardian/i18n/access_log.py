"""The access log's "what" in the reader's language.

The log keeps what was read as a short English phrase (it is committed to the ledger as
written); the console shows it through the catalog, context "access log", by its pattern.
"""

from __future__ import annotations

import re

from trustguardian.i18n import Words

# Each pattern's msgid names its fields; a field after `:` is a coded value with that context.
PATTERNS: tuple[tuple[re.Pattern[str], str, dict[str, str]], ...] = tuple(
    (re.compile(pattern), msgid, coded)
    for pattern, msgid, coded in (
        (r"rights request (?P<id>\S+)", "rights request {id}", {}),
        (r"rights request", "rights request", {}),
        (r"complaint (?P<id>\S+)", "complaint {id}", {}),
        (r"complaint", "complaint", {}),
        (r"attachment (?P<n>\d+) of (?P<id>\S+)", "attachment {n} of {id}", {}),
        (r"dossier download", "dossier download", {}),
        (r"dossier", "dossier", {}),
        (r"search by (?P<kind>\S+)", "search by {kind}", {"kind": "identifier kind"}),
        (r"consents, timeline, checks, contacts", "consents, timeline, checks, contacts", {}),
        (
            r"contact check (?P<purpose>[^/]+)/(?P<channel>\S+)",
            "contact check {purpose}/{channel}",
            {"channel": "channel"},
        ),
        (
            r"proof (?P<n>\d+) \((?P<type>[^)]+)\) of (?P<id>\S+)",
            "proof {n} ({type}) of {id}",
            {"type": "proof type"},
        ),
        (r"subject \(lookup\)", "subject (lookup)", {}),
        (r"subject", "subject", {}),
        (r"timeline", "timeline", {}),
        (r"export \((?P<format>[^)]+)\)", "export ({format})", {}),
        (r"consent records \((?P<format>[^)]+)\)", "consent records ({format})", {}),
    )
)


def access_what(t: Words, what: str) -> str:
    """An access-log entry's "what" in words; a phrase of no known pattern stays as written."""
    for pattern, msgid, coded in PATTERNS:
        found = pattern.fullmatch(what)
        if found:
            values = {
                name: t.label(coded[name], value) if name in coded else value
                for name, value in found.groupdict().items()
            }
            return t.pgettext("access log", msgid).format(**values)
    return what
