"""The dossier report's sections on rights requests and complaints, in Italian and English."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, select_autoescape
from markupsafe import Markup
from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from trustguardian.reports import pdf
from trustguardian.service.accountability.dossier import DossierData
from trustguardian.service.accountability.dossier_sections import COMPLAINTS, RIGHTS_REQUESTS

CASE_SECTIONS = frozenset({RIGHTS_REQUESTS, COMPLAINTS})

LABELS: dict[str, dict[str, str]] = {
    "en": {
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
    },
    "it": {
        "requests": "Richieste di esercizio dei diritti (artt. 15-22 GDPR)",
        "complaints": "Reclami",
        "received": "Ricevuta",
        "kind": "Diritto",
        "status": "Stato",
        "due": "Scadenza",
        "closed": "Chiusa",
        "in_time": "Nei termini",
        "details": "Richiesta",
        "reason": "Motivo della proroga",
        "outcome": "Esito",
        "summary": "Reclamo",
        "touchpoint": "Touchpoint",
        "handler": "Incaricato",
        "steps": "Passaggi (eventi del registro)",
        "attachments": "Allegati",
        "about": "Evento contestato",
        "yes": "sì",
        "no": "NO",
        "open": "aperta",
        "overdue": "aperta, SCADUTA",
        "erased": "[cancellato: crypto-shredding]",
        "none": "nessuno",
    },
}
WORDS: dict[str, dict[str, str]] = {
    "en": {"objection_direct_marketing": "objection to direct marketing"},
    "it": {
        "access": "accesso",
        "rectification": "rettifica",
        "erasure": "cancellazione",
        "restriction": "limitazione",
        "portability": "portabilità",
        "objection": "opposizione",
        "objection_direct_marketing": "opposizione al marketing diretto",
        "received": "ricevuta",
        "verifying": "in verifica",
        "in_progress": "in lavorazione",
        "extended": "prorogata",
        "fulfilled": "evasa",
        "rejected": "respinta",
        "open": "aperto",
        "investigating": "in istruttoria",
        "answered": "risposto",
        "closed": "chiuso",
    },
}


class Cases:
    """The two sections of one dossier, in one language."""

    def __init__(self, data: DossierData, lang: str) -> None:
        self.lang = lang
        self.t = LABELS[lang]
        self.requests: list[dict[str, Any]] = data.sections.get(RIGHTS_REQUESTS, [])
        self.complaints: list[dict[str, Any]] = data.sections.get(COMPLAINTS, [])

    def word(self, value: str) -> str:
        return WORDS[self.lang].get(value, value)

    def text(self, row: dict[str, Any], name: str) -> str:
        """A sealed text as opened, or the erased mark once its key is gone."""
        if name in row["erased"]:
            return self.t["erased"]
        return str(row.get(name) or "")

    def in_time(self, row: dict[str, Any]) -> str:
        if row["in_time"] is None:
            return self.t["overdue"] if row["overdue"] else self.t["open"]
        return self.t["yes"] if row["in_time"] else self.t["no"]

    def steps(self, row: dict[str, Any]) -> str:
        return "; ".join(
            f"{s['at'][:19].replace('T', ' ')} {self.word(s['status'])} ({s['actor']}, "
            f"{s['event_id']})"
            for s in row["steps"]
        )

    def attachments(self, row: dict[str, Any]) -> str:
        return ", ".join(
            f"{self.t['erased'] if a['name'] is None else a['name']} ({a['size']} B)"
            for a in row["attachments"]
        )


HTML = """{% set t = c.t %}
<h2>{{ t.requests }}</h2>
{% for r in c.requests %}<h3><code>{{ r.id }}</code> · {{ c.word(r.kind) }} ·
{{ c.word(r.status) }}</h3><table>
<tr><th>{{ t.received }}</th><td>{{ r.received_at }}</td></tr>
<tr><th>{{ t.touchpoint }}</th><td>{{ r.touchpoint }} ({{ r.channel }})</td></tr>
<tr><th>{{ t.due }}</th><td>{{ r.due_on }}</td></tr>
<tr><th>{{ t.closed }}</th><td>{{ r.closed_at or "" }}</td></tr>
<tr><th>{{ t.in_time }}</th><td>{{ c.in_time(r) }}</td></tr>
<tr><th>{{ t.details }}</th><td>{{ c.text(r, "details") }}</td></tr>
<tr><th>{{ t.reason }}</th><td>{{ c.text(r, "extension_reason") }}</td></tr>
<tr><th>{{ t.outcome }}</th><td>{{ c.text(r, "outcome") }}</td></tr>
<tr><th>{{ t.steps }}</th><td>{{ c.steps(r) }}</td></tr></table>
{% else %}<p>{{ t.none }}</p>{% endfor %}
<h2>{{ t.complaints }}</h2>
{% for r in c.complaints %}<h3><code>{{ r.id }}</code> · {{ c.word(r.status) }}</h3><table>
<tr><th>{{ t.received }}</th><td>{{ r.received_at }}</td></tr>
<tr><th>{{ t.touchpoint }}</th><td>{{ r.touchpoint }} ({{ r.channel }})</td></tr>
<tr><th>{{ t.about }}</th><td>{{ r.about_event_id or "" }}</td></tr>
<tr><th>{{ t.handler }}</th><td>{{ r.handler or "" }}</td></tr>
<tr><th>{{ t.summary }}</th><td>{{ c.text(r, "summary") }}</td></tr>
<tr><th>{{ t.outcome }}</th><td>{{ c.text(r, "outcome") }}</td></tr>
<tr><th>{{ t.attachments }}</th><td>{{ c.attachments(r) }}</td></tr>
<tr><th>{{ t.closed }}</th><td>{{ r.closed_at or "" }}</td></tr>
<tr><th>{{ t.steps }}</th><td>{{ c.steps(r) }}</td></tr></table>
{% else %}<p>{{ t.none }}</p>{% endfor %}
"""

_template = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
_cases = _template.from_string(HTML)


def cases_html(data: DossierData, lang: str) -> Markup:
    """The two sections as HTML (escaped), to place in the report page."""
    return Markup(_cases.render(c=Cases(data, lang)))  # noqa: S704 - rendered with autoescape


def cases_pdf(data: DossierData, lang: str) -> list[Flowable]:
    """The two sections as PDF flowables: one table per request or complaint."""
    c = Cases(data, lang)
    t = c.t
    widths = [40 * mm, 140 * mm]
    story: list[Flowable] = [pdf.para(t["requests"], "h1")]
    for r in c.requests:
        story += [
            pdf.para(f"{r['id']} - {c.word(r['kind'])} - {c.word(r['status'])}", "h2"),
            pdf.table(
                ["", ""],
                [
                    (t["received"], r["received_at"]),
                    (t["touchpoint"], f"{r['touchpoint']} ({r['channel']})"),
                    (t["due"], r["due_on"]),
                    (t["closed"], r["closed_at"] or ""),
                    (t["in_time"], c.in_time(r)),
                    (t["details"], c.text(r, "details")),
                    (t["reason"], c.text(r, "extension_reason")),
                    (t["outcome"], c.text(r, "outcome")),
                    (t["steps"], c.steps(r)),
                ],
                widths=widths,
            ),
        ]
    if not c.requests:
        story.append(pdf.para(t["none"]))
    story.append(pdf.para(t["complaints"], "h1"))
    for r in c.complaints:
        story += [
            pdf.para(f"{r['id']} - {c.word(r['status'])}", "h2"),
            pdf.table(
                ["", ""],
                [
                    (t["received"], r["received_at"]),
                    (t["touchpoint"], f"{r['touchpoint']} ({r['channel']})"),
                    (t["about"], r["about_event_id"] or ""),
                    (t["handler"], r["handler"] or ""),
                    (t["summary"], c.text(r, "summary")),
                    (t["outcome"], c.text(r, "outcome")),
                    (t["attachments"], c.attachments(r)),
                    (t["closed"], r["closed_at"] or ""),
                    (t["steps"], c.steps(r)),
                ],
                widths=widths,
            ),
        ]
    if not c.complaints:
        story.append(pdf.para(t["none"]))
    return story
