"""An evidence file is what its declared type says: its first bytes are checked."""

from __future__ import annotations

import base64

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.collect.helpers import STORE, setup_collect
from tests.factories.api import assert_problem

from trustguardian.asgi import create_app
from trustguardian.domain.access import Scope
from trustguardian.service.access.api_keys import create_api_key
from trustguardian.service.collect.evidence import is_declared_type
from trustguardian.service.context import Context
from trustguardian.store import tables as t

PDF = b"%PDF-1.7\n% signed form\n"
PNG = bytes.fromhex("89504e470d0a1a0a") + b"IHDR..."
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF"
WEBP = b"RIFF\x10\x00\x00\x00WEBPVP8 "
TEXT = b"I am a text file, not a scan.\n"


def in_person(media_type: str, content: bytes) -> dict[str, object]:
    return {
        "touchpoint": STORE,
        "identifiers": [{"kind": "email", "value": "mario.rossi@example.com"}],
        "purposes": [{"purpose": "newsletter", "channels": ["email"]}],
        "staff_member": "Giulia Neri",
        "store": "Milano, via Torino 12",
        "occurred_at": "2026-11-20T10:15:00+01:00",
        "paper_form": {
            "media_type": media_type,
            "content_base64": base64.b64encode(content).decode(),
            "form_reference": "MI-2026-0042",
        },
    }


def events_written(ctx: Context) -> int:
    with ctx.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.events)).scalar_one())


@pytest.mark.parametrize(
    ("media_type", "content"),
    [("application/pdf", TEXT), ("image/png", JPEG), ("image/jpeg", PDF), ("image/webp", PNG)],
)
def test_a_scan_that_is_not_its_declared_type_is_refused(
    ctx: Context, media_type: str, content: bytes
) -> None:
    setup_collect(ctx)
    _, key = create_api_key(ctx, name="clerk", scopes=[Scope.EVENTS_WRITE], touchpoint_key=STORE)
    client = TestClient(create_app(ctx))
    auth = {"Authorization": f"Bearer {key}"}
    refused = client.post(
        "/v1/collect/in-person", json=in_person(media_type, content), headers=auth
    )
    problem = assert_problem(refused, 422, "invalid-input")
    assert media_type in str(problem), problem
    assert events_written(ctx) == 0
    genuine = {"application/pdf": PDF, "image/png": PNG, "image/jpeg": JPEG, "image/webp": WEBP}
    accepted = client.post(
        "/v1/collect/in-person", json=in_person(media_type, genuine[media_type]), headers=auth
    )
    assert accepted.status_code == 201, accepted.text
    assert events_written(ctx) == 1


def test_the_signatures_of_the_accepted_types() -> None:
    assert is_declared_type("application/pdf", b"\n\n" + PDF)  # a few bytes before the header
    assert not is_declared_type("application/pdf", TEXT)
    assert is_declared_type("image/png", PNG)
    assert not is_declared_type("IMAGE/PNG; x=1", TEXT)
    assert is_declared_type("image/webp", WEBP)
    assert not is_declared_type("image/webp", b"RIFF\x10\x00\x00\x00WAVEfmt ")
    assert is_declared_type("text/html", b"<form></form>")  # a snapshot has no signature
