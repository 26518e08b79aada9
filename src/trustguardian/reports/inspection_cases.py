"""The inspection report's sections on rights requests (timeliness) and complaints."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from trustguardian.reports import pdf
from trustguardian.reports.i18n import Translator
from trustguardian.service.accountability.inspection import InspectionFigures
from trustguardian.service.accountability.inspection_cases import COLUMNS

HEADERS = (
    "received",
    "fulfilled in time",
    "rejected in time",
    "answered late",
    "extended",
    "open, in time",
    "overdue now",
)


def case_lines(f: InspectionFigures, t: Translator) -> list[str]:
    """Headline figures on requests and complaints (the summary at the top of the report)."""
    r, c = f.requests, f.complaints
    in_time = r.total("fulfilled_in_time") + r.total("rejected_in_time")
    return [
        t(
            "Rights requests received in the period: {received} (answered in time {in_time}, "
            "late {late}, extended {extended}, overdue now {overdue}); overdue now, whenever "
            "received: {overdue_all}",
            received=r.total("received"),
            in_time=in_time,
            late=r.total("late"),
            extended=r.total("extended"),
            overdue=r.total("overdue_now"),
            overdue_all=r.overdue_now_all,
        ),
        t(
            "Complaints received in the period: {received} (closed {closed}, answered "
            "{answered}, still open {open})",
            received=c.received,
            closed=c.by_status.get("closed", 0),
            answered=c.by_status.get("answered", 0),
            open=c.by_status.get("open", 0) + c.by_status.get("investigating", 0),
        ),
    ]


def requests_section(f: InspectionFigures, t: Translator) -> list[Flowable]:
    r = f.requests
    kinds = list(r.by_kind)
    out: list[Flowable] = [
        pdf.para(t("6. Rights requests and their timeliness (GDPR art. 12(3))"), "h1"),
        pdf.para(
            t(
                "Requests received in the period, by right. A request is answered in time when "
                "it was closed before the end of its due day (Europe/Rome), one month from "
                "receipt or three once extended; overdue now counts requests still open past "
                "that day at {at}.",
                at=f.generated_at.isoformat(timespec="seconds"),
            )
        ),
    ]
    if not kinds:
        return [*out, pdf.para(t("No rights request was received in the period."))]
    out += [
        pdf.bar_chart(
            t("Rights requests per right: in time, late, overdue"),
            [t.code("right", k) for k in kinds],
            [
                (
                    t("in time"),
                    [
                        r.by_kind[k]["fulfilled_in_time"] + r.by_kind[k]["rejected_in_time"]
                        for k in kinds
                    ],
                ),
                (t("late"), [r.by_kind[k]["late"] for k in kinds]),
                (t("overdue now"), [r.by_kind[k]["overdue_now"] for k in kinds]),
                (t("open, in time"), [r.by_kind[k]["open_in_time"] for k in kinds]),
            ],
            height=60 * mm,
        ),
        pdf.table(
            [t("right"), *(t(h) for h in HEADERS)],
            [(t.code("right", k), *(r.by_kind[k][c] for c in COLUMNS)) for k in kinds]
            + [(t("total"), *(r.total(c) for c in COLUMNS))],
        ),
    ]
    return out


def complaints_section(f: InspectionFigures, t: Translator) -> list[Flowable]:
    c = f.complaints
    out: list[Flowable] = [
        pdf.para(t("7. Complaints"), "h1"),
        pdf.para(
            t("Complaints received in the period, by status now and by what they were about.")
        ),
    ]
    if not c.received:
        return [*out, pdf.para(t("No complaint was received in the period."))]
    statuses = list(c.by_status)
    return [
        *out,
        pdf.bar_chart(
            t("Complaints by status"),
            [t.code("complaint", s) for s in statuses],
            [(t("complaints"), [c.by_status[s] for s in statuses])],
            height=50 * mm,
        ),
        pdf.table(
            [t("status"), t("complaints")],
            [(t.code("complaint", s), c.by_status[s]) for s in statuses],
        ),
        pdf.para(t("What they were about (the event complained about)"), "h2"),
        pdf.table(
            [t("event"), t("complaints")],
            [(t.code("kind", k) if k else "", n) for k, n in c.by_about.items()],
        ),
    ]
