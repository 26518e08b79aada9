"""The human-readable report of a subject's dossier, in HTML and PDF, in Italian and English."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, select_autoescape
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Spacer

from trustguardian.domain.events import PrivacyEvent
from trustguardian.domain.registry import NoticeVersion
from trustguardian.i18n import words
from trustguardian.reports import pdf
from trustguardian.reports.dossier_cases import CASE_SECTIONS, cases_html, cases_pdf
from trustguardian.service.accountability.dossier import DossierData

LANGUAGES = ("en", "it")

# The report's words in the catalog's source language; each reader gets them from the
# catalog (trustguardian.i18n).
SOURCE: dict[str, str] = {
    "title": "Evidence dossier",
    "subject": "Data subject",
    "generated": "Generated",
    "erased": "Erased (crypto-shredded) on",
    "identifiers": "Identifiers",
    "consents": "Consent state now",
    "purpose": "Purpose",
    "channel": "Channel",
    "status": "Status",
    "since": "Since",
    "expires": "Expires",
    "events": "Privacy events",
    "when": "Occurred",
    "recorded": "Recorded",
    "kind": "Event",
    "touchpoint": "Touchpoint",
    "notice": "Notice",
    "proofs": "Proofs",
    "claimed_by": "claimed by",
    "evidence": "Proofs of genuineness",
    "type": "Type",
    "content": "Content",
    "file": "File",
    "notices": "Privacy notice texts shown",
    "version": "version",
    "effective": "in force from",
    "entered": "Entered afterwards, on {at} by {by}, from: {source}",
    "purposes": "Purposes",
    "basis": "Legal basis",
    "retention": "Retention (days)",
    "lifetime": "Consent lifetime (days)",
    "controller": "Controller",
    "ledger": "Ledger and verification",
    "checkpoint": "Signed checkpoint: tree size",
    "root": "root hash",
    "key": "Public key",
    "timestamp": "RFC 3161 time-stamp of the checkpoint",
    "no_timestamp": (
        "Checkpoint not stamped yet: stamps.json says which events an earlier RFC 3161 "
        "time-stamp covers."
    ),
    "how": (
        "Every event is a leaf of an append-only Merkle log (RFC 9162). This dossier holds "
        "each event's leaf, its inclusion proof, the checkpoint signed with the public key "
        "above, every proof's salt and content (checked against the commitment in the leaf) "
        "and the exact notice texts (checked against the hash in the leaf). Run "
        "`trustguardian dossier verify FILE.zip` offline, or any RFC 9162 verifier."
    ),
    "none": "none",
    "evidence_erased": "The subject was erased: proofs can no longer be opened.",
    "sections": "Further records",
}


def labels(lang: str) -> dict[str, str]:
    """The report's words in a language."""
    t = words(lang)
    return {key: t(text) for key, text in SOURCE.items()}


@dataclass(frozen=True)
class View:
    """The dossier as the templates read it, in one language."""

    lang: str
    t: dict[str, str]
    data: DossierData
    timestamp_time: str | None

    def kind(self, value: str) -> str:
        return words(self.lang).label("event kind", value)

    def proofs(self, event: PrivacyEvent) -> str:
        """An event's proof types, a confirmation we did not witness named as whose claim."""
        return ", ".join(
            p.type.value
            if p.claimed_by is None
            else f"{p.type.value} ({self.t['claimed_by']} {p.claimed_by})"
            for p in event.proofs
        )

    def status(self, value: str) -> str:
        return words(self.lang).label("consent status", value)

    def root(self) -> str:
        return base64.b64encode(self.data.checkpoint.root_hash).decode()

    def evidence_rows(self) -> list[tuple[Any, ...]]:
        rows = []
        for item in self.data.evidence:
            fields = {k: v for k, v in item.fields.items() if k != "type"}
            rows.append((item.seq, item.position, item.type, _short(fields), item.media_type or ""))
        return rows


def _short(fields: dict[str, Any]) -> str:
    text = ", ".join(f"{k}={v}" for k, v in sorted(fields.items()))
    return text if len(text) <= 300 else text[:297] + "..."


HTML = """<!doctype html>
<html lang="{{ v.lang }}"><head><meta charset="utf-8">
<title>{{ v.t.title }} {{ d.subject_id }}</title>
<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;color:#222}
table{border-collapse:collapse;width:100%;font-size:.85em}td,th{border:1px solid #bbb;
padding:.2em .4em;vertical-align:top}th{background:#dde7e1}pre{background:#f5f5f5;padding:.5em;
white-space:pre-wrap}</style></head><body>
{% if d.brand.company_name %}<p class="brand"><strong>{{ d.brand.company_name }}</strong></p>
{% endif %}
<h1>{{ v.t.title }}</h1>
{% if d.controller() %}<p>{{ v.t.controller }}: {{ d.controller() }}</p>{% endif %}
<p>{{ v.t.subject }}: <code>{{ d.subject_id }}</code> · {{ v.t.generated }}
{{ d.created_at.isoformat(timespec="seconds") }}
{% if d.erased_at %}<br>{{ v.t.erased }}
{{ d.erased_at.isoformat(timespec="seconds") }}{% endif %}</p>
<h2>{{ v.t.identifiers }}</h2><ul>
{% for i in d.identifiers %}<li>{{ i.kind }}{% if i.system %} ({{ i.system }}){% endif %}:
{{ i.value if i.value is not none else "—" }}</li>{% else %}<li>{{ v.t.none }}</li>{% endfor %}
</ul>
<h2>{{ v.t.consents }}</h2><table><tr><th>{{ v.t.purpose }}</th><th>{{ v.t.channel }}</th>
<th>{{ v.t.status }}</th><th>{{ v.t.since }}</th><th>{{ v.t.expires }}</th></tr>
{% for s, status in d.consents %}<tr><td>{{ s.purpose }}</td><td>{{ s.channel }}</td>
<td>{{ v.status(status) }}</td><td>{{ s.since.isoformat(timespec="seconds") }}</td>
<td>{{ s.expires_at.isoformat(timespec="seconds") if s.expires_at else "" }}</td></tr>
{% endfor %}</table>
<h2>{{ v.t.events }}</h2><table><tr><th>#</th><th>{{ v.t.when }}</th><th>{{ v.t.recorded }}</th>
<th>{{ v.t.kind }}</th><th>{{ v.t.touchpoint }}</th><th>{{ v.t.purpose }}</th>
<th>{{ v.t.channel }}</th><th>{{ v.t.notice }}</th><th>{{ v.t.proofs }}</th></tr>
{% for x in d.events %}{% set e = x.event %}<tr><td>{{ e.seq }}</td>
<td>{{ e.occurred_at.isoformat(timespec="seconds") }}</td>
<td>{{ e.recorded_at.isoformat(timespec="seconds") }}</td><td>{{ v.kind(e.kind.value) }}</td>
<td>{{ e.touchpoint }}</td><td>{{ e.purpose or "" }}{% if e.purpose_version %}
v{{ e.purpose_version }}{% endif %}</td><td>{{ e.channels|join(", ") }}</td>
<td>{% if e.notice %}{{ e.notice }} v{{ e.notice_version }}{% endif %}</td>
<td>{{ v.proofs(e) }}</td></tr>{% endfor %}</table>
<h2>{{ v.t.evidence }}</h2>
{% if d.erased_at %}<p>{{ v.t.evidence_erased }}</p>{% endif %}
<table><tr><th>#</th><th>n</th><th>{{ v.t.type }}</th><th>{{ v.t.content }}</th>
<th>{{ v.t.file }}</th></tr>{% for r in v.evidence_rows() %}<tr>{% for c in r %}<td>{{ c }}</td>
{% endfor %}</tr>{% endfor %}</table>
<h2>{{ v.t.notices }}</h2>
{% for (key, version), n in d.notices|dictsort %}<h3>{{ key }} — {{ v.t.version }} {{ version }}
({{ v.t.effective }} {{ n.effective_from.isoformat(timespec="seconds") }})</h3>
<p><code>sha256 {{ n.sha256 }}</code></p>{% if n.historical %}<p>{{ v.t.entered.format(
at=n.created_at.isoformat(timespec="seconds"), by=n.entered_by, source=n.source_document) }}</p>
{% endif %}<pre>{{ n.text }}</pre>{% endfor %}
<h2>{{ v.t.purposes }}</h2><table><tr><th>{{ v.t.purpose }}</th><th>{{ v.t.version }}</th>
<th>{{ v.t.basis }}</th><th>{{ v.t.retention }}</th><th>{{ v.t.lifetime }}</th>
<th>{{ v.t.controller }}</th></tr>{% for key, p in d.purposes_in_force|dictsort %}<tr>
<td>{{ p.content.name }} ({{ key }})</td><td>{{ p.version }}</td>
<td>{{ p.content.legal_basis }}</td><td>{{ p.content.retention_days }}</td>
<td>{{ p.content.consent_lifetime_days or "" }}</td><td>{{ p.content.controller }}</td></tr>
{% endfor %}</table>
{{ cases }}
{% for name, rows in d.sections|dictsort if name not in case_sections %}
<h2>{{ v.t.sections }}: {{ name }}</h2><ul>
{% for row in rows %}<li><code>{{ row }}</code></li>{% endfor %}</ul>{% endfor %}
<h2>{{ v.t.ledger }}</h2>
<p>{{ v.t.checkpoint }} {{ d.checkpoint.tree_size }}, {{ v.t.root }} <code>{{ v.root() }}</code></p>
<p>{{ v.t.key }}: <code>{{ d.public_key }}</code></p>
<p>{{ v.t.timestamp }}: {{ v.timestamp_time or v.t.no_timestamp }}</p>
<p>{{ v.t.how }}</p>
</body></html>
"""

_env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
_template = _env.from_string(HTML)


def render_html(data: DossierData, lang: str, timestamp_time: str | None) -> bytes:
    """The report as one HTML page."""
    view = View(lang, labels(lang), data, timestamp_time)
    return _template.render(
        v=view, d=data, cases=cases_html(data, lang), case_sections=CASE_SECTIONS
    ).encode("utf-8")


def render_pdf(data: DossierData, lang: str, timestamp_time: str | None) -> bytes:
    """The report as a PDF."""
    v = View(lang, labels(lang), data, timestamp_time)
    w = v.t
    brand = data.brand
    story: list[Flowable] = [
        *pdf.brand_header(brand.company_name, data.logo, brand.palette()["link"]),
        pdf.para(f"{w['title']}", "title"),
        *([pdf.para(f"{w['controller']}: {data.controller()}")] if data.controller() else []),
        pdf.para(f"{w['subject']}: {data.subject_id}"),
        pdf.para(f"{w['generated']} {data.created_at.isoformat(timespec='seconds')}"),
    ]
    if data.erased_at:
        story.append(pdf.para(f"{w['erased']} {data.erased_at.isoformat(timespec='seconds')}"))
    story += [pdf.para(w["identifiers"], "h1")]
    story += [
        pdf.para(f"{i.kind}: {i.value if i.value is not None else '-'}") for i in data.identifiers
    ] or [pdf.para(w["none"])]
    story += [
        pdf.para(w["consents"], "h1"),
        pdf.table(
            [w["purpose"], w["channel"], w["status"], w["since"], w["expires"]],
            [
                (s.purpose, s.channel.value, v.status(status), s.since, s.expires_at or "")
                for s, status in data.consents
            ],
        ),
        pdf.para(w["events"], "h1"),
        pdf.table(
            ["#", w["when"], w["kind"], w["touchpoint"], w["purpose"], w["notice"], w["proofs"]],
            [
                (
                    x.event.seq,
                    x.event.occurred_at,
                    v.kind(x.event.kind.value),
                    x.event.touchpoint,
                    x.event.purpose or "",
                    f"{x.event.notice} v{x.event.notice_version}" if x.event.notice else "",
                    v.proofs(x.event),
                )
                for x in data.events
            ],
            widths=[15 * mm, 32 * mm, 28 * mm, 30 * mm, 25 * mm, 25 * mm, 25 * mm],
        ),
        pdf.para(w["evidence"], "h1"),
    ]
    if data.erased_at:
        story.append(pdf.para(w["evidence_erased"]))
    story.append(
        pdf.table(
            ["#", "n", w["type"], w["content"], w["file"]],
            v.evidence_rows(),
            widths=[15 * mm, 8 * mm, 25 * mm, 107 * mm, 25 * mm],
        )
    )
    story += [
        pdf.para(w["purposes"], "h1"),
        pdf.table(
            [w["purpose"], w["version"], w["basis"], w["retention"], w["lifetime"]],
            [
                (
                    f"{p.content.name} ({key})",
                    p.version,
                    p.content.legal_basis.value,
                    p.content.retention_days,
                    p.content.consent_lifetime_days or "",
                )
                for key, p in sorted(data.purposes_in_force.items())
            ],
        ),
    ]
    story += cases_pdf(data, lang)
    for name, rows in sorted(data.sections.items()):
        if name in CASE_SECTIONS:
            continue
        story += [pdf.para(f"{w['sections']}: {name}", "h1")]
        story += [pdf.para(str(row), "small") for row in rows]
    story += [
        pdf.para(w["ledger"], "h1"),
        pdf.para(f"{w['checkpoint']} {data.checkpoint.tree_size}, {w['root']} {v.root()}"),
        pdf.para(f"{w['key']}: {data.public_key}", "small"),
        pdf.para(f"{w['timestamp']}: {timestamp_time or w['no_timestamp']}"),
        pdf.para(w["how"]),
    ]
    if data.notices:
        story += [PageBreak(), pdf.para(w["notices"], "h1")]
        for (key, version), notice in sorted(data.notices.items()):
            story += [
                pdf.para(
                    f"{key} - {w['version']} {version} ({w['effective']} "
                    f"{notice.effective_from.isoformat(timespec='seconds')})",
                    "h2",
                ),
                pdf.para(f"sha256 {notice.sha256}", "small"),
                *([pdf.para(_entered(w, notice), "small")] if notice.historical else []),
                pdf.preformatted(notice.text),
                Spacer(1, 4 * mm),
            ]
    company = f"{brand.company_name} · " if brand.company_name else ""
    return pdf.render(
        story,
        title=f"{w['title']} {data.subject_id}",
        footer=f"{company}Trust Guardian · {data.subject_id}",
    )


def _entered(w: dict[str, str], notice: NoticeVersion) -> str:
    at = notice.created_at.isoformat(timespec="seconds")
    return w["entered"].format(at=at, by=notice.entered_by, source=notice.source_document)
