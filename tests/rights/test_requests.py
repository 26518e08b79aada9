"""Rights requests on SQLite and PostgreSQL: intake, verification by code, deadlines, extension,
objection to direct marketing, every step a ledger event."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from tests.factories.events import footprint

from trustguardian.domain.common import FixedClock
from trustguardian.domain.errors import Conflict, InvalidInput
from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import Channel
from trustguardian.domain.rights import RequestKind, RequestStatus
from trustguardian.domain.subjects import IdentifierKind
from trustguardian.service.context import Context
from trustguardian.service.events.consent import subject_timeline
from trustguardian.service.events.identifiers import normalise
from trustguardian.service.rights.fulfil import fulfil_request
from trustguardian.service.rights.requests import (
    BadMove,
    advance_request,
    get_request,
    list_requests,
    submit_request,
)
from trustguardian.service.rights.verification import (
    CodeRefused,
    TooManyCodes,
    confirm_code,
    extend_request,
    send_code,
)
from trustguardian.service.verify.full import verify_ledger

from .helpers import (
    ANNA,
    ANNA_PHONE,
    DESK,
    OTHER_PURPOSE,
    POSTAL,
    PURPOSE,
    SHARING,
    check,
    email,
    last_code,
    newest_mail,
    outbox_files,
    person,
    submit,
    verified,
)


def test_a_request_is_received_with_its_deadline_and_an_event(rctx: Context) -> None:
    anna = person(rctx)
    received = datetime(2026, 1, 31, 15, tzinfo=UTC)
    request_id = submit(rctx, received_at=received)
    view = get_request(rctx, request_id=request_id)
    assert view.subject_id == anna.subject_id
    assert (view.status, view.due_on) == (RequestStatus.RECEIVED, date(2026, 2, 28))
    assert view.details == "Vorrei sapere quali dati avete su di me."
    [step] = view.steps
    [event] = [
        e for e in subject_timeline(rctx, subject_id=anna.subject_id) if e.id == step.event_id
    ]
    assert (event.kind, event.touchpoint, event.occurred_at) == (
        EventKind.REQUEST_RECEIVED,
        DESK,
        received,
    )
    assert view.overdue  # received in January 2026, the test runs later


def test_a_request_by_an_unknown_person_creates_their_subject(rctx: Context) -> None:
    request_id = submit(rctx)
    assert get_request(rctx, request_id=request_id).subject_id.startswith("sub_")


def test_identity_is_verified_by_a_code_sent_by_mail_kept_only_hashed(rctx: Context) -> None:
    person(rctx)
    request_id = submit(rctx)
    sent = send_code(rctx, request_id=request_id)
    assert sent.method == "email"
    code = last_code(rctx.settings.outbox_dir)
    assert get_request(rctx, request_id=request_id).status is RequestStatus.VERIFYING
    with rctx.engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT code_hash FROM verification_codes").scalar_one()
    assert code not in stored
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(CodeRefused):
        confirm_code(rctx, request_id=request_id, code=wrong)
    view = confirm_code(rctx, request_id=request_id, code=code)
    assert view.status is RequestStatus.IN_PROGRESS
    assert [s.status for s in view.steps] == ["received", "verifying", "in_progress"]
    with pytest.raises(Conflict):
        confirm_code(rctx, request_id=request_id, code=code)


def test_wrong_codes_are_counted_and_the_limit_holds_even_for_the_right_one(rctx: Context) -> None:
    person(rctx)
    request_id = submit(rctx)
    send_code(rctx, request_id=request_id)
    code = last_code(rctx.settings.outbox_dir)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(rctx.settings.verification_max_attempts):
        with pytest.raises(CodeRefused):
            confirm_code(rctx, request_id=request_id, code=wrong)
    with pytest.raises(CodeRefused, match="too many"):
        confirm_code(rctx, request_id=request_id, code=code)
    assert get_request(rctx, request_id=request_id).status is RequestStatus.VERIFYING


def test_an_expired_code_is_refused(rctx: Context) -> None:
    person(rctx)
    request_id = submit(rctx)
    send_code(rctx, request_id=request_id)
    code = last_code(rctx.settings.outbox_dir)
    later = dataclasses.replace(rctx, clock=FixedClock(rctx.clock.now() + timedelta(minutes=16)))
    with pytest.raises(CodeRefused, match="expired"):
        confirm_code(later, request_id=request_id, code=code)


def test_an_extension_shows_the_new_deadline_and_the_reason_sent(rctx: Context) -> None:
    person(rctx)
    now = datetime.now(UTC)
    request_id = verified(rctx)
    before = get_request(rctx, request_id=request_id)
    view = extend_request(
        rctx, request_id=request_id, reason="Richieste numerose e complesse", actor="dpo"
    )
    assert view.status is RequestStatus.EXTENDED
    assert view.due_on > before.due_on
    assert view.extension_reason == "Richieste numerose e complesse"
    assert view.extension_message_id
    mail = sorted(outbox_files(rctx.settings.outbox_dir), key=lambda p: p.stat().st_mtime_ns)[-1]
    body = mail.read_text()
    assert "Richieste numerose e complesse" in body
    assert view.due_on.isoformat() in body
    assert view.due_on >= (now + timedelta(days=88)).date()
    with pytest.raises(BadMove):
        extend_request(rctx, request_id=request_id, reason="again", actor="dpo")


def test_bad_moves_are_refused_and_write_nothing(rctx: Context) -> None:
    person(rctx)
    request_id = submit(rctx)
    before = footprint(rctx)
    with pytest.raises(InvalidInput):
        fulfil_request(rctx, request_id=request_id, actor="dpo")
    with pytest.raises(InvalidInput):
        advance_request(rctx, request_id=request_id, to=RequestStatus.REJECTED, actor="dpo")
    with pytest.raises(InvalidInput):
        submit_request(
            rctx,
            kind=RequestKind.ACCESS,
            touchpoint="web-all",
            channel=Channel.EMAIL,
            identifiers=[email(ANNA)],
        )
    assert footprint(rctx) == before
    view = advance_request(
        rctx,
        request_id=request_id,
        to=RequestStatus.REJECTED,
        actor="dpo",
        outcome="Manifestly unfounded",
    )
    assert view.status is RequestStatus.REJECTED
    assert view.outcome == "Manifestly unfounded"
    assert view.answer_message_id is not None  # art. 12(4): the reasons and the remedies, told
    told = newest_mail(rctx).decode()
    assert "Manifestly unfounded" in told
    assert "Garante" in told
    assert view.closed_at is not None


def test_objection_to_direct_marketing_withdraws_every_marketing_purpose_at_once(
    rctx: Context,
) -> None:
    person(rctx)
    assert check(rctx, POSTAL, Channel.LETTER) == "legitimate_interest"
    request_id = verified(rctx, RequestKind.OBJECTION_DIRECT_MARKETING)
    done = fulfil_request(rctx, request_id=request_id, actor="dpo")
    assert set(done.withdrawn) == {PURPOSE, OTHER_PURPOSE, SHARING, POSTAL}
    assert check(rctx, PURPOSE, Channel.EMAIL) == "withdrawn"
    assert check(rctx, PURPOSE, Channel.SMS) == "withdrawn"
    assert check(rctx, SHARING, Channel.EMAIL) == "withdrawn"
    assert check(rctx, POSTAL, Channel.LETTER) == "objected"
    assert check(rctx, "orders", Channel.EMAIL) == "other_legal_basis"  # not marketing
    assert done.request.status is RequestStatus.FULFILLED
    assert done.request.answer_message_id is not None
    assert f"richiesta {request_id} è stata evasa" in newest_mail(rctx).decode()
    assert verify_ledger(rctx).ok


def test_due_within_and_overdue_lists(rctx: Context) -> None:
    person(rctx)
    now = rctx.clock.now()
    soon = submit(rctx, received_at=now - timedelta(days=26))
    late = submit(rctx, received_at=now - timedelta(days=40))
    fresh = submit(rctx)
    week = {v.id for v in list_requests(rctx, due_within=timedelta(days=7)).items}
    assert week == {soon, late}
    assert [v.id for v in list_requests(rctx, overdue=True).items] == [late]
    everything = [v.id for v in list_requests(rctx).items]
    assert everything == [late, soon, fresh]  # most urgent first
    advance_request(rctx, request_id=late, to=RequestStatus.REJECTED, actor="dpo", outcome="x")
    assert list_requests(rctx, overdue=True).items == []


def test_a_person_known_by_phone_verifies_by_sms(rctx: Context) -> None:
    view = submit_request(
        rctx,
        kind=RequestKind.ERASURE,
        touchpoint=DESK,
        channel=Channel.PHONE,
        identifiers=[normalise(IdentifierKind.PHONE, ANNA_PHONE)],
        language="en",
    )
    assert send_code(rctx, request_id=view.id).method == "phone"
    [sms] = [p for p in outbox_files(rctx.settings.outbox_dir) if "sms" in p.parts]
    message = json.loads(sms.read_text())
    assert message["to"] == "+393337654321"
    code = re.search(r"\b(\d{6})\b", message["text"]).group(1)  # type: ignore[union-attr]
    assert "expires in 15 minutes" in message["text"]
    assert confirm_code(rctx, request_id=view.id, code=code).status is RequestStatus.IN_PROGRESS


def test_codes_to_one_contact_are_capped_per_hour_across_requests(rctx: Context) -> None:
    person(rctx)
    for _ in range(5):
        send_code(rctx, request_id=submit(rctx))
    flood = submit(rctx)
    with pytest.raises(TooManyCodes):
        send_code(rctx, request_id=flood)
    later = dataclasses.replace(rctx, clock=FixedClock(rctx.clock.now() + timedelta(hours=1)))
    assert send_code(later, request_id=flood).method == "email"
