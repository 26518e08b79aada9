"""The inspection report (PDF): census and findings, consents, proofs, contacts, sync, ledger."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Spacer

from trustguardian.i18n import DEFAULT_ZONE
from trustguardian.reports import pdf
from trustguardian.reports.branding import brand_head
from trustguardian.reports.i18n import Translator, translator
from trustguardian.reports.inspection_cases import case_lines, complaints_section, requests_section
from trustguardian.service.accountability.inspection import (
    STATUSES,
    InspectionFigures,
    inspection_figures,
)
from trustguardian.service.accountability.records import RegisterHeader
from trustguardian.service.context import Context

CHART_STATUSES = ("given", "withdrawn", "refused", "expired", "pending_confirmation")


def _day(moment: datetime) -> str:
    return moment.date().isoformat()


def summary_lines(f: InspectionFigures, lang: str = "en") -> list[str]:
    """The headline figures, one per line (also what a reader checks first)."""
    t = translator(lang)
    by_status: dict[str, int] = {}
    for row in f.census:
        by_status[row.touchpoint.status.value] = by_status.get(row.touchpoint.status.value, 0) + 1
    severities = f.findings_by_severity()
    given = sum(c["given"] for c in f.consents.values())
    expired = sum(c["expired"] for c in f.consents.values())
    return [
        t(
            "Touchpoints in the census: {n} (secured {secured}, examined {examined}, "
            "censused {censused})",
            n=len(f.census),
            secured=by_status.get("secured", 0),
            examined=by_status.get("examined", 0),
            censused=by_status.get("censused", 0),
        ),
        t(
            "Open findings: high {high}, medium {medium}, low {low}",
            high=severities["high"],
            medium=severities["medium"],
            low=severities["low"],
        ),
        t(
            "Privacy events in the period: {n}, and {late} recorded in the period that occurred "
            "earlier (imports, late paper forms)",
            n=sum(f.events.values()),
            late=sum(f.recorded_late.values()),
        ),
        t("Consents given now: {given}; expired: {expired}", given=given, expired=expired),
        t(
            "Ledger verification: {ok}, tree size {size}, {checkpoints} checkpoints, "
            "{in_period} in the period",
            ok=t("OK") if f.ledger.ok else t("FAILED"),
            size=f.ledger.tree_size,
            checkpoints=f.ledger.checkpoints,
            in_period=f.checkpoints_in_period,
        ),
        *case_lines(f, t),
    ]


def render_inspection(
    f: InspectionFigures,
    lang: str = "en",
    zone: str = DEFAULT_ZONE,
    head: Sequence[Flowable] = (),
) -> bytes:
    """Lays the figures out as a PDF with charts, in Italian or English (`head` atop)."""
    t = translator(lang, zone)
    title = t("Inspection report")
    story: list[Flowable] = [
        *head,
        pdf.para(title, "title"),
        pdf.para(
            t("Period: {start} to {end} (end excluded)", start=_day(f.start), end=_day(f.end))
        ),
        pdf.para(
            t(
                "Generated {at} by {origin}",
                at=t.when(f.generated_at),
                origin=f.origin,
            )
        ),
        *controller_block(f.header, t),
        Spacer(1, 3 * mm),
        *[pdf.para(line) for line in summary_lines(f, lang)],
    ]
    story += _census(f, t) + _consents(f, t) + _proofs(f, t) + _sync(f, t) + _ledger(f, t)
    story += requests_section(f, t) + complaints_section(f, t)
    for section, rows in sorted(f.sections.items()):
        story += [pdf.para(section, "h1")] + [pdf.para(str(r), "small") for r in rows]
    period = f"{_day(f.start)} - {_day(f.end)}"
    return pdf.render(
        story, title=f"{title} {period}", footer=f"Trust Guardian · {title} · {period}"
    )


def controller_block(h: RegisterHeader | None, t: Translator) -> list[Flowable]:
    """Who answers for the processing: controller, DPO, representative."""
    if h is None:
        return []
    unset = t("not designated")
    return [
        pdf.para(
            t("Controller: {name}", name=h.controller or t("not set"))
            + " · "
            + t("DPO: {dpo}", dpo=f"{h.dpo.name} ({h.dpo.contact})" if h.dpo else unset)
            + " · "
            + t(
                "Representative (art. 27): {who}",
                who=h.representative.name if h.representative else unset,
            )
        )
    ]


def _census(f: InspectionFigures, t: Translator) -> list[Flowable]:
    rows = [
        (
            r.touchpoint.key,
            t.code("tpkind", r.touchpoint.kind.value),
            r.touchpoint.channel.value,
            t.code("tpstatus", r.touchpoint.status.value),
            r.examined_at.isoformat(timespec="seconds") if r.examined_at else t("never"),
            sum(x.severity.value == "high" for x in r.findings),
            sum(x.severity.value == "medium" for x in r.findings),
        )
        for r in f.census
    ]
    out: list[Flowable] = [
        pdf.para(t("1. Census of touchpoints and their findings"), "h1"),
        pdf.bar_chart(
            t("Findings per touchpoint"),
            [r.touchpoint.key for r in f.census],
            [(t("high"), [row[5] for row in rows]), (t("medium"), [row[6] for row in rows])],
        ),
        pdf.table(
            [t(h) for h in ("touchpoint", "kind", "channel", "status", "examined")]
            + [t("high"), t("medium")],
            rows,
        ),
    ]
    findings = [(r.touchpoint.key, x) for r in f.census for x in r.findings]
    if findings:
        out += [
            pdf.para(t("Findings and their fixes"), "h2"),
            pdf.table(
                [t(h) for h in ("touchpoint", "severity", "rule", "finding", "fix")],
                [
                    (k, t(x.severity.value), x.rule.value, t.finding(x.message), t.finding(x.fix))
                    for k, x in findings
                ],
                widths=[25 * mm, 15 * mm, 45 * mm, 50 * mm, 45 * mm],
            ),
        ]
    return out


def _consents(f: InspectionFigures, t: Translator) -> list[Flowable]:
    keys = list(f.consents)
    late = f.recorded_late
    occurred = f.events
    out: list[Flowable] = [
        PageBreak(),
        pdf.para(t("2. Consents per purpose and channel"), "h1"),
        pdf.para(
            t(
                "State at {at} (a given consent past its lifetime, and one awaiting confirmation "
                "past its deadline, count as expired).",
                at=t.when(f.generated_at),
            )
        ),
        pdf.bar_chart(
            t("Consent state per purpose / channel"),
            [f"{p}/{c}" for p, c in keys],
            [(t.code("status", s), [f.consents[k][s] for k in keys]) for s in CHART_STATUSES],
        ),
        pdf.table(
            [t("purpose"), t("channel"), *(t.code("status", s) for s in STATUSES)],
            [(p, c, *(f.consents[(p, c)][s] for s in STATUSES)) for p, c in keys],
        ),
        pdf.para(t("Privacy events of the period"), "h2"),
        pdf.para(
            t(
                "Occurred: events that occurred in the period. Recorded late: events recorded in "
                "the period that occurred before it (legacy imports, late paper forms)."
            ),
            "small",
        ),
        pdf.table(
            [t("event"), t("purpose"), t("occurred"), t("recorded late")],
            [
                (
                    t.code("kind", kind),
                    purpose,
                    occurred.get((kind, purpose), 0),
                    late.get((kind, purpose), 0),
                )
                for kind, purpose in sorted(set(occurred) | set(late))
            ],
        ),
    ]
    if f.contacts:
        out += [
            pdf.para(t("Contacts made in the period, by check"), "h2"),
            pdf.table(
                [t("touchpoint"), t("check"), t("contacts")],
                [(tp, flag, n) for (tp, flag), n in sorted(f.contacts.items())],
            ),
        ]
    return out


def _proofs(f: InspectionFigures, t: Translator) -> list[Flowable]:
    return [
        pdf.para(t("3. Proofs of genuineness of the consents collected in the period"), "h1"),
        pdf.bar_chart(
            t("Consents with proofs (%) per touchpoint"),
            [c.touchpoint for c in f.coverage],
            [(t("with proofs %"), [round(c.percent, 1) for c in f.coverage])],
            height=55 * mm,
        ),
        pdf.table(
            [
                t(h)
                for h in (
                    "touchpoint",
                    "consents",
                    "with proofs",
                    "notice shown",
                    "double opt-in / OTP",
                    "signed form",
                    "with file",
                    "imported",
                    "coverage %",
                )
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
                    c.imported,
                    f"{c.percent:.1f}",
                )
                for c in f.coverage
            ],
        ),
        pdf.para(
            t(
                "Confirmations asked for in the period (double opt-in / OTP): awaiting "
                "{awaiting}, expired unconfirmed {expired}, confirmed {confirmed}. A sign-up "
                "from a public form is recorded only once confirmed.",
                **{k: f.confirmations.get(k, 0) for k in ("awaiting", "expired", "confirmed")},
            )
        ),
    ]


def _sync(f: InspectionFigures, t: Translator) -> list[Flowable]:
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
    headers = ("destination", "system", "taken up to", "behind", "delivered", "pending", "failed")
    return [
        pdf.para(t("4. Synchronisation with company systems"), "h1"),
        pdf.table([t(h) for h in headers], rows)
        if rows
        else pdf.para(t("No system is kept in sync (no webhook, no broker).")),
    ]


def _ledger(f: InspectionFigures, t: Translator) -> list[Flowable]:
    report = f.ledger
    out: list[Flowable] = [
        pdf.para(t("5. Ledger integrity"), "h1"),
        pdf.para(
            t(
                "Verification from genesis: {ok}: {events} events, {proofs} proofs, {nodes} tree "
                "nodes, {checkpoints} checkpoints, {states} consent states, {opened} evidence "
                "items opened and matched ({erased} erased).",
                ok=t("OK") if report.ok else t("FAILED"),
                events=report.events,
                proofs=report.proofs,
                nodes=report.nodes,
                checkpoints=report.checkpoints,
                states=report.consent_states,
                opened=report.evidence_opened,
                erased=report.evidence_erased,
            )
        ),
        pdf.para(t("Public key: {key}", key=f.public_key), "small"),
    ]
    out += [pdf.para(p, "small") for p in report.problems[:30]]
    if f.chain:
        out += [
            pdf.para(
                t(
                    "Checkpoint chain (the last checkpoint of each day, each proved consistent "
                    "with the previous one)"
                ),
                "h2",
            ),
            pdf.table(
                [t(h) for h in ("tree size", "created", "signature", "consistent")] + ["RFC 3161"],
                [
                    (
                        c.tree_size,
                        c.created_at.isoformat(timespec="seconds"),
                        t("valid") if c.signed else t("INVALID"),
                        ""
                        if c.consistent_with_previous is None
                        else (t("yes") if c.consistent_with_previous else t("NO")),
                        c.stamped_at.isoformat(timespec="seconds") if c.stamped_at else "",
                    )
                    for c in f.chain
                ],
            ),
            pdf.bar_chart(
                t("Ledger size at each day's last checkpoint"),
                [_day(c.created_at) for c in f.chain],
                [(t("tree size"), [c.tree_size for c in f.chain])],
                height=55 * mm,
            ),
        ]
    return out


def inspection_report(
    ctx: Context, *, start: datetime, end: datetime, lang: str = "en"
) -> tuple[bytes, InspectionFigures]:
    """Reads the figures and renders the PDF."""
    translator(lang)  # an unknown language is refused before anything is read
    figures = inspection_figures(ctx, start=start, end=end)
    head = brand_head(ctx)
    return render_inspection(figures, lang, ctx.settings.timezone, head), figures
