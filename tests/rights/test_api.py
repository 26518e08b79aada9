"""The Right touchpoint API and public endpoints over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import httpx
from fastapi.testclient import TestClient
from tests.factories.events import ago, email, footprint, make_draft, record

from trustguardian.service.access.users import access_log
from trustguardian.service.context import Context
from trustguardian.service.registry.touchpoints import list_touchpoints

from .helpers import (
    ANNA,
    ANNA_PHONE,
    CENTRE,
    DESK,
    PURPOSE,
    SHARING,
    UNSUB,
    last_code,
    outbox_files,
    person,
    text_part,
)

PROBLEM = "application/problem+json"


def _check(api: TestClient, purpose: str = PURPOSE, channel: str = "email") -> str:
    answer = api.post(
        "/v1/checks",
        json={
            "identifier": {"kind": "email", "value": ANNA},
            "purpose": purpose,
            "channel": channel,
        },
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["reason"])


def _unsubscribe_link(api: TestClient, subject_id: str) -> dict[str, object]:
    made = api.post(
        "/v1/links/unsubscribe",
        json={
            "purpose": PURPOSE,
            "channel": "email",
            "touchpoint": UNSUB,
            "subject_ids": [subject_id],
        },
    )
    assert made.status_code == 201, made.text
    [link] = made.json()["links"]
    return dict(link)


def test_rfc_8058_one_click_post_without_cookies_withdraws(api: TestClient, rctx: Context) -> None:
    anna = person(rctx)
    link = _unsubscribe_link(api, anna.subject_id)
    url = str(link["url"])
    assert link["headers"] == {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    assert _check(api) == "consent_given"
    path = httpx.URL(url).path
    # What a mail provider sends: a bare form POST, no cookie, no key, no JavaScript.
    bare = TestClient(api.app)
    answer = bare.post(
        path,
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 200
    assert "set-cookie" not in answer.headers
    assert _check(api) == "withdrawn"
    events = api.get("/v1/events", params={"subject_id": anna.subject_id}).json()["items"]
    assert events[-1]["kind"] == "consent.withdrawn"
    assert events[-1]["touchpoint"] == UNSUB


def test_a_repeated_one_click_post_answers_200_and_records_one_withdrawal(
    api: TestClient, rctx: Context
) -> None:
    anna = person(rctx)
    path = httpx.URL(str(_unsubscribe_link(api, anna.subject_id)["url"])).path
    bare = TestClient(api.app)
    answers = [bare.post(path, data={"List-Unsubscribe": "One-Click"}) for _ in range(2)]
    assert [a.status_code for a in answers] == [200, 200]
    events = api.get("/v1/events", params={"subject_id": anna.subject_id}).json()["items"]
    withdrawn = [e for e in events if e["kind"] == "consent.withdrawn"]
    assert [e["touchpoint"] for e in withdrawn] == [UNSUB]
    assert _check(api) == "withdrawn"


def test_forged_and_revoked_links_answer_4xx_and_change_nothing(
    api: TestClient, rctx: Context
) -> None:
    anna = person(rctx)
    link = _unsubscribe_link(api, anna.subject_id)
    path = httpx.URL(str(link["url"])).path
    before = footprint(rctx)
    forged = api.post(path[:-3] + "abc", data={"List-Unsubscribe": "One-Click"})
    assert forged.status_code == 403
    assert "text/html" in forged.headers["content-type"]
    assert api.delete(f"/v1/links/{link['token_id']}").status_code == 204
    revoked = api.post(path, data={"List-Unsubscribe": "One-Click"})
    assert revoked.status_code == 410
    assert api.get(path).status_code == 410
    assert footprint(rctx) == before
    assert _check(api) == "consent_given"


def test_the_home_page_shows_anonymous_visitors_the_public_pages_and_no_touchpoint(
    api: TestClient, rctx: Context
) -> None:
    census = list_touchpoints(rctx, limit=500).items
    assert len(census) >= 5
    anonymous = TestClient(api.app)
    for lang in ("it", "en"):
        home = anonymous.get("/", params={"lang": lang})
        assert home.status_code == 200
        assert f'href="/rights?lang={lang}"' in home.text
        assert f'href="/preferences?lang={lang}"' in home.text
        for tp in census:
            assert tp.key not in home.text
            assert tp.name not in home.text
        for page in ("/rights", "/preferences"):
            assert anonymous.get(page, params={"lang": lang}).status_code == 200


def test_a_request_through_the_api_from_intake_to_export(api: TestClient, rctx: Context) -> None:
    person(rctx, phone=ANNA_PHONE)
    made = api.post(
        "/v1/requests",
        json={
            "kind": "access",
            "touchpoint": DESK,
            "channel": "email",
            "identifiers": [{"kind": "email", "value": ANNA}],
            "details": "Copia dei miei dati",
            "received_at": "2026-01-31T10:00:00+01:00",
        },
    )
    assert made.status_code == 201, made.text
    request = made.json()
    assert request["due_on"] == "2026-02-28"
    assert request["status"] == "received"
    rid = request["id"]
    early = api.get(f"/v1/requests/{rid}/export")
    assert early.status_code == 409
    assert early.headers["content-type"] == PROBLEM
    sent = api.post(f"/v1/requests/{rid}/verification")
    assert sent.status_code == 200
    assert sent.json()["method"] == "email"
    wrong = api.post(f"/v1/requests/{rid}/verification/confirm", json={"code": "99999x"})
    assert wrong.status_code == 422
    assert wrong.headers["content-type"] == PROBLEM
    code = last_code(rctx.settings.outbox_dir)
    ok = api.post(f"/v1/requests/{rid}/verification/confirm", json={"code": code})
    assert ok.json()["status"] == "in_progress"
    # Received in January 2026: the month is over, so the deadline can no longer be extended.
    late = api.post(f"/v1/requests/{rid}/extension", json={"reason": "Many requests"})
    assert late.status_code == 409
    assert late.headers["content-type"] == PROBLEM
    with rctx.uow(write=False) as uow:
        assert uow.rights.get(rid).due_on.isoformat() == "2026-02-28"  # type: ignore[union-attr]
    as_json = api.get(f"/v1/requests/{rid}/export").json()
    assert ANNA in {i["value"] for i in as_json["identifiers"]}
    assert api.get(f"/v1/requests/{rid}").status_code == 200
    assert sorted(r.what for r in access_log(rctx)) == ["export (json)", "rights request"]
    as_csv = api.get(f"/v1/requests/{rid}/export", params={"format": "csv"})
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert ANNA in as_csv.text
    overdue = api.get("/v1/requests", params={"overdue": "true"}).json()["items"]
    assert [r["id"] for r in overdue] == [rid]  # received in January 2026: late
    assert overdue[0]["overdue"] is True
    done = api.post(f"/v1/requests/{rid}/fulfilment", json={"outcome": "Sent by e-mail"}).json()
    assert done["request"]["status"] == "fulfilled"
    assert [s["status"] for s in done["request"]["steps"]] == [
        "received",
        "verifying",
        "in_progress",
        "fulfilled",
    ]


def test_bad_request_input_is_problem_json_and_writes_nothing(
    api: TestClient, rctx: Context
) -> None:
    before = footprint(rctx)
    for body in (
        {
            "kind": "access",
            "touchpoint": "web-all",
            "channel": "email",
            "identifiers": [{"kind": "email", "value": ANNA}],
        },
        {
            "kind": "access",
            "touchpoint": DESK,
            "channel": "email",
            "identifiers": [{"kind": "email", "value": "not-an-email"}],
        },
        {"kind": "nonsense", "touchpoint": DESK, "channel": "email"},
        {
            "kind": "access",
            "touchpoint": DESK,
            "channel": "email",
            "identifiers": [{"kind": "email", "value": ANNA}],
            "received_at": "2999-01-01T00:00:00Z",
        },
    ):
        answer = api.post("/v1/requests", json=body)
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"] == PROBLEM
    assert api.get("/v1/requests/req_nope").status_code == 404
    assert footprint(rctx) == before


def test_erasure_through_the_api_leaves_null_values_and_suppression(
    api: TestClient, rctx: Context
) -> None:
    anna = person(rctx)
    erased = api.post(f"/v1/subjects/{anna.subject_id}/erasure", json={"touchpoint": DESK})
    assert erased.status_code == 200, erased.text
    read = api.get(f"/v1/subjects/{anna.subject_id}").json()
    assert read["erased_at"] is not None
    assert all(i["value"] is None for i in read["identifiers"])
    assert ANNA not in api.get(f"/v1/subjects/{anna.subject_id}").text
    assert _check(api) == "suppressed"
    again = api.post(f"/v1/subjects/{anna.subject_id}/erasure", json={"touchpoint": DESK})
    assert again.status_code == 409
    assert again.headers["content-type"] == PROBLEM


def test_complaints_through_the_api(api: TestClient, rctx: Context) -> None:
    anna = person(rctx)
    body = {
        "touchpoint": DESK,
        "channel": "phone",
        "summary": "Chiamata alle 22",
        "subject_id": anna.subject_id,
    }
    made = api.post("/v1/complaints", json=body, headers={"Idempotency-Key": "call-9"})
    assert made.status_code == 201, made.text
    retried = api.post("/v1/complaints", json=body, headers={"Idempotency-Key": "call-9"})
    assert retried.json()["id"] == made.json()["id"]
    cid = made.json()["id"]
    attached = api.post(
        f"/v1/complaints/{cid}/attachments",
        params={"name": "nota.txt"},
        content=b"nota dell'operatore",
        headers={"Content-Type": "text/plain"},
    )
    assert attached.status_code == 201
    assert attached.json()["attachments"][0]["name"] == "nota.txt"
    assert api.get(f"/v1/complaints/{cid}/attachments/0").content == b"nota dell'operatore"
    refused = api.patch(f"/v1/complaints/{cid}", json={"status": "closed"})
    assert refused.status_code == 422
    assert refused.headers["content-type"] == PROBLEM
    closed = api.patch(f"/v1/complaints/{cid}", json={"status": "closed", "outcome": "Apologised"})
    assert closed.json()["status"] == "closed"
    full = api.get(f"/v1/complaints/{cid}").json()
    assert len(full["timeline"]) == 3 + 3  # three consents, opened, attached, closed
    listed = api.get("/v1/complaints", params={"subject_id": anna.subject_id}).json()["items"]
    assert [c["id"] for c in listed] == [cid]
    # reading the case (the person's words, their timeline) is itself logged
    assert [(r.what, r.subject_id) for r in access_log(rctx)] == [("complaint", anna.subject_id)]


def test_preference_centre_pages_change_one_thing_per_post(api: TestClient, rctx: Context) -> None:
    anna = person(rctx)
    link = api.post(
        "/v1/links/preferences", json={"subject_id": anna.subject_id, "touchpoint": CENTRE}
    )
    assert link.status_code == 201
    path = httpx.URL(link.json()["url"]).path
    page = api.get(path, params={"lang": "en"})
    assert page.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"
    assert page.status_code == 200
    assert "Your privacy preferences" in page.text
    assert "Le sue preferenze" in api.get(path, headers={"Accept-Language": "it-IT,it;q=0.9"}).text
    changed = api.post(
        path,
        data={"purpose": PURPOSE, "channel": "sms", "action": "withdraw", "lang": "en"},
        follow_redirects=False,
    )
    assert changed.status_code == 303
    assert _check(api, channel="sms") == "withdrawn"
    assert _check(api) == "consent_given"


def test_sec_gpc_on_the_preference_page_objects_to_sale_and_sharing(
    api: TestClient, rctx: Context
) -> None:
    anna = person(rctx)
    flagged = api.put(f"/v1/purposes/{SHARING}/sale-sharing", json={"sale_sharing": True})
    assert flagged.status_code == 200
    link = api.post(
        "/v1/links/preferences", json={"subject_id": anna.subject_id, "touchpoint": CENTRE}
    )
    path = httpx.URL(link.json()["url"]).path
    page = api.get(path, params={"lang": "en"}, headers={"Sec-GPC": "1"})
    assert page.status_code == 200
    assert "Global Privacy Control" in page.text
    assert _check(api, SHARING) == "withdrawn"
    assert _check(api, PURPOSE) == "consent_given"
    events = api.get("/v1/events", params={"subject_id": anna.subject_id}).json()["items"]
    last = events[-1]
    assert (
        last["kind"],
        last["purpose"]["key"] if isinstance(last["purpose"], dict) else last["purpose"],
    ) == ("consent.withdrawn", SHARING)
    proof = api.get(f"/v1/events/{last['id']}/proofs/0")
    assert proof.status_code == 200, proof.text
    assert proof.json()["content"]["signal"] == "Sec-GPC: 1"
    # A second visit records nothing new.
    api.get(path, headers={"Sec-GPC": "1"})
    assert len(
        api.get("/v1/events", params={"subject_id": anna.subject_id}).json()["items"]
    ) == len(events)


def test_sec_gpc_on_every_view_writes_nothing_once_the_objection_holds(
    api: TestClient, rctx: Context
) -> None:
    # A consent dated a little ahead (within the allowed clock skew) must not outlive the
    # objection: otherwise each view records one more withdrawal that changes nothing.
    ahead = make_draft(
        touchpoint="web-all",
        identifiers=(email(ANNA),),
        purpose=SHARING,
        occurred_at=ago(minutes=-2),
    )
    [given] = record(rctx, ahead)
    api.put(f"/v1/purposes/{SHARING}/sale-sharing", json={"sale_sharing": True})
    link = api.post(
        "/v1/links/preferences", json={"subject_id": given.subject_id, "touchpoint": CENTRE}
    )
    path = httpx.URL(link.json()["url"]).path
    assert api.get(path, headers={"Sec-GPC": "1"}).status_code == 200
    assert _check(api, SHARING) == "withdrawn"
    once = footprint(rctx)
    for _ in range(3):
        assert api.get(path, headers={"Sec-GPC": "1"}).status_code == 200
    assert footprint(rctx) == once


def _form_token(html: str) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def test_preference_centre_reached_by_an_emailed_link(api: TestClient, rctx: Context) -> None:
    person(rctx)
    outbox = rctx.settings.outbox_dir
    form = api.get("/preferences", params={"lang": "en"})
    token = _form_token(form.text)
    sent = api.post("/preferences", data={"form_token": token, "email": ANNA, "lang": "en"})
    assert sent.status_code == 200
    assert "we sent it a link" in sent.text
    [mail] = outbox_files(outbox)
    body = text_part(mail.read_bytes()).decode()
    path = re.search(r"/p/[A-Za-z0-9_.-]+", body).group(0)  # type: ignore[union-attr]
    assert "Your privacy preferences" in api.get(path, params={"lang": "en"}).text
    replay = api.post("/preferences", data={"form_token": token, "email": ANNA})
    assert replay.status_code == 400
    unknown = api.post(
        "/preferences",
        data={
            "form_token": _form_token(api.get("/preferences").text),
            "email": "nobody@example.com",
        },
    )
    assert unknown.status_code == 200
    assert len(outbox_files(outbox)) == 1


def test_a_retried_request_intake_returns_the_first_and_writes_nothing(
    api: TestClient, rctx: Context
) -> None:
    body = {
        "kind": "erasure",
        "touchpoint": DESK,
        "channel": "email",
        "identifiers": [{"kind": "email", "value": ANNA}],
    }
    first = api.post("/v1/requests", json=body, headers={"Idempotency-Key": "mail-4711"})
    assert first.status_code == 201
    before = footprint(rctx)
    again = api.post("/v1/requests", json=body, headers={"Idempotency-Key": "mail-4711"})
    assert again.json()["id"] == first.json()["id"]
    assert footprint(rctx) == before
    other = api.post(
        "/v1/requests", json={**body, "kind": "access"}, headers={"Idempotency-Key": "mail-4711"}
    )
    assert other.status_code == 409
    assert other.headers["content-type"] == PROBLEM
