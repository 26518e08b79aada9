"""Accountability over HTTP: findings, examinations, dossiers, exports, reports, time-stamps."""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests.census.helpers import STORE, WEB, signer
from tests.factories.api import assert_problem
from tests.reports.helpers import History, mario_history
from tests.reports.pdf import pdf_text
from tests.reports.tsa import local_tsa

from trustguardian.asgi import create_app
from trustguardian.domain.access import Scope
from trustguardian.reports.dossier_verify import verify_dossier
from trustguardian.service.access.api_keys import create_api_key
from trustguardian.service.context import Context
from trustguardian.service.registry.touchpoints import TouchpointPatch, update_touchpoint


def client_for(ctx: Context, *scopes: Scope, touchpoint: str | None = None) -> TestClient:
    _, token = create_api_key(
        ctx, name="test", scopes=scopes or [Scope.ADMIN], touchpoint_key=touchpoint
    )
    return TestClient(create_app(ctx), headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def history(ctx: Context) -> History:
    found = mario_history(ctx)
    settings = found.ctx.settings.model_copy(
        update={"controller_address": "Via Roma 1, Milano", "controller_phone": "+39 02 1234567"}
    )
    return dataclasses.replace(found, ctx=dataclasses.replace(found.ctx, settings=settings))


@pytest.fixture
def admin(history: History) -> Iterator[TestClient]:
    with client_for(history.ctx) as c:
        yield c


def test_examining_and_reading_findings(history: History, admin: TestClient) -> None:
    update_touchpoint(history.ctx, key=STORE, patch=TouchpointPatch(required_proofs=[]))
    never = admin.get(f"/v1/touchpoints/{STORE}/findings").json()
    assert never["examined_at"] is None
    assert never["findings"] == []

    examined = admin.post(f"/v1/touchpoints/{STORE}/examine")
    assert examined.status_code == 200
    assert examined.json()["status"] == "examined"
    assert [f["rule"] for f in examined.json()["findings"]] == ["collect_without_proofs"]
    read = admin.get(f"/v1/touchpoints/{STORE}/findings").json()
    assert read["findings"][0]["severity"] == "high"
    assert read["findings"][0]["fix"]

    everything = admin.post("/v1/census/examine").json()
    assert {r["touchpoint"]: r["status"] for r in everything}[WEB] == "examined"
    refused = admin.patch(f"/v1/touchpoints/{STORE}", json={"status": "secured"})
    assert_problem(refused, 409, "conflict")


def test_securing_over_http_is_a_named_sign_off(history: History, admin: TestClient) -> None:
    user = signer(history.ctx)
    update_touchpoint(history.ctx, key=STORE, patch=TouchpointPatch(required_proofs=[]))
    admin.post("/v1/census/examine")
    sign = {"by": user, "note": "checked the form and the DOI mail"}
    assert_problem(admin.post(f"/v1/touchpoints/{STORE}/secure", json=sign), 409, "conflict")
    assert_problem(
        admin.post(f"/v1/touchpoints/{WEB}/secure", json={**sign, "by": "nobody"}),
        422,
        "invalid-input",
    )
    done = admin.post(f"/v1/touchpoints/{WEB}/secure", json=sign)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "secured"
    assert done.json()["actor"] == f"user:{user} (dpo)"
    assert admin.get(f"/v1/touchpoints/{WEB}").json()["status"] == "secured"


def test_findings_of_an_unknown_touchpoint_are_a_404_problem(admin: TestClient) -> None:
    assert_problem(admin.get("/v1/touchpoints/nowhere/findings"), 404, "not-found")
    assert_problem(admin.post("/v1/touchpoints/nowhere/examine"), 404, "not-found")


def test_a_touchpoint_key_reads_only_its_own_findings(history: History) -> None:
    with client_for(history.ctx, Scope.REGISTRY_READ, touchpoint=WEB) as bound:
        assert bound.get(f"/v1/touchpoints/{WEB}/findings").status_code == 200
        assert_problem(bound.get(f"/v1/touchpoints/{STORE}/findings"), 403, "forbidden")
        assert_problem(bound.get(f"/v1/subjects/{history.subject_id}/dossier"), 403, "forbidden")


def test_the_dossier_endpoint_returns_a_zip_that_verifies(
    history: History, admin: TestClient
) -> None:
    response = admin.get(f"/v1/subjects/{history.subject_id}/dossier")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    check = verify_dossier(response.content)
    assert check.problems == []
    assert check.events == 3
    assert_problem(admin.get("/v1/subjects/sub_nobody/dossier"), 404, "not-found")


def test_consent_records_in_both_standards(history: History, admin: TestClient) -> None:
    path = f"/v1/subjects/{history.subject_id}/consent-records"
    dpv = admin.get(path).json()
    assert dpv[0]["dct:conformsTo"] == "dpv-27560:record-2"
    kantara = admin.get(path, params={"format": "kantara"}).json()
    assert kantara[0]["version"] == "KI-CR-v1.1.0"
    assert_problem(admin.get(path, params={"format": "xml"}), 422, "validation-error")


def test_reports_over_http(history: History, admin: TestClient) -> None:
    pdf = admin.get("/v1/reports/inspection", params={"from": "2026-11-02", "to": "2026-11-02"})
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    backwards = admin.get(
        "/v1/reports/inspection", params={"from": "2026-11-03", "to": "2026-11-02"}
    )
    assert_problem(backwards, 422, "invalid-input")
    register = admin.get("/v1/reports/register")
    assert register.headers["content-type"].startswith("text/csv")
    assert [r["purpose"] for r in csv.DictReader(io.StringIO(register.text))] == ["newsletter"]
    assert admin.get("/v1/reports/register", params={"format": "pdf"}).content.startswith(b"%PDF")


def test_stamping_the_latest_checkpoint_over_http(history: History) -> None:
    with local_tsa() as tsa:
        settings = history.ctx.settings.model_copy(
            update={"tsa_url": tsa.url, "outbound_allow_hosts": "127.0.0.1"}
        )
        ctx = dataclasses.replace(history.ctx, settings=settings)
        with client_for(ctx) as c:
            stamped = c.post("/v1/ledger/timestamps")
    assert stamped.status_code == 200
    assert stamped.json()["tree_size"] == 4
    with client_for(history.ctx) as c:
        assert_problem(c.post("/v1/ledger/timestamps"), 409, "conflict")


def test_the_reports_come_in_italian_over_http(history: History, admin: TestClient) -> None:
    dossier = admin.get(f"/v1/reports/touchpoints/{STORE}", params={"lang": "it"})
    assert dossier.status_code == 200, dossier.text
    assert dossier.headers["content-type"] == "application/pdf"
    assert "Fascicolo del touchpoint" in pdf_text(dossier.content)
    assert_problem(admin.get("/v1/reports/touchpoints/nowhere"), 404, "not-found")
    register = admin.get("/v1/reports/register", params={"format": "pdf", "lang": "it"})
    assert "Registro delle attività di trattamento" in pdf_text(register.content)
    refused = admin.get("/v1/reports/register", params={"format": "pdf", "lang": "de"})
    assert_problem(refused, 422, "validation-error")
