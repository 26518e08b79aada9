"""Mario's rights requests and complaint on top of his history, through the real services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from tests.census.helpers import MARIO, T0, UNSUBSCRIBE, at
from tests.reports.helpers import History, mario_history

from trustguardian.domain.complaints import ComplaintStatus
from trustguardian.domain.registry import Channel
from trustguardian.domain.rights import RequestKind, RequestStatus
from trustguardian.domain.subjects import IdentifierKind
from trustguardian.service.context import Context
from trustguardian.service.events.identifiers import normalise
from trustguardian.service.rights.complaints import attach_file, open_complaint, update_complaint
from trustguardian.service.rights.fulfil import fulfil_request
from trustguardian.service.rights.requests import advance_request, submit_request
from trustguardian.service.rights.verification import extend_request

DETAILS = "Vorrei sapere quali dati avete su di me."
REASON = "Dobbiamo cercare in tre archivi."
ANSWER = "In allegato trova i suoi dati."
SUMMARY = "Mi avete scritto dopo la revoca."
OUTCOME = "Indirizzo tolto dalla lista della campagna."
LETTER = b"%PDF-1.4 lettera di reclamo"


@dataclass(frozen=True)
class Cases:
    ctx: Context
    subject_id: str
    answered: str  # an access request, extended, then fulfilled
    waiting: str  # an objection, still open
    complaint: str


def mario_cases(ctx: Context, outbox: Path) -> Cases:
    """Mario's history, an access request extended and answered, an objection left open, and a
    complaint with an attachment, closed with its outcome."""
    history: History = mario_history(ctx)
    now = history.ctx
    now.settings = now.settings.model_copy(update={"outbox_dir": outbox})
    mario = [normalise(IdentifierKind.EMAIL, MARIO)]
    answered = submit_request(
        now,
        kind=RequestKind.ACCESS,
        touchpoint=UNSUBSCRIBE,
        channel=Channel.EMAIL,
        identifiers=mario,
        details=DETAILS,
    ).id
    advance_request(now, request_id=answered, to=RequestStatus.IN_PROGRESS, actor="giulia")
    extend_request(now, request_id=answered, reason=REASON, actor="giulia")
    fulfil_request(now, request_id=answered, actor="giulia", outcome=ANSWER)
    waiting = submit_request(
        now,
        kind=RequestKind.OBJECTION,
        touchpoint=UNSUBSCRIBE,
        channel=Channel.EMAIL,
        identifiers=mario,
    ).id
    complaint = open_complaint(
        now,
        touchpoint=UNSUBSCRIBE,
        channel=Channel.EMAIL,
        summary=SUMMARY,
        actor="giulia",
        about_event_id=history.events[-1].id,
    ).id
    attach_file(
        now,
        complaint_id=complaint,
        name="lettera.pdf",
        media_type="application/pdf",
        content=LETTER,
        actor="giulia",
    )
    update_complaint(
        now, complaint_id=complaint, actor="giulia", status=ComplaintStatus.CLOSED, outcome=OUTCOME
    )
    return Cases(at(now, T0 + timedelta(hours=3)), history.subject_id, answered, waiting, complaint)
