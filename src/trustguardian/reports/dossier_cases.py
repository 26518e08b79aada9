"""The dossier report's sections on rights requests and complaints, in Italian and English."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, select_autoescape
from markupsafe import Markup
from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from trustguardian.i18n import words
from trustguardian.reports import pdf
from trustguardian.service.accountability.dossier import DossierData
from trustguardian.service.accountability.dossier_sections import COMPLAINTS, RIGHTS_REQUESTS

CASE_SECTIONS = frozenset({RIGHTS_REQUESTS, COMPLAINTS})

# The sections' words in the catalog's source language (trustguardian.i18n has them all).
SOURCE: dict[str, str] = {
    "requests": "Rights requests (GDPR arts. 15-22)",
    "complaints": "Complaints",
    "received": "Received",
    "kind": "Right",
    "status": "Status",
    "due": "Due on",
    "closed": "Closed",
    "in_time": "In time",
    "details": "Request",
    "reason": "Extension reason",
    "outcome": "Outcome",
    "summary": "Complaint",
    "touchpoint": "Touchpoint",
    "handler": "Handler",
    "steps": "Steps (ledger events)",
    "attachments": "Attachments",
    "about": "About event",
    "yes": "yes",
    "no": "NO",
    "open": "open",
    "overdue": "open, OVERDUE",
    "erased": "[erased: crypto-shredded]",
    "none": "none",
}


class Cases:
    """The two sections of one dossier, in one language."""

    def __init__(self, data: DossierData, lang: str) -> None:
        self.lang = lang
        self.words = words(lang)
        self.labels = {key: self.words(text) for key, text in SOURCE.items()}
        self.requests: list[dict[str, Any]] = data.sections.get(RIGHTS_REQUESTS, [])
        self.complaints: list[dict[str, Any]] = data.sections.get(COMPLAINTS, [])

    def label(self, context: str, value: str) -> str:
        return self.words.label(context, value)

    def text(self, row: dict[str, Any], name: str) -> str:
        """A sealed text as opened, or the erased mark once its key is gone."""
        if name in row["erased"]:
            return self.labels["erased"]
        return str(row.get(name) or "")

    def in_time(self, row: dict[str, Any]) -> str:
        if row["in_time"] is None:
            return self.labels["overdue"] if row["overdue"] else self.labels["open"]
        return self.labels["yes"] if row["in_time"] else self.labels["no"]

    def steps(self, row: dict[str, Any], context: str) -> str:
        return "; ".join(
            f"{s['at'][:19].replace('T', ' ')} {self.label(context, s['status'])} ({s['actor']}, "
            f"{s['event_id']})"
            for s in row["steps"]
        )

    def attachments(self, row: dict[str, Any]) -> str:
        return ", ".join(
            f"{self.labels['erased'] if a['name'] is None else a['name']} ({a['size']} B)"
            for a in row["attachments"]
        )


HTML = """{% set w = c.labels %}
<h2>{{ w.requests }}</h2>
{% for r in c.requests %}<h3><code>{{ r.id }}</code> · {{ c.label("right", r.kind) }} ·
{{ c.label("request status", r.status) }}</h3><table>
<tr><th>{{ w.received }}</th><td>{{ r.received_at }}</td></tr>
<tr><th>{{ w.touchpoint }}</th><td>{{ r.touchpoint }} ({{ r.channel }})</td></tr>
<tr><th>{{ w.due }}</th><td>{{ r.due_on }}</td></tr>
<tr><th>{{ w.closed }}</th><td>{{ r.closed_at or "" }}</td></tr>
<tr><th>{{ w.in_time }}</th><td>{{ c.in_time(r) }}</td></tr>
<tr><th>{{ w.details }}</th><td>{{ c.text(r, "details") }}</td></tr>
<tr><th>{{ w.reason }}</th><td>{{ c.text(r, "extension_reason") }}</td></tr>
<tr><th>{{ w.outcome }}</th><td>{{ c.text(r, "outcome") }}</td></tr>
<tr><th>{{ w.steps }}</th><td>{{ c.steps(r, "request status") }}</td></tr></table>
{% else %}<p>{{ w.none }}</p>{% endfor %}
<h2>{{ w.complaints }}</h2>
{% for r in c.complaints %}<h3><code>{{ r.id }}</code> ·
{{ c.label("complaint status", r.status) }}</h3><table>
<tr><th>{{ w.received }}</th><td>{{ r.received_at }}</td></tr>
<tr><th>{{ w.touchpoint }}</th><td>{{ r.touchpoint }} ({{ r.channel }})</td></tr>
<tr><th>{{ w.about }}</th><td>{{ r.about_event_id or "" }}</td></tr>
<tr><th>{{ w.handler }}</th><td>{{ r.handler or "" }}</td></tr>
<tr><th>{{ w.summary }}</th><td>{{ c.text(r, "summary") }}</td></tr>
<tr><th>{{ w.outcome }}</th><td>{{ c.text(r, "outcome") }}</td></tr>
<tr><th>{{ w.attachments }}</th><td>{{ c.attachments(r) }}</td></tr>
<tr><th>{{ w.closed }}</th><td>{{ r.closed_at or "" }}</td></tr>
<tr><th>{{ w.steps }}</th><td>{{ c.steps(r, "complaint status") }}</td></tr></table>
{% else %}<p>{{ w.none }}</p>{% endfor %}
"""

_template = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
_cases = _template.from_string(HTML)


def cases_html(data: DossierData, lang: str) -> Markup:
    """The two sections as HTML (escaped), to place in the report page."""
    return Markup(_cases.render(c=Cases(data, lang)))  # noqa: S704 - rendered with autoescape


def cases_pdf(data: DossierData, lang: str) -> list[Flowable]:
    """The two sections as PDF flowables: one table per request or complaint."""
    c = Cases(data, lang)
    w = c.labels
    widths = [40 * mm, 140 * mm]
    story: list[Flowable] = [pdf.para(w["requests"], "h1")]
    for r in c.requests:
        story += [
            pdf.para(
                f"{r['id']} - {c.label('right', r['kind'])} - "
                f"{c.label('request status', r['status'])}",
                "h2",
            ),
            pdf.table(
                ["", ""],
                [
                    (w["received"], r["received_at"]),
                    (w["touchpoint"], f"{r['touchpoint']} ({r['channel']})"),
                    (w["due"], r["due_on"]),
                    (w["closed"], r["closed_at"] or ""),
                    (w["in_time"], c.in_time(r)),
                    (w["details"], c.text(r, "details")),
                    (w["reason"], c.text(r, "extension_reason")),
                    (w["outcome"], c.text(r, "outcome")),
                    (w["steps"], c.steps(r, "request status")),
                ],
                widths=widths,
            ),
        ]
    if not c.requests:
        story.append(pdf.para(w["none"]))
    story.append(pdf.para(w["complaints"], "h1"))
    for r in c.complaints:
        story += [
            pdf.para(f"{r['id']} - {c.label('complaint status', r['status'])}", "h2"),
            pdf.table(
                ["", ""],
                [
                    (w["received"], r["received_at"]),
                    (w["touchpoint"], f"{r['touchpoint']} ({r['channel']})"),
                    (w["about"], r["about_event_id"] or ""),
                    (w["handler"], r["handler"] or ""),
                    (w["summary"], c.text(r, "summary")),
                    (w["outcome"], c.text(r, "outcome")),
                    (w["attachments"], c.attachments(r)),
                    (w["closed"], r["closed_at"] or ""),
                    (w["steps"], c.steps(r, "complaint status")),
                ],
                widths=widths,
            ),
        ]
    if not c.complaints:
        story.append(pdf.para(w["none"]))
    return story
