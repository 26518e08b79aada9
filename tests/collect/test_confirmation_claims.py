"""Whose confirmation it is: ours name the consent they confirm, a declared external system's
are recorded as its claims, and a client's are never taken for ours. SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import dataclasses
import io
import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.collect.helpers import (
    NEWSLETTER,
    PROFILING,
    SHOP,
    TP,
    events_count,
    mailed_link,
    publishable,
    setup_collect,
    status_of,
)
from tests.collect.helpers import submission as signup
from tests.factories.api import assert_problem
from tests.factories.tamper import re_sign_every_checkpoint, rebuild_tree, rewrite_event

from trustguardian.asgi import create_app
from trustguardian.domain.access import Scope
from trustguardian.domain.collect import Confirmation
from trustguardian.domain.common import FixedClock
from trustguardian.domain.errors import InvalidInput
from trustguardian.reports.dossier import subject_dossier
from trustguardian.service.access.api_keys import create_api_key
from trustguardian.service.collect.admin import configure
from trustguardian.service.context import Context
from trustguardian.service.verify.full import verify_ledger
from trustguardian.store import tables as t

NOW = datetime.now(UTC).replace(microsecond=0)
SYSTEM = "crm-doi"
ANNA = "anna.bianchi@example.com"


def _admin(ctx: Context) -> TestClient:
    _, token = create_api_key(ctx, name="dpo", scopes=[Scope.ADMIN])
    return TestClient(create_app(ctx), headers={"Authorization": f"Bearer {token}"})


def _leaf(client: TestClient, event_id: str) -> dict[str, Any]:
    proof = client.get(f"/v1/events/{event_id}/proof").json()
    found: dict[str, Any] = json.loads(base64.b64decode(proof["leaf"]))
    return found


def _claimed(kind: str) -> dict[str, Any]:
    """A consent sent with the double opt-in proof of a confirmation done elsewhere."""
    return {
        "kind": kind,
        "touchpoint": TP,
        "identifiers": [{"kind": "email", "value": ANNA}],
        "purpose": NEWSLETTER,
        "channels": ["email"],
        "occurred_at": (NOW - timedelta(minutes=1)).isoformat(),
        "proofs": [
            {
                "type": "double_opt_in",
                "address": ANNA,
                "sent_at": (NOW - timedelta(minutes=9)).isoformat(),
                "confirmed_at": (NOW - timedelta(minutes=2)).isoformat(),
                "confirming_ip": "198.51.100.7",
                "confirming_user_agent": "Browser/1.0",
            }
        ],
    }


@pytest.fixture
def doi(ctx: Context, tmp_path: Path) -> Context:
    setup_collect(ctx, Confirmation.DOUBLE_OPT_IN, within_minutes=60)
    settings = ctx.settings.model_copy(update={"outbox_dir": tmp_path / "outbox"})
    return dataclasses.replace(ctx, settings=settings, clock=FixedClock(NOW))


def test_our_confirmation_names_the_consent_it_confirms_and_verify_checks_it(
    doi: Context, tmp_path: Path
) -> None:
    client = TestClient(create_app(doi), client=("198.51.100.7", 40000))
    answer = client.post(
        f"/sdk/v1/{publishable(doi)}/consents", json=signup(), headers={"Origin": SHOP}
    )
    assert answer.status_code == 201, answer.text
    by_purpose = {e["purpose"]: e for e in answer.json()["events"]}
    pending, refused = by_purpose[NEWSLETTER], by_purpose[PROFILING]
    assert client.post(f"/confirm/{mailed_link(tmp_path / 'outbox')}").status_code == 200

    admin = _admin(doi)
    [confirmed] = admin.get("/v1/events", params={"kind": "consent.confirmed"}).json()["items"]
    assert confirmed["confirms"] == pending["id"]
    assert _leaf(admin, confirmed["id"])["confirms"] == pending["id"]
    assert "confirms" not in _leaf(admin, pending["id"])  # other leaves keep their bytes
    report = verify_ledger(doi, evidence=False)
    assert report.ok, report.problems
    assert report.links == 1

    # An instance that named another event (the refused profiling consent) in the row and the
    # leaf, rebuilt its tree and signed it again with its own key, is still caught.
    rewrite_event(doi, confirmed["seq"], confirms=refused["id"], row={"confirms": refused["id"]})
    rebuild_tree(doi)
    re_sign_every_checkpoint(doi, doi.keys.signer)
    problems = verify_ledger(doi, evidence=False).problems
    named = [p for p in problems if p.startswith(f"seq {confirmed['seq']} ")]
    assert named, problems
    assert f"confirms {refused['id']}" in named[0]
    assert "another subject or purpose" in named[0]


def test_a_declared_external_system_confirms_and_its_proofs_are_its_claims(
    doi: Context,
) -> None:
    admin = _admin(doi)
    declared = admin.put(
        f"/v1/touchpoints/{TP}/collect-settings",
        json={"confirmation": "none", "confirmed_by": SYSTEM},
    )
    assert declared.status_code == 200, declared.text
    assert declared.json()["confirmed_by"] == SYSTEM
    assert admin.get(f"/v1/touchpoints/{TP}/collect-settings").json()["confirmed_by"] == SYSTEM

    given = admin.post("/v1/events", json=_claimed("consent.given"))
    assert given.status_code == 201, given.text
    confirmed = admin.post("/v1/events", json=_claimed("consent.confirmed"))
    assert confirmed.status_code == 201, confirmed.text
    for event in (given.json(), confirmed.json()):
        assert [p["claimed_by"] for p in event["proofs"]] == [SYSTEM]
        assert _leaf(admin, event["id"])["proofs"][0]["claimed_by"] == SYSTEM
        assert event["confirms"] is None  # not ours: it names nothing we sent
    subject_id = given.json()["subject_id"]
    assert status_of(doi, subject_id) == {"given"}  # the system's confirmation counts at once
    assert not (doi.settings.outbox_dir / "mail").exists()  # and we sent nothing

    timeline = admin.get(f"/v1/subjects/{subject_id}/timeline").json()
    assert {p["claimed_by"] for e in timeline for p in e["proofs"]} == {SYSTEM}
    with doi.engine.connect() as c:
        stored = c.execute(select(t.event_proofs.c.claimed_by)).scalars().all()
    assert set(stored) == {SYSTEM}
    dossier = subject_dossier(doi, subject_id=subject_id)
    with zipfile.ZipFile(io.BytesIO(dossier)) as z:
        assert f"double_opt_in (claimed by {SYSTEM})" in z.read("report-en.html").decode()
        assert f"double_opt_in (dichiarata da {SYSTEM})" in z.read("report-it.html").decode()
    assert verify_ledger(doi, evidence=False).ok


def test_without_the_declaration_a_client_sent_confirmation_is_refused(doi: Context) -> None:
    admin = _admin(doi)
    before = events_count(doi)
    for kind in ("consent.given", "consent.confirmed"):
        refused = assert_problem(
            admin.post("/v1/events", json=_claimed(kind)), 422, "invalid-input"
        )
        assert "recorded only when the person confirms" in refused["errors"][0]["msg"]
    assert events_count(doi) == before


def test_a_touchpoint_confirming_by_itself_cannot_also_declare_a_system(doi: Context) -> None:
    with pytest.raises(InvalidInput) as refused:
        configure(doi, touchpoint=TP, confirmation=Confirmation.DOUBLE_OPT_IN, confirmed_by=SYSTEM)
    assert [e.loc for e in refused.value.errors] == ["confirmation"]
    with pytest.raises(InvalidInput) as bad_name:
        configure(doi, touchpoint=TP, confirmation=Confirmation.NONE, confirmed_by="no spaces!")
    assert [e.loc for e in bad_name.value.errors] == ["confirmed_by"]


def test_a_client_proof_on_a_touchpoint_that_confirms_nothing_is_the_clients_claim(
    doi: Context,
) -> None:
    configure(doi, touchpoint=TP, confirmation=Confirmation.NONE)
    admin = _admin(doi)
    given = admin.post("/v1/events", json=_claimed("consent.given"))
    assert given.status_code == 201, given.text
    assert [p["claimed_by"] for p in given.json()["proofs"]] == [f"touchpoint:{TP}"]
    assert verify_ledger(doi, evidence=False).ok
