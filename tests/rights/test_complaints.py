"""Complaints on SQLite and PostgreSQL: a case linked to the subject's timeline, every change an
event, attachments sealed."""

from __future__ import annotations

import pytest
from tests.factories.events import footprint

from trustguardian.domain.complaints import ComplaintStatus
from trustguardian.domain.errors import Conflict, InvalidInput
from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import Channel
from trustguardian.service.context import Context
from trustguardian.service.events.consent import subject_timeline
from trustguardian.service.rights.complaints import (
    attach_file,
    get_complaint,
    list_complaints,
    open_complaint,
    read_attachment,
    update_complaint,
)
from trustguardian.service.verify.full import verify_ledger

from .helpers import DESK, person

FILE = b"%PDF-1.4 complaint letter"


def test_a_complaint_is_a_case_whose_every_change_is_an_event(rctx: Context) -> None:
    anna = person(rctx)
    about = subject_timeline(rctx, subject_id=anna.subject_id)[0]
    case = open_complaint(
        rctx,
        touchpoint=DESK,
        channel=Channel.PHONE,
        summary="Ricevo newsletter senza averle chieste",
        actor="operator",
        about_event_id=about.id,
    )
    assert case.subject_id == anna.subject_id
    assert case.status is ComplaintStatus.OPEN
    case = update_complaint(
        rctx,
        complaint_id=case.id,
        actor="legal",
        status=ComplaintStatus.INVESTIGATING,
        handler="Legal",
    )
    case = attach_file(
        rctx,
        complaint_id=case.id,
        name="letter.pdf",
        media_type="application/pdf",
        content=FILE,
        actor="legal",
    )
    case = update_complaint(
        rctx,
        complaint_id=case.id,
        actor="legal",
        status=ComplaintStatus.CLOSED,
        outcome="The consent of 1 March was proven; answered in writing.",
    )
    full = get_complaint(rctx, complaint_id=case.id)
    assert full.status is ComplaintStatus.CLOSED
    assert full.handler == "Legal"
    assert full.outcome.startswith("The consent")  # type: ignore[union-attr]
    assert [s.status for s in full.steps] == ["open", "investigating", "investigating", "closed"]
    step_events = {s.event_id for s in full.steps}
    kinds = [e.kind for e in full.timeline if e.id in step_events]
    assert kinds == [EventKind.COMPLAINT_OPENED] + [EventKind.COMPLAINT_UPDATED] * 3
    assert about.id in {e.id for e in full.timeline}  # the facts Legal answers from
    assert read_attachment(rctx, complaint_id=case.id, position=0) == (
        "letter.pdf",
        "application/pdf",
        FILE,
    )
    with rctx.engine.connect() as conn:
        sealed = conn.exec_driver_sql("SELECT sealed FROM complaint_attachments").scalar_one()
    assert FILE not in bytes(sealed)
    assert [c.id for c in list_complaints(rctx, subject_id=anna.subject_id).items] == [case.id]
    assert verify_ledger(rctx).ok


def test_bad_complaint_changes_are_refused_and_write_nothing(rctx: Context) -> None:
    anna = person(rctx)
    case = open_complaint(
        rctx,
        touchpoint=DESK,
        channel=Channel.EMAIL,
        summary="x",
        actor="op",
        subject_id=anna.subject_id,
    )
    before = footprint(rctx)
    with pytest.raises(InvalidInput):
        update_complaint(rctx, complaint_id=case.id, actor="op", status=ComplaintStatus.CLOSED)
    with pytest.raises(InvalidInput):
        open_complaint(
            rctx,
            touchpoint="web-all",
            channel=Channel.EMAIL,
            summary="x",
            actor="op",
            subject_id=anna.subject_id,
        )
    with pytest.raises(InvalidInput):
        open_complaint(
            rctx,
            touchpoint=DESK,
            channel=Channel.EMAIL,
            summary="x",
            actor="op",
            about_event_id="evt_nope",
        )
    assert footprint(rctx) == before
    update_complaint(
        rctx, complaint_id=case.id, actor="op", status=ComplaintStatus.CLOSED, outcome="done"
    )
    with pytest.raises(Conflict):
        update_complaint(rctx, complaint_id=case.id, actor="op", handler="someone")


@pytest.mark.parametrize(
    ("media_type", "content"),
    [("application/pdf", b"just a text file\n"), ("image/png", b"%PDF-1.4 not a picture")],
)
def test_an_attachment_unlike_its_declared_type_is_refused(
    rctx: Context, media_type: str, content: bytes
) -> None:
    anna = person(rctx)
    case = open_complaint(
        rctx,
        touchpoint=DESK,
        channel=Channel.EMAIL,
        summary="x",
        actor="op",
        subject_id=anna.subject_id,
    )
    before = footprint(rctx)
    with pytest.raises(InvalidInput) as refused:
        attach_file(
            rctx,
            complaint_id=case.id,
            name="letter.pdf",
            media_type=media_type,
            content=content,
            actor="op",
        )
    assert refused.value.errors[0].loc == "file"
    assert footprint(rctx) == before
    assert get_complaint(rctx, complaint_id=case.id).attachments == ()
