"""Evidence of substance: a call's recording kept sealed beside its reference, a partner's own
evidence file and notice, each checked for being what it says (both backends)."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.collect.helpers import LEGACY, NEWSLETTER, PHONE_TP, setup_collect
from tests.factories.api import assert_problem

from trustguardian.asgi import create_app
from trustguardian.domain.access import Scope
from trustguardian.domain.registry import ProofType, text_sha256
from trustguardian.service.access.api_keys import create_api_key
from trustguardian.service.collect.evidence import is_declared_type
from trustguardian.service.collect.proofs import read_proof
from trustguardian.service.context import Context
from trustguardian.service.verify.full import verify_ledger
from trustguardian.store import tables as t
from trustguardian.store.events import EventFilter

WAV = b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00" + b"\x00" * 64
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb" * 40
TEXT = b"I am a text file, not a recording.\n"
PDF = b"%PDF-1.7\n% the partner's signed form\n"
PARTNER_NOTICE = "Informativa del partner Viaggi Sereni S.r.l., versione 3.\n"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def call(recording: dict[str, Any]) -> dict[str, Any]:
    return {
        "touchpoint": PHONE_TP,
        "identifiers": [{"kind": "phone", "value": "+39 333 123 4567"}],
        "purposes": [{"purpose": NEWSLETTER, "channels": ["sms"]}],
        "staff_member": "Paolo Verdi",
        "campaign": "autunno-2026",
        "occurred_at": "2026-11-20T10:15:00+01:00",
        "call_recording": recording,
    }


def rows(ctx: Context, table: Any) -> int:
    with ctx.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


@pytest.fixture
def client(ctx: Context) -> TestClient:
    setup_collect(ctx)
    _, key = create_api_key(ctx, name="desk", scopes=[Scope.ADMIN])
    return TestClient(create_app(ctx), headers={"Authorization": f"Bearer {key}"})


def test_a_call_recording_is_kept_sealed_beside_its_reference(
    ctx: Context, client: TestClient
) -> None:
    recording = {
        "reference": "CC-2026-11-20-0042",
        "sha256": hashlib.sha256(WAV).hexdigest(),
        "media_type": "audio/wav",
        "content_base64": b64(WAV),
    }
    made = client.post("/v1/collect/in-person", json=call(recording))
    assert made.status_code == 201, made.text
    [event] = made.json()
    [position] = [
        n for n, p in enumerate(client.get(f"/v1/events/{event['id']}").json()["proofs"])
        if p["type"] == "call_recording"
    ]  # fmt: skip
    opened = client.get(f"/v1/events/{event['id']}/proofs/{position}").json()
    assert opened["content"]["reference"] == "CC-2026-11-20-0042"
    assert opened["content"]["file"]["sha256"] == recording["sha256"]
    assert opened["has_file"] is True
    file = client.get(f"/v1/events/{event['id']}/proofs/{position}/file")
    assert file.content == WAV
    assert file.headers["content-type"] == "audio/wav"
    with ctx.engine.connect() as conn:
        sealed = conn.execute(select(t.evidence_blobs.c.sealed)).scalars().all()
    assert sealed
    assert all(WAV not in bytes(blob) for blob in sealed)  # kept encrypted
    report = verify_ledger(ctx)  # the recording is opened and matched against its commitment
    assert report.ok, report.problems
    assert report.evidence_opened >= 2

    # The reference and hash alone are still enough.
    plain = {"reference": "CC-0043", "sha256": hashlib.sha256(MP3).hexdigest()}
    assert client.post("/v1/collect/in-person", json=call(plain)).status_code == 201


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"content_base64": b64(TEXT)}, "does not match audio/wav"),  # not a WAV file
        ({"sha256": "0" * 64}, "sha256"),  # not this recording
        ({"media_type": "application/pdf", "content_base64": b64(PDF)}, "media_type"),
    ],
)
def test_a_recording_that_is_not_what_it_says_is_refused(
    ctx: Context, client: TestClient, change: dict[str, str], field: str
) -> None:
    recording = {
        "reference": "CC-1",
        "sha256": hashlib.sha256(WAV).hexdigest(),
        "media_type": "audio/wav",
        "content_base64": b64(WAV),
        **change,
    }
    if "content_base64" in change and "sha256" not in change:
        recording["sha256"] = hashlib.sha256(base64.b64decode(change["content_base64"])).hexdigest()
    refused = client.post("/v1/collect/in-person", json=call(recording))
    assert refused.status_code == 422, refused.text
    assert field in refused.text
    assert rows(ctx, t.events) == 0


def test_a_recording_over_its_limit_is_refused(ctx: Context) -> None:
    small = dataclasses.replace(
        ctx, settings=ctx.settings.model_copy(update={"max_recording_bytes": 64})
    )
    setup_collect(small)
    _, key = create_api_key(small, name="desk", scopes=[Scope.ADMIN])
    client = TestClient(create_app(small), headers={"Authorization": f"Bearer {key}"})
    recording = {
        "reference": "CC-2",
        "sha256": hashlib.sha256(WAV).hexdigest(),
        "media_type": "audio/wav",
        "content_base64": b64(WAV),
    }
    assert_problem(
        client.post("/v1/collect/in-person", json=call(recording)), 413, "evidence-too-large"
    )
    assert rows(small, t.events) == 0


def partner_event(**proof: Any) -> dict[str, Any]:
    return {
        "kind": "consent.given",
        "touchpoint": LEGACY,
        "identifiers": [{"kind": "email", "value": "giulia@example.com"}],
        "purpose": NEWSLETTER,
        "channels": ["email"],
        "occurred_at": "2026-11-18T09:00:00Z",
        "proofs": [
            {
                "type": "partner",
                "partner": "Viaggi Sereni S.r.l.",
                "contract_reference": "co-marketing 2026/7",
                **proof,
            }
        ],
    }


def test_a_partner_proof_carries_the_partners_file_and_notice(
    ctx: Context, client: TestClient
) -> None:
    made = client.post(
        "/v1/events",
        json=partner_event(
            media_type="application/pdf",
            content_base64=b64(PDF),
            notice_text=PARTNER_NOTICE,
            notice_sha256=text_sha256(PARTNER_NOTICE),
        ),
    )
    assert made.status_code == 201, made.text
    event_id = made.json()["events"][0]["id"] if "events" in made.json() else made.json()["id"]
    opened = client.get(f"/v1/events/{event_id}/proofs/0").json()
    assert opened["content"]["notice_text"] == PARTNER_NOTICE
    assert opened["content"]["file"]["media_type"] == "application/pdf"
    assert client.get(f"/v1/events/{event_id}/proofs/0/file").content == PDF

    wrong_notice = partner_event(notice_text=PARTNER_NOTICE, notice_sha256="1" * 64)
    assert client.post("/v1/events", json=wrong_notice).status_code == 422
    not_a_pdf = partner_event(media_type="application/pdf", content_base64=b64(TEXT))
    assert client.post("/v1/events", json=not_a_pdf).status_code == 422
    assert rows(ctx, t.events) == 1


def test_the_signatures_of_recordings() -> None:
    assert is_declared_type("audio/wav", WAV)
    assert not is_declared_type("audio/wav", b"RIFF\x10\x00\x00\x00WEBPVP8 ")
    assert is_declared_type("audio/mpeg", MP3)
    assert not is_declared_type("audio/mpeg", TEXT)
    assert is_declared_type("audio/ogg", b"OggS\x00\x02")
    assert is_declared_type("audio/mp4", b"\x00\x00\x00\x20ftypM4A ")
    assert not is_declared_type("audio/flac", TEXT)


def test_the_operator_page_keeps_an_uploaded_recording(ctx: Context) -> None:
    setup_collect(ctx)
    _, key = create_api_key(
        ctx, name="Call centre", scopes=[Scope.EVENTS_WRITE], touchpoint_key=PHONE_TP
    )
    client = TestClient(create_app(ctx))
    assert client.post("/operator/sign-in", data={"api_key": key}).status_code == 200
    page = client.get("/operator").text
    assert 'name="recording"' in page
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page)
    assert found is not None
    fields = {
        "csrf_token": found.group(1),
        "touchpoint": PHONE_TP,
        "phone": "+39 333 765 4321",
        "purpose": [NEWSLETTER],
        "staff_member": "Paolo Verdi",
        "campaign": "autunno-2026",
        "recording_reference": "CC-0077",
    }
    done = client.post(
        "/operator/consents",
        data=fields,
        files={"recording": ("call.mp3", MP3, "audio/mpeg")},
    )
    assert done.status_code == 201, done.text
    with ctx.uow(write=False) as uow:
        (event,) = uow.events.page(EventFilter(), after=None, limit=10)
    position = [p.type for p in event.proofs].index(ProofType.CALL_RECORDING)
    opened = read_proof(ctx, event_id=event.id, position=position)
    assert opened.file == MP3
    assert opened.content["sha256"] == hashlib.sha256(MP3).hexdigest()  # computed for the clerk
