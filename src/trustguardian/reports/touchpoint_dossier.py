"""A touchpoint's dossier as a PDF, in Italian or English: what it is, its census history
(findings and sign-offs), the notices it showed over time, its events, sample proofs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from trustguardian.i18n import DEFAULT_ZONE
from trustguardian.reports import pdf
from trustguardian.reports.branding import brand_head
from trustguardian.reports.i18n import Translator, translator
from trustguardian.service.accountability.touchpoint_reads import (
    TouchpointDossier,
    touchpoint_dossier,
)
from trustguardian.service.context import Context


def _at(t: Translator, value: datetime | None) -> str:
    """A moment in the company's zone, in the report language's format."""
    return t.words.when(value) if value is not None else ""


def render_touchpoint_dossier(
    d: TouchpointDossier,
    lang: str = "en",
    zone: str = DEFAULT_ZONE,
    head: Sequence[Flowable] = (),
) -> bytes:
    """Lays a touchpoint's dossier out as a PDF (`head` atop)."""
    t = translator(lang, zone)
    tp = d.touchpoint
    title = t("Touchpoint dossier: {name}", name=tp.name)
    facts = [
        (t("Key"), tp.key),
        (t("kind"), t.code("tpkind", tp.kind.value)),
        (t("channel"), f"{t.code('channel', tp.channel)} ({t.code('nature', tp.nature)})"),
        (t("status"), t.code("tpstatus", tp.status.value)),
        (t("Owner"), tp.owner or t("not set")),
        (t("Company systems"), ", ".join(tp.systems) or t("none")),
        (t("Purposes"), ", ".join(f"{p.key} v{p.current.version}" for p in d.purposes)),
        (t("Notice"), tp.notice_key or t("none")),
        (
            t("Required proofs"),
            ", ".join(t.code("proof", p) for p in tp.required_proofs) or t("none"),
        ),
        (t("Confirmation"), t.code("confirmation", d.confirmation)),
        (t("Last examined"), _at(t, d.examined_at) or t("never")),
    ]
    story: list[Flowable] = [
        *head,
        pdf.para(title, "title"),
        pdf.para(t("Generated {at}", at=t.when(d.generated_at))),
        pdf.table(["", ""], facts, widths=[50 * mm, 130 * mm]),
        pdf.para(t("Census history: findings, open and resolved"), "h1"),
    ]
    if d.findings:
        story.append(
            pdf.table(
                [t(h) for h in ("severity", "rule", "finding", "found", "resolved")],
                [
                    (
                        t(f.severity),
                        f.rule,
                        t.finding(f.message),
                        _at(t, f.first_found_at),
                        _at(t, f.resolved_at),
                    )
                    for f in d.findings
                ],
                widths=[15 * mm, 40 * mm, 75 * mm, 25 * mm, 25 * mm],
            )
        )
    else:
        story.append(pdf.para(t("No finding was ever made.")))
    story.append(pdf.para(t("Sign-offs"), "h2"))
    story.append(
        pdf.table(
            [t(h) for h in ("signed", "signed by", "note", "examination")],
            [(_at(t, s.signed_at), s.actor, s.note, _at(t, s.examined_at)) for s in d.signoffs],
        )
        if d.signoffs
        else pdf.para(t("Never signed off as secured."))
    )
    story += [
        pdf.para(t("Notices shown over time"), "h1"),
        pdf.table(
            [t(h) for h in ("notice", "version", "events", "first", "last")],
            [
                (n.notice, n.version, n.events, _at(t, n.first), _at(t, n.last))
                for n in d.notices_shown
            ],
        )
        if d.notices_shown
        else pdf.para(t("No event cites a notice.")),
        pdf.para(t("Events by kind"), "h1"),
        pdf.table(
            [t("event"), t("events")],
            [(t.code("kind", k), n) for k, n in d.events_by_kind.items()],
        )
        if d.events_by_kind
        else pdf.para(t("No event was recorded here.")),
        pdf.para(t("Sample proofs of the latest consents"), "h1"),
        pdf.para(
            t(
                "Each proof by its type and the salted commitment the ledger holds; its content "
                "is in the subject's dossier."
            ),
            "small",
        ),
    ]
    if d.sample_proofs:
        story.append(
            pdf.table(
                [t(h) for h in ("event", "occurred", "proof", "commitment", "file")],
                [
                    (
                        p.event_id,
                        _at(t, p.occurred_at),
                        t.code("proof", p.proof_type),
                        p.commitment,
                        t("yes") if p.has_file else t("no"),
                    )
                    for p in d.sample_proofs
                ],
                widths=[38 * mm, 25 * mm, 25 * mm, 80 * mm, 12 * mm],
            )
        )
    else:
        story.append(pdf.para(t("No consent was recorded here.")))
    return pdf.render(story, title=title, footer=f"Trust Guardian · {title}")


def touchpoint_report(ctx: Context, *, key: str, lang: str = "en") -> bytes:
    """Reads a touchpoint's dossier and renders it."""
    translator(lang)
    dossier = touchpoint_dossier(ctx, key=key)
    return render_touchpoint_dossier(dossier, lang, ctx.settings.timezone, brand_head(ctx))
