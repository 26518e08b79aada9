"""The register of processing activities (GDPR art. 30(1)) as CSV and as PDF, in Italian or
English."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from trustguardian.domain.registry import SAFEGUARDS, Transfer
from trustguardian.reports import pdf
from trustguardian.reports.i18n import Translator, translator
from trustguardian.service.accountability.records import (
    SECURITY_MEASURES,
    RegisterHeader,
    RegisterRow,
)

# Column -> the letter of art. 30(1) it answers, and its label.
COLUMNS = (
    ("purpose", "b", "Purpose"),
    ("name", "b", "Name"),
    ("version", "b", "Version"),
    ("status", "", "Status"),
    ("controller", "a", "Controller"),
    ("description", "b", "Description"),
    ("legal_basis", "b", "Legal basis"),
    ("marketing", "b", "Direct marketing"),
    ("data_subjects", "c", "Categories of data subjects"),
    ("data_categories", "c", "Categories of personal data"),
    ("channels", "c", "Channels"),
    ("collected_at", "", "Collected at"),
    ("recipients", "d", "Recipients"),
    ("third_country_transfers", "e", "Transfers outside the EEA"),
    ("retention_days", "f", "Retention (days)"),
    ("retention", "f", "How retention is counted"),
    ("consent_lifetime_days", "f", "Consent lifetime (days)"),
    ("withdrawal", "", "Withdrawal at"),
    ("security_measures", "g", "Security measures"),
)
DEFAULT_SUBJECTS = "customers and prospects"


def transfer_text(t: Translator, x: Transfer) -> str:
    """`Mailer Inc. (US): standard contractual clauses, art. 46(2)(c)`."""
    safeguard = t.code("safeguard", x.safeguard)
    return f"{x.recipient} ({x.country}): {safeguard}, {SAFEGUARDS.get(x.safeguard, '')}"


def _values(row: RegisterRow, t: Translator) -> dict[str, str]:
    c = row.purpose.content
    none = t("none")
    recipients = [f"{s.name} ({s.key})" for s in row.recipients] + list(row.third_parties)
    return {
        "purpose": row.purpose.key,
        "name": c.name,
        "version": str(row.purpose.version),
        "status": t.code("record", row.status.value),
        "controller": c.controller,
        "description": c.description,
        "legal_basis": t.code("basis", c.legal_basis.value),
        "marketing": t("yes") if c.marketing else t("no"),
        "data_subjects": "; ".join(c.subject_categories) or t(DEFAULT_SUBJECTS),
        "data_categories": "; ".join(t.code("data", d) for d in row.data_categories) or none,
        "channels": "; ".join(ch.value for ch in c.channels),
        "collected_at": "; ".join(f"{tp.key} ({tp.channel.value})" for tp in row.collected_at)
        or none,
        "recipients": "; ".join(recipients) or none,
        "third_country_transfers": "; ".join(transfer_text(t, x) for x in row.transfers)
        or t("none recorded"),
        "retention_days": str(c.retention_days),
        "retention": c.retention or t("not stated"),
        "consent_lifetime_days": ""
        if c.consent_lifetime_days is None
        else str(c.consent_lifetime_days),
        "withdrawal": "; ".join(tp.key for tp in row.withdrawable_at) or none,
        "security_measures": t(SECURITY_MEASURES),
    }


def register_csv(rows: list[RegisterRow], lang: str = "en") -> bytes:
    """One line per purpose; the header names the art. 30(1) fields (stable, in English), the
    values are in the language asked."""
    t = translator(lang)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[name for name, _, _ in COLUMNS], lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(_values(row, t))
    return out.getvalue().encode("utf-8")


def _header(h: RegisterHeader, t: Translator) -> list[Flowable]:
    unset = t("not set")
    contact = ", ".join(v for v in (h.address, h.email, h.phone) if v) or unset
    rows = [
        (t("Controller"), f"{h.controller or unset} ({contact})"),
        (
            t("Data protection officer (art. 37)"),
            f"{h.dpo.name} ({h.dpo.contact})" if h.dpo else t("not designated"),
        ),
        (
            t("Representative in the Union (art. 27)"),
            f"{h.representative.name} ({h.representative.contact})"
            if h.representative
            else t("not designated (the controller is established in the Union)"),
        ),
    ]
    return [pdf.table(["", ""], rows, widths=[60 * mm, 120 * mm])]


def register_pdf(
    rows: list[RegisterRow], generated_at: datetime, header: RegisterHeader, lang: str = "en"
) -> bytes:
    """The register as a sequence of one table per processing activity, after the controller."""
    t = translator(lang)
    title = t("Register of processing activities (GDPR art. 30)")
    story: list[Flowable] = [
        pdf.para(title, "title"),
        pdf.para(
            t(
                "Generated {at}; {n} activities.",
                at=t.when(generated_at),
                n=len(rows),
            )
        ),
        *_header(header, t),
        pdf.para(t("Security measures (art. 30(1)(g)): {m}", m=t(SECURITY_MEASURES))),
    ]
    for row in rows:
        values = _values(row, t)
        story += [
            pdf.para(f"{values['name']} ({values['purpose']} v{values['version']})", "h2"),
            pdf.table(
                [t("field"), t("art. 30(1)"), t("value")],
                [
                    (t(label), letter, values[name])
                    for name, letter, label in COLUMNS
                    if name not in ("purpose", "name", "version", "security_measures")
                ],
                widths=[40 * mm, 18 * mm, 122 * mm],
            ),
        ]
    return pdf.render(story, title=title, footer=f"Trust Guardian · {title}")
