"""Erasure on SQLite and PostgreSQL: nothing readable left anywhere, the ledger verifies, every
identifier stays suppressed, connected systems are told and named."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from tests.factories.disk import stored_values

from trustguardian.domain.errors import Erased, InvalidToken
from trustguardian.domain.registry import Channel
from trustguardian.domain.rights import RequestKind
from trustguardian.domain.subjects import IdentifierKind
from trustguardian.domain.sync import SystemKind
from trustguardian.service.context import Context
from trustguardian.service.engage.checks import CheckRequest, check_contact
from trustguardian.service.engage.links import unsubscribe_links
from trustguardian.service.engage.preferences import read_unsubscribe
from trustguardian.service.events.identifiers import normalise
from trustguardian.service.events.subjects import get_subject
from trustguardian.service.rights.complaints import attach_file, open_complaint
from trustguardian.service.rights.export import export_csv, subject_export
from trustguardian.service.rights.fulfil import fulfil_request
from trustguardian.service.rights.requests import get_request
from trustguardian.service.sync.systems import create_system, create_webhook
from trustguardian.service.verify.full import verify_ledger
from trustguardian.store import tables as t

from .helpers import ANNA, ANNA_PHONE, DESK, PURPOSE, UNSUB, check, outbox_files, person, verified

DETAILS = "Vorrei sapere quali dati avete su di me."
SECRET_FILE = b"%PDF-1.4 scansione della lettera firmata da Anna Bianchi"


def test_access_and_portability_export_data_and_history_as_json_and_csv(rctx: Context) -> None:
    anna = person(rctx, phone=ANNA_PHONE)
    request_id = verified(rctx, RequestKind.PORTABILITY)
    export = subject_export(rctx, subject_id=anna.subject_id)
    assert {i["value"] for i in export["identifiers"]} == {ANNA, "+393337654321"}
    kinds = [e["kind"] for e in export["events"]]
    assert kinds.count("consent.given") == 3
    assert "request.in_progress" in kinds
    otp = next(e for e in export["events"] if e["kind"] == "request.in_progress")
    assert {p["type"] for p in otp["proofs"]} == {"otp", "operator"}
    assert export["requests"][0]["id"] == request_id
    assert {(c["purpose"], c["channel"]) for c in export["consents"]} >= {(PURPOSE, "email")}
    text = export_csv(export)
    header, *rows = text.splitlines()
    assert header.startswith("record,id,kind,when")
    assert sum(r.startswith("event,") for r in rows) == len(export["events"])
    assert ANNA in text
    assert DETAILS in text


def test_erasure_leaves_nothing_readable_and_keeps_the_ledger_and_suppression(
    rctx: Context,
) -> None:
    anna = person(rctx, phone=ANNA_PHONE)
    create_system(rctx, key="crm", name="CRM", kind=SystemKind.CRM)
    create_webhook(rctx, system_key="crm", url="https://crm.example/hooks")
    complaint = open_complaint(
        rctx,
        touchpoint=DESK,
        channel=Channel.LETTER,
        summary="Mi avete chiamato alle 22",
        actor="operator",
        subject_id=anna.subject_id,
    )
    attach_file(
        rctx,
        complaint_id=complaint.id,
        name="lettera.pdf",
        media_type="application/pdf",
        content=SECRET_FILE,
        actor="operator",
    )
    [link] = unsubscribe_links(
        rctx,
        subject_ids=[anna.subject_id],
        purpose=PURPOSE,
        channel=Channel.EMAIL,
        touchpoint=UNSUB,
    )
    request_id = verified(rctx, RequestKind.ERASURE)
    assert outbox_files(rctx.settings.outbox_dir)  # the code was mailed
    haystack = stored_values(rctx)
    assert anna.email.encode() not in haystack  # sealed even before erasure
    done = fulfil_request(rctx, request_id=request_id, actor="dpo")
    assert done.erasure is not None
    assert [s.key for s in done.erasure.systems] == ["crm"]
    assert done.erasure.message_files_removed >= 1
    # No readable personal data: not in any column, not in the mail outbox, not via the service.
    haystack = stored_values(rctx)
    for secret in (ANNA.encode(), b"+393337654321", DETAILS.encode(), SECRET_FILE, b"lettera.pdf"):
        assert secret not in haystack
    assert outbox_files(rctx.settings.outbox_dir) == []
    view = get_subject(rctx, subject_id=anna.subject_id)
    assert view.subject.shredded
    assert all(i.value is None for i in view.identifiers)
    assert get_request(rctx, request_id=request_id).details is None
    with pytest.raises(InvalidToken, match="revoked"):  # the person's links die with the data
        read_unsubscribe(rctx, token=link.url.rsplit("/", 1)[1])
    with pytest.raises(Erased):
        subject_export(rctx, subject_id=anna.subject_id)
    # The ledger still verifies; every identifier is still suppressed.
    assert verify_ledger(rctx).ok
    assert check(rctx, PURPOSE, Channel.EMAIL) == "suppressed"
    by_phone = check_contact(
        rctx,
        request=CheckRequest(
            purpose=PURPOSE,
            channel=Channel.SMS,
            identifier=normalise(IdentifierKind.PHONE, ANNA_PHONE),
        ),
    )
    assert by_phone.reason.value == "suppressed"
    # Connected systems learn of it through the outbox.
    with rctx.engine.connect() as conn:
        kinds = list(
            conn.execute(
                select(t.outbox.c.kind).where(t.outbox.c.subject_id == anna.subject_id)
            ).scalars()
        )
    assert kinds[-2:] == ["request.fulfilled", "subject.erased"]
