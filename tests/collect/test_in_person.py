"""Consents given in a store or by phone: the API and the operator page record them with the
operator's identity, the store or campaign, and the scanned form or the call recording."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.collect.helpers import NEWSLETTER, PHONE_TP, PROFILING, STORE, setup_collect, status_of
from tests.factories import add_touchpoint
from tests.factories.api import assert_problem

from trustguardian.asgi import create_app
from trustguardian.domain.access import Scope
from trustguardian.domain.registry import Channel, Nature, ProofType
from trustguardian.service.access.api_keys import create_api_key
from trustguardian.service.collect.proofs import read_proof
from trustguardian.service.context import Context
from trustguardian.store import tables as t
from trustguardian.store.events import EventFilter

SCAN = b"%PDF-1.4\n% modulo firmato da Mario Rossi\n"
RECORDING = hashlib.sha256(b"call audio").hexdigest()


def written(ctx: Context) -> int:
    with ctx.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.events)).scalar_one())


@pytest.fixture
def shop(ctx: Context) -> tuple[Context, TestClient, str, str]:
    setup_collect(ctx)
    _, store_key = create_api_key(
        ctx, name="Milano clerk", scopes=[Scope.EVENTS_WRITE], touchpoint_key=STORE
    )
    _, phone_key = create_api_key(
        ctx, name="Call centre", scopes=[Scope.EVENTS_WRITE], touchpoint_key=PHONE_TP
    )
    return ctx, TestClient(create_app(ctx)), store_key, phone_key


def body(**changes: object) -> dict[str, object]:
    found: dict[str, object] = {
        "touchpoint": STORE,
        "identifiers": [{"kind": "email", "value": "mario.rossi@example.com"}],
        "purposes": [{"purpose": NEWSLETTER, "channels": ["email"]}, {"purpose": PROFILING}],
        "staff_member": "Giulia Neri",
        "store": "Milano, via Torino 12",
        "occurred_at": "2026-11-20T10:15:00+01:00",
        "paper_form": {
            "media_type": "application/pdf",
            "content_base64": base64.b64encode(SCAN).decode(),
            "form_reference": "MI-2026-0042",
        },
    }
    found.update(changes)
    return found


def test_a_store_consent_is_recorded_with_operator_and_scan(
    shop: tuple[Context, TestClient, str, str],
) -> None:
    ctx, client, store_key, _ = shop
    auth = {"Authorization": f"Bearer {store_key}", "Idempotency-Key": "mi-0042"}
    answer = client.post("/v1/collect/in-person", json=body(), headers=auth)
    assert answer.status_code == 201, answer.text
    events = answer.json()
    assert [e["purpose"] for e in events] == [NEWSLETTER, PROFILING]
    event = events[0]
    assert [p["type"] for p in event["proofs"]] == ["operator", "paper_form"]
    operator = read_proof(ctx, event_id=event["id"], position=0).content
    assert operator["staff_member"] == "Giulia Neri"
    assert operator["store"] == "Milano, via Torino 12"
    assert "Milano clerk" in operator["recorded_by"]
    scan = read_proof(ctx, event_id=event["id"], position=1)
    assert scan.file == SCAN
    assert scan.content["form_reference"] == "MI-2026-0042"
    assert status_of(ctx, event["subject_id"]) == {"given"}
    # A retry with the same Idempotency-Key records nothing new.
    again = client.post("/v1/collect/in-person", json=body(), headers=auth)
    assert [e["id"] for e in again.json()] == [e["id"] for e in events]
    assert written(ctx) == 2


def test_a_phone_consent_carries_the_call_recording(
    shop: tuple[Context, TestClient, str, str],
) -> None:
    ctx, client, _, phone_key = shop
    answer = client.post(
        "/v1/collect/in-person",
        json=body(
            touchpoint=PHONE_TP,
            identifiers=[{"kind": "phone", "value": "333 123 4567"}],
            purposes=[{"purpose": NEWSLETTER, "channels": ["sms"]}],
            store=None,
            campaign="autumn-2026",
            paper_form=None,
            call_recording={"reference": "rec://pbx/2026/11/20/0042", "sha256": RECORDING},
        ),
        headers={"Authorization": f"Bearer {phone_key}"},
    )
    assert answer.status_code == 201, answer.text
    (event,) = answer.json()
    assert event["channels"] == ["sms"]
    call = read_proof(ctx, event_id=event["id"], position=1).content
    assert call == {"type": "call_recording", "reference": "rec://pbx/2026/11/20/0042",
                    "sha256": RECORDING}  # fmt: skip
    assert read_proof(ctx, event_id=event["id"], position=0).content["campaign"] == "autumn-2026"


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"paper_form": None}, "evidence"),
        ({"store": None}, "store"),
        ({"staff_member": " "}, "staff_member"),
        ({"paper_form": None, "call_recording": {"reference": "r", "sha256": "nothex"}}, "sha256"),
        ({"purposes": [{"purpose": "unknown-purpose"}]}, "purpose"),
    ],
)
def test_incomplete_evidence_is_refused_and_writes_nothing(
    shop: tuple[Context, TestClient, str, str], changes: dict[str, object], where: str
) -> None:
    ctx, client, store_key, _ = shop
    answer = client.post(
        "/v1/collect/in-person",
        json=body(**changes),
        headers={"Authorization": f"Bearer {store_key}"},
    )
    assert answer.status_code == 422, answer.text
    assert where in answer.text
    assert written(ctx) == 0


def test_a_store_key_cannot_record_for_another_touchpoint(
    shop: tuple[Context, TestClient, str, str],
) -> None:
    ctx, client, store_key, _ = shop
    add_touchpoint(
        ctx, "store-roma", name="Roma", channel=Channel.STORE, nature=Nature.PHYSICAL,
        purposes=[NEWSLETTER],
    )  # fmt: skip
    answer = client.post(
        "/v1/collect/in-person",
        json=body(touchpoint="store-roma", purposes=[{"purpose": NEWSLETTER}]),
        headers={"Authorization": f"Bearer {store_key}"},
    )
    assert_problem(answer, 403, "forbidden")
    assert written(ctx) == 0


def test_the_operator_page_signs_in_and_records_a_scanned_form(
    shop: tuple[Context, TestClient, str, str],
) -> None:
    ctx, client, store_key, _ = shop
    assert "Sign in" in client.get("/operator").text
    refused = client.post("/operator/sign-in", data={"api_key": "tg_nope_nope"})
    assert refused.status_code == 401
    signed = client.post("/operator/sign-in", data={"api_key": store_key}, follow_redirects=False)
    assert signed.status_code == 303
    cookie = signed.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    assert "path=/operator" in cookie
    form = client.get("/operator")
    assert 'id="purpose-newsletter"' in form.text
    assert "Milano clerk" in form.text
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', form.text)
    assert found is not None
    fields = {
        "csrf_token": found.group(1),
        "touchpoint": STORE,
        "email": "lucia.galli@example.com",
        "purpose": [NEWSLETTER],
        "staff_member": "Giulia Neri",
        "store": "Milano",
        "occurred_at": "2026-11-20T10:15",
        "form_reference": "MI-7",
    }
    missing = client.post("/operator/consents", data=fields)
    assert missing.status_code == 422
    assert "scanned signed form" in missing.text
    assert 'value="lucia.galli@example.com"' in missing.text  # what was typed is kept
    assert written(ctx) == 0
    done = client.post(
        "/operator/consents",
        data=fields,
        files={"scan": ("modulo.pdf", SCAN, "application/pdf")},
    )
    assert done.status_code == 201, done.text
    assert "Recorded 1 consent(s)" in done.text
    with ctx.uow(write=False) as uow:
        (event,) = uow.events.page(EventFilter(), after=None, limit=10)
    assert [p.type for p in event.proofs] == [ProofType.OPERATOR, ProofType.PAPER_FORM]
    assert read_proof(ctx, event_id=event.id, position=1).file == SCAN
    assert event.occurred_at.isoformat() == "2026-11-20T09:15:00+00:00"  # 10:15 in Rome
    assert status_of(ctx, event.subject_id) == {"given"}
