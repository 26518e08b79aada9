"""The inspection report's sections on rights requests (timeliness) and complaints."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from trustguardian.reports import pdf
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


def case_lines(f: InspectionFigures) -> list[str]:
    """Headline figures on requests and complaints (the summary at the top of the report)."""
    r, c = f.requests, f.complaints
    in_time = r.total("fulfilled_in_time") + r.total("rejected_in_time")
    return [
        f"Rights requests received in the period: {r.total('received')} (answered in time "
        f"{in_time}, late {r.total('late')}, extended {r.total('extended')}, overdue now "
        f"{r.total('overdue_now')}); overdue now, whenever received: {r.overdue_now_all}",
        f"Complaints received in the period: {c.received} (closed "
        f"{c.by_status.get('closed', 0)}, answered {c.by_status.get('answered', 0)}, still open "
        f"{c.by_status.get('open', 0) + c.by_status.get('investigating', 0)})",
    ]


def requests_section(f: InspectionFigures) -> list[Flowable]:
    r = f.requests
    kinds = list(r.by_kind)
    out: list[Flowable] = [
        pdf.para("6. Rights requests and their timeliness (GDPR art. 12(3))", "h1"),
        pdf.para(
            "Requests received in the period, by right. A request is answered in time when it "
            "was closed before the end of its due day (Europe/Rome), one month from receipt or "
            "three once extended; overdue now counts requests still open past that day at "
            f"{f.generated_at.isoformat(timespec='seconds')}."
        ),
    ]
    if not kinds:
        return [*out, pdf.para("No rights request was received in the period.")]
    out += [
        pdf.bar_chart(
            "Rights requests per right: in time, late, overdue",
            kinds,
            [
                (
                    "in time",
                    [
                        r.by_kind[k]["fulfilled_in_time"] + r.by_kind[k]["rejected_in_time"]
                        for k in kinds
                    ],
                ),
                ("late", [r.by_kind[k]["late"] for k in kinds]),
                ("overdue now", [r.by_kind[k]["overdue_now"] for k in kinds]),
                ("open, in time", [r.by_kind[k]["open_in_time"] for k in kinds]),
            ],
            height=60 * mm,
        ),
        pdf.table(
            ["right", *HEADERS],
            [(k, *(r.by_kind[k][c] for c in COLUMNS)) for k in kinds]
            + [("total", *(r.total(c) for c in COLUMNS))],
        ),
    ]
    return out


def complaints_section(f: InspectionFigures) -> list[Flowable]:
    c = f.complaints
    out: list[Flowable] = [
        pdf.para("7. Complaints", "h1"),
        pdf.para("Complaints received in the period, by status now and by what they were about."),
    ]
    if not c.received:
        return [*out, pdf.para("No complaint was received in the period.")]
    statuses = list(c.by_status)
    return [
        *out,
        pdf.bar_chart(
            "Complaints by status",
            statuses,
            [("complaints", [c.by_status[s] for s in statuses])],
            height=50 * mm,
        ),
        pdf.table(["status", "complaints"], [(s, c.by_status[s]) for s in statuses]),
        pdf.para("What they were about (the event complained about)", "h2"),
        pdf.table(["event", "complaints"], list(c.by_about.items())),
    ]
