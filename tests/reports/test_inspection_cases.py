"""The inspection report's rights requests (timeliness per right) and complaints: figures
checked against the database, the PDF's text and its charts (both backends)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select
from tests.census.helpers import T0, UNSUBSCRIBE, at, clean_company, contact
from tests.reports.pdf import one_line, pages

from trustguardian.domain.complaints import ComplaintStatus
from trustguardian.domain.registry import Channel
from trustguardian.domain.rights import RequestKind, RequestStatus
from trustguardian.domain.subjects import IdentifierKind
from trustguardian.reports.inspection import inspection_report
from trustguardian.service.context import Context
from trustguardian.service.events.identifiers import normalise
from trustguardian.service.rights.complaints import open_complaint, update_complaint
from trustguardian.service.rights.fulfil import fulfil_request
from trustguardian.service.rights.requests import advance_request, submit_request
from trustguardian.service.rights.verification import extend_request
from trustguardian.store import tables as t

RED = (0xC0, 0x50, 0x4D)  # the second series colour: "late" in the requests chart


def ask(ctx: Context, kind: RequestKind, who: str) -> str:
    return submit_request(
        ctx,
        kind=kind,
        touchpoint=UNSUBSCRIBE,
        channel=Channel.EMAIL,
        identifiers=[normalise(IdentifierKind.EMAIL, f"{who}@example.com")],
    ).id


def start(ctx: Context, request_id: str) -> None:
    advance_request(ctx, request_id=request_id, to=RequestStatus.IN_PROGRESS, actor="dpo")


def busy_desk(ctx: Context, outbox: Path) -> Context:
    """Requests answered in time, late, rejected, extended and forgotten; two complaints.
    Returns a context 40 days after they came in."""
    ctx.settings = ctx.settings.model_copy(update={"outbox_dir": outbox})
    now = clean_company(ctx)
    quick = ask(now, RequestKind.ACCESS, "anna")
    start(now, quick)
    fulfil_request(now, request_id=quick, actor="dpo")
    slow = ask(now, RequestKind.ACCESS, "bruno")
    refused = ask(now, RequestKind.ACCESS, "carla")
    advance_request(
        now, request_id=refused, to=RequestStatus.REJECTED, actor="dpo", outcome="Not you."
    )
    extended = ask(now, RequestKind.OBJECTION, "dario")
    start(now, extended)
    extend_request(now, request_id=extended, reason="Many systems.", actor="dpo")
    ask(now, RequestKind.RECTIFICATION, "elena")  # never looked at
    contacted = contact(now, T0 + timedelta(minutes=30), check_id=None)
    case = open_complaint(
        now,
        touchpoint=UNSUBSCRIBE,
        channel=Channel.EMAIL,
        summary="You wrote to me again.",
        actor="dpo",
        about_event_id=contacted.id,
    )
    update_complaint(
        now, complaint_id=case.id, actor="dpo", status=ComplaintStatus.CLOSED, outcome="Removed."
    )
    open_complaint(
        now,
        touchpoint=UNSUBSCRIBE,
        channel=Channel.EMAIL,
        summary="Rude operator.",
        actor="dpo",
        identifiers=[normalise(IdentifierKind.EMAIL, "fabio@example.com")],
    )
    later = at(ctx, T0 + timedelta(days=40))
    start(later, slow)
    fulfil_request(later, request_id=slow, actor="dpo")
    return later


def test_requests_and_complaints_figures_match_the_database(ctx: Context, tmp_path: Path) -> None:
    now = busy_desk(ctx, tmp_path / "outbox")
    first, end = T0.replace(hour=0), T0.replace(hour=0) + timedelta(days=41)
    body, figures = inspection_report(now, start=first, end=end)

    # What the database holds, counted independently of the report's code.
    r = t.rights_requests.c
    with ctx.engine.connect() as conn:
        received = dict(conn.execute(select(r.kind, func.count()).group_by(r.kind)).all())
        late = conn.execute(
            select(func.count()).where(r.closed_at.is_not(None), r.closed_at >= r.due_at)
        ).scalar_one()
        overdue = conn.execute(
            select(func.count()).where(r.closed_at.is_(None), r.due_at <= now.clock.now())
        ).scalar_one()
        extended = conn.execute(select(func.count()).where(r.extended_at.is_not(None))).scalar_one()
        complaints = dict(
            conn.execute(
                select(t.complaints.c.status, func.count()).group_by(t.complaints.c.status)
            ).all()
        )
    assert received == {"access": 3, "objection": 1, "rectification": 1}
    assert (late, overdue, extended) == (1, 1, 1)
    assert complaints == {"closed": 1, "open": 1}

    by_kind = {k: dict(v) for k, v in figures.requests.by_kind.items()}
    assert {k: v["received"] for k, v in by_kind.items()} == received
    assert figures.requests.total("late") == late
    assert figures.requests.total("overdue_now") == overdue == figures.requests.overdue_now_all
    assert figures.requests.total("extended") == extended
    assert {s: n for s, n in figures.complaints.by_status.items() if n} == complaints
    assert figures.complaints.by_about == {"(no event named)": 1, "contact.made": 1}

    rendered = pages(body)
    text = one_line("\n".join(page_text for page_text, _ in rendered))
    # right, received, fulfilled in time, rejected in time, late, extended, open, overdue now
    assert "access (art. 15) 3 1 1 1 0 0 0" in text
    assert "objection (art. 21(1)) 1 0 0 0 1 1 0" in text
    assert "rectification (art. 16) 1 0 0 0 0 0 1" in text
    assert "total 5 1 1 1 1 1 1" in text
    assert (
        "Rights requests received in the period: 5 (answered in time 2, late 1, extended 1, "
        "overdue now 1); overdue now, whenever received: 1"
    ) in text
    assert "Complaints received in the period: 2 (closed 1, answered 0, still open 1)" in text
    assert "closed 1" in text
    assert "contact made 1" in text
    assert "6. Rights requests and their timeliness" in text
    assert "7. Complaints" in text
    # The requests chart is drawn: its "late" bar, in the second series colour, is on a page
    # that holds the section.
    section = next(p for p in rendered if "6. Rights requests" in p[0])
    assert RED in section[1]


def test_a_period_without_requests_says_so(ctx: Context, tmp_path: Path) -> None:
    now = busy_desk(ctx, tmp_path / "outbox")
    later = T0.replace(hour=0) + timedelta(days=35)
    body, figures = inspection_report(now, start=later, end=later + timedelta(days=2))
    text = one_line(" ".join(p for p, _ in pages(body)))
    assert figures.requests.by_kind == {}
    assert "No rights request was received in the period." in text
    assert "No complaint was received in the period." in text
    assert "overdue now, whenever received: 1" in text  # the forgotten one still counts
