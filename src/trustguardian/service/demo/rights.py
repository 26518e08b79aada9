"""Rights requests and a complaint for the demo, so the deadline views show something."""

from __future__ import annotations

from datetime import timedelta

from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import Channel
from trustguardian.domain.rights import RequestKind, RequestStatus
from trustguardian.service.context import Context
from trustguardian.service.events.recording import list_events
from trustguardian.service.rights.complaints import open_complaint
from trustguardian.service.rights.requests import advance_request, submit_request
from trustguardian.store.events import EventFilter

# (kind, days since receipt, put in progress): one overdue, one due this week, one fresh.
REQUESTS = (
    (RequestKind.ACCESS, 40, True),
    (RequestKind.ERASURE, 26, True),
    (RequestKind.OBJECTION_DIRECT_MARKETING, 2, False),
)


def seed_rights(ctx: Context) -> None:
    """Takes in a few requests from demo customers, and one complaint about a contact."""
    people = list_events(ctx, flt=EventFilter(kind=EventKind.CONSENT_GIVEN), limit=50).items
    subjects = list(dict.fromkeys(e.subject_id for e in people))
    now = ctx.clock.now()
    for (kind, days, started), subject_id in zip(REQUESTS, subjects, strict=False):
        view = submit_request(
            ctx,
            kind=kind,
            touchpoint="privacy-desk",
            channel=Channel.EMAIL,
            subject_id=subject_id,
            details="Richiesta ricevuta per e-mail all'indirizzo privacy.",
            received_at=now - timedelta(days=days),
            actor="demo",
        )
        if started:
            advance_request(
                ctx, request_id=view.id, to=RequestStatus.IN_PROGRESS, actor="Ufficio privacy"
            )
    if people:
        open_complaint(
            ctx,
            touchpoint="store-complaints",
            channel=Channel.STORE,
            summary="Il cliente dice di non aver mai dato il consenso alla newsletter.",
            actor="demo",
            about_event_id=people[-1].id,
            handler="Ufficio legale",
        )
