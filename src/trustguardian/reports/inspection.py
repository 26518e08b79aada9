"""The inspection report (PDF): census and findings, consents, proofs, contacts, sync, ledger."""

from __future__ import annotations

from datetime import datetime

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Spacer

from trustguardian.reports import pdf
from trustguardian.reports.inspection_cases import case_lines, complaints_section, requests_section
from trustguardian.service.accountability.inspection import (
    STATUSES,
    InspectionFigures,
    inspection_figures,
)
from trustguardian.service.context import Context

CHART_STATUSES = ("given", "withdrawn", "refused", "expired", "pending_confirmation")


def _day(moment: datetime) -> str:
    return moment.date().isoformat()


def summary_lines(f: InspectionFigures) -> list[str]:
    """The headline figures, one per line (also what a reader checks first)."""
    by_status: dict[str, int] = {}
    for row in f.census:
        by_status[row.touchpoint.status.value] = by_status.get(row.touchpoint.status.value, 0) + 1
    severities = f.findings_by_severity()
    given = sum(c["given"] for c in f.consents.values())
    return [
        f"Touchpoints in the census: {len(f.census)} "
        f"(secured {by_status.get('secured', 0)}, examined {by_status.get('examined', 0)}, "
        f"censused {by_status.get('censused', 0)})",
        f"Open findings: high {severities['high']}, medium {severities['medium']}, "
        f"low {severities['low']}",
        f"Privacy events in the period: {sum(f.events.values())}",
        f"Consents given now: {given}",
        f"Ledger verification: {'OK' if f.ledger.ok else 'FAILED'}, tree size "
        f"{f.ledger.tree_size}, {f.ledger.checkpoints} checkpoints, "
        f"{f.checkpoints_in_period} in the period",
        *case_lines(f),
    ]


def render_inspection(f: InspectionFigures) -> bytes:
    """Lays the figures out as a PDF with charts."""
    story: list[Flowable] = [
        pdf.para("Inspection report", "title"),
        pdf.para(f"Period: {_day(f.start)} to {_day(f.end)} (end excluded)"),
        pdf.para(f"Generated {f.generated_at.isoformat(timespec='seconds')} by {f.origin}"),
        Spacer(1, 3 * mm),
        *[pdf.para(line) for line in summary_lines(f)],
    ]
    story += _census(f) + _consents(f) + _proofs(f) + _sync(f) + _ledger(f)
    story += requests_section(f) + complaints_section(f)
    for title, rows in sorted(f.sections.items()):
        story += [pdf.para(title, "h1")] + [pdf.para(str(r), "small") for r in rows]
    return pdf.render(
        story,
        title=f"Inspection report {_day(f.start)} - {_day(f.end)}",
        footer=f"Trust Guardian · inspection report · {_day(f.start)} - {_day(f.end)}",
    )


def _census(f: InspectionFigures) -> list[Flowable]:
    rows = [
        (
            r.touchpoint.key,
            r.touchpoint.kind.value,
            r.touchpoint.channel.value,
            r.touchpoint.status.value,
            r.examined_at.isoformat(timespec="seconds") if r.examined_at else "never",
            sum(x.severity.value == "high" for x in r.findings),
            sum(x.severity.value == "medium" for x in r.findings),
        )
        for r in f.census
    ]
    out: list[Flowable] = [
        pdf.para("1. Census of touchpoints and their findings", "h1"),
        pdf.bar_chart(
            "Findings per touchpoint",
            [r.touchpoint.key for r in f.census],
            [("high", [row[5] for row in rows]), ("medium", [row[6] for row in rows])],
        ),
        pdf.table(["touchpoint", "kind", "channel", "status", "examined", "high", "medium"], rows),
    ]
    findings = [(r.touchpoint.key, x) for r in f.census for x in r.findings]
    if findings:
        out += [
            pdf.para("Findings and their fixes", "h2"),
            pdf.table(
                ["touchpoint", "severity", "rule", "finding", "fix"],
                [(k, x.severity.value, x.rule.value, x.message, x.fix) for k, x in findings],
                widths=[25 * mm, 15 * mm, 45 * mm, 50 * mm, 45 * mm],
            ),
        ]
    return out


def _consents(f: InspectionFigures) -> list[Flowable]:
    keys = list(f.consents)
    out: list[Flowable] = [
        PageBreak(),
        pdf.para("2. Consents per purpose and channel", "h1"),
        pdf.para(
            f"State at {f.generated_at.isoformat(timespec='seconds')} (a given consent past its "
            "lifetime counts as expired)."
        ),
        pdf.bar_chart(
            "Consent state per purpose / channel",
            [f"{p}/{c}" for p, c in keys],
            [(s, [f.consents[k][s] for k in keys]) for s in CHART_STATUSES],
        ),
        pdf.table(
            ["purpose", "channel", *STATUSES],
            [(p, c, *(f.consents[(p, c)][s] for s in STATUSES)) for p, c in keys],
        ),
        pdf.para("Privacy events that occurred in the period", "h2"),
        pdf.table(
            ["event", "purpose", "events"],
            [(kind, purpose, n) for (kind, purpose), n in sorted(f.events.items())],
        ),
    ]
    if f.contacts:
        out += [
            pdf.para("Contacts made in the period, by check", "h2"),
            pdf.table(
                ["touchpoint", "check", "contacts"],
                [(tp, flag, n) for (tp, flag), n in sorted(f.contacts.items())],
            ),
        ]
    return out


def _proofs(f: InspectionFigures) -> list[Flowable]:
    return [
        pdf.para("3. Proofs of genuineness of the consents collected in the period", "h1"),
        pdf.bar_chart(
            "Consents with proofs (%) per touchpoint",
            [c.touchpoint for c in f.coverage],
            [("with proofs %", [round(c.percent, 1) for c in f.coverage])],
            height=55 * mm,
        ),
        pdf.table(
            [
                "touchpoint",
                "consents",
                "with proofs",
                "notice shown",
                "double opt-in / OTP",
                "signed form",
                "with file",
                "coverage %",
            ],
            [
                (
                    c.touchpoint,
                    c.events,
                    c.with_proof,
                    c.notice_shown,
                    c.confirmed,
                    c.signed_form,
                    c.with_file,
                    f"{c.percent:.1f}",
                )
                for c in f.coverage
            ],
        ),
    ]


def _sync(f: InspectionFigures) -> list[Flowable]:
    rows = [
        (
            s.destination,
            s.system or "",
            s.taken_up_to,
            s.ledger_size - s.taken_up_to,
            s.counts.get("delivered", 0),
            s.counts.get("pending", 0),
            s.counts.get("failed", 0),
        )
        for s in f.sync
    ]
    return [
        pdf.para("4. Synchronisation with company systems", "h1"),
        pdf.table(
            ["destination", "system", "taken up to", "behind", "delivered", "pending", "failed"],
            rows,
        )
        if rows
        else pdf.para("No system is kept in sync (no webhook, no broker)."),
    ]


def _ledger(f: InspectionFigures) -> list[Flowable]:
    report = f.ledger
    out: list[Flowable] = [
        pdf.para("5. Ledger integrity", "h1"),
        pdf.para(
            f"Verification from genesis: {'OK' if report.ok else 'FAILED'}: {report.events} "
            f"events, {report.proofs} proofs, {report.nodes} tree nodes, {report.checkpoints} "
            f"checkpoints, {report.consent_states} consent states, {report.evidence_opened} "
            f"evidence items opened and matched ({report.evidence_erased} erased)."
        ),
        pdf.para(f"Public key: {f.public_key}", "small"),
    ]
    out += [pdf.para(p, "small") for p in report.problems[:30]]
    if f.chain:
        out += [
            pdf.para(
                "Checkpoint chain (the last checkpoint of each day, each proved consistent with "
                "the previous one)",
                "h2",
            ),
            pdf.table(
                ["tree size", "created", "signature", "consistent", "RFC 3161 time"],
                [
                    (
                        c.tree_size,
                        c.created_at.isoformat(timespec="seconds"),
                        "valid" if c.signed else "INVALID",
                        ""
                        if c.consistent_with_previous is None
                        else ("yes" if c.consistent_with_previous else "NO"),
                        c.stamped_at.isoformat(timespec="seconds") if c.stamped_at else "",
                    )
                    for c in f.chain
                ],
            ),
            pdf.bar_chart(
                "Ledger size at each day's last checkpoint",
                [_day(c.created_at) for c in f.chain],
                [("tree size", [c.tree_size for c in f.chain])],
                height=55 * mm,
            ),
        ]
    return out


def inspection_report(
    ctx: Context, *, start: datetime, end: datetime
) -> tuple[bytes, InspectionFigures]:
    """Reads the figures and renders the PDF."""
    figures = inspection_figures(ctx, start=start, end=end)
    return render_inspection(figures), figures
