"""The register of processing activities (GDPR art. 30(1)) as CSV and as PDF."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from trustguardian.reports import pdf
from trustguardian.service.accountability.records import SECURITY_MEASURES, RegisterRow

# Column -> the letter of art. 30(1) it answers.
COLUMNS = (
    ("purpose", "b"),
    ("name", "b"),
    ("version", "b"),
    ("status", ""),
    ("controller", "a"),
    ("description", "b"),
    ("legal_basis", "b"),
    ("marketing", "b"),
    ("data_subjects", "c"),
    ("data_categories", "c"),
    ("channels", "c"),
    ("collected_at", ""),
    ("recipients", "d"),
    ("third_country_transfers", "e"),
    ("retention_days", "f"),
    ("consent_lifetime_days", "f"),
    ("withdrawal", ""),
    ("security_measures", "g"),
)


def _values(row: RegisterRow) -> dict[str, str]:
    c = row.purpose.content
    return {
        "purpose": row.purpose.key,
        "name": c.name,
        "version": str(row.purpose.version),
        "status": row.status.value,
        "controller": c.controller,
        "description": c.description,
        "legal_basis": c.legal_basis.value,
        "marketing": "yes" if c.marketing else "no",
        "data_subjects": "customers and prospects",
        "data_categories": "; ".join(row.data_categories),
        "channels": "; ".join(ch.value for ch in c.channels),
        "collected_at": "; ".join(f"{tp.key} ({tp.channel.value})" for tp in row.collected_at),
        "recipients": "; ".join(f"{s.name} ({s.key})" for s in row.recipients),
        "third_country_transfers": "none recorded",
        "retention_days": str(c.retention_days),
        "consent_lifetime_days": ""
        if c.consent_lifetime_days is None
        else str(c.consent_lifetime_days),
        "withdrawal": "; ".join(tp.key for tp in row.withdrawable_at),
        "security_measures": SECURITY_MEASURES,
    }


def register_csv(rows: list[RegisterRow]) -> bytes:
    """One line per purpose; the header names art. 30(1) fields."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[name for name, _ in COLUMNS], lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(_values(row))
    return out.getvalue().encode("utf-8")


def register_pdf(rows: list[RegisterRow], generated_at: datetime) -> bytes:
    """The register as a landscape-friendly sequence of one table per processing activity."""
    story: list[Flowable] = [
        pdf.para("Register of processing activities (GDPR art. 30)", "title"),
        pdf.para(
            f"Generated {generated_at.isoformat(timespec='seconds')}; {len(rows)} activities."
        ),
        pdf.para(f"Security measures (art. 30(1)(g)): {SECURITY_MEASURES}"),
    ]
    for row in rows:
        values = _values(row)
        story += [
            pdf.para(f"{values['name']} ({values['purpose']} v{values['version']})", "h2"),
            pdf.table(
                ["field", "art. 30(1)", "value"],
                [
                    (name.replace("_", " "), letter, values[name])
                    for name, letter in COLUMNS
                    if name not in ("purpose", "name", "version", "security_measures")
                ],
                widths=[40 * mm, 18 * mm, 122 * mm],
            ),
        ]
    return pdf.render(
        story, title="Register of processing activities", footer="Trust Guardian · art. 30 register"
    )
