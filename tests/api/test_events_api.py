"""Privacy events, ledger proofs and a subject's consents over HTTP."""

from __future__ import annotations

import base64
import json
from datetime import UTC, timedelta, timezone
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.factories.api import assert_problem, event_body
from tests.factories.events import (
    ENGAGE_TP,
    LUIGI,
    MARIO,
    TP,
    ago,
    footprint,
    setup_registry,
    utcnow,
)

from trustguardian.domain.access import Scope
from trustguardian.domain.events import timestamp
from trustguardian.ledger import (
    Verifier,
    leaf_hash,
    parse_checkpoint,
    verify_consistency,
    verify_inclusion,
)
from trustguardian.service.access.api_keys import create_api_key
from trustguardian.service.context import Context
from trustguardian.service.events.subjects import shred_subject
from trustguardian.service.verify.full import verify_ledger

Json = dict[str, Any]


@pytest.fixture
def registry(sqlite_ctx: Context) -> Context:
    setup_registry(sqlite_ctx)
    return sqlite_ctx


def withdrawal(who: str = MARIO, **changes: Any) -> Json:
    return event_body("consent.withdrawn", who, touchpoint=ENGAGE_TP, **changes)


def post(client: TestClient, body: Json, **headers: str) -> Json:
    response = client.post("/v1/events", json=body, headers=headers)
    assert response.status_code == 201, response.text
    created: Json = response.json()
    return created


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def b64(text: str) -> bytes:
    return base64.b64decode(text)


# --- recording and idempotency --------------------------------------------------------------


def test_an_event_is_created_and_read_back(client: TestClient, registry: Context) -> None:
    base = footprint(registry)["ledger_size"]  # the registry's own leaves come first
    created = post(client, event_body(identifiers=[{"kind": "email", "value": "Mario.Rossi@X.it"}]))
    assert created["seq"] == base
    assert created["subject_id"].startswith("sub_")
    assert created["channels"] == ["email", "sms"]
    assert (created["notice"], created["notice_version"]) == ("privacy-it", 1)
    assert "mario" not in json.dumps(created).lower()
    assert client.get(f"/v1/events/{created['id']}").json() == created


def test_a_retry_with_the_same_idempotency_key_is_200_and_replayed(
    client: TestClient, registry: Context
) -> None:
    body = event_body()
    first = client.post("/v1/events", json=body, headers={"Idempotency-Key": "form-77"})
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    before = footprint(registry)
    again = client.post("/v1/events", json=body, headers={"Idempotency-Key": "form-77"})
    assert again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert footprint(registry) == before


def test_an_idempotency_key_reused_for_other_content_is_409(
    client: TestClient, registry: Context
) -> None:
    post(client, event_body(), **{"Idempotency-Key": "form-77"})
    before = footprint(registry)
    assert_problem(
        client.post(
            "/v1/events",
            json=event_body(channel="sms"),
            headers={"Idempotency-Key": "form-77"},
        ),
        409,
        "idempotency-key-reused",
    )
    assert footprint(registry) == before


def test_a_batch_is_recorded_with_its_checkpoint(client: TestClient, registry: Context) -> None:
    response = client.post(
        "/v1/events/batch",
        json={"events": [event_body(occurred_at=ago(days=1).isoformat()), withdrawal()]},
    )
    assert response.status_code == 201, response.text
    batch = response.json()
    base = batch["events"][0]["seq"]
    assert [e["seq"] for e in batch["events"]] == [base, base + 1]
    assert batch["checkpoint"]["tree_size"] == base + 2
    subject = batch["events"][0]["subject_id"]
    consents = client.get(f"/v1/subjects/{subject}/consents").json()
    assert {(c["channel"], c["status"]) for c in consents} == {
        ("email", "withdrawn"),
        ("sms", "withdrawn"),
    }


def test_a_batch_with_one_bad_event_records_none(client: TestClient, registry: Context) -> None:
    before = footprint(registry)
    problem = assert_problem(
        client.post(
            "/v1/events/batch",
            json={"events": [event_body(), event_body(purpose="ghost", who=LUIGI), withdrawal()]},
        ),
        422,
        "invalid-input",
    )
    assert [e["loc"] for e in problem["errors"]] == ["events.1.purpose"]
    assert footprint(registry) == before


def test_a_batch_retried_with_its_idempotency_key_returns_the_same_ids(
    client: TestClient, registry: Context
) -> None:
    batch = {"events": [event_body(occurred_at=ago(days=1).isoformat()), event_body(who=LUIGI)]}
    first = client.post("/v1/events/batch", json=batch, headers={"Idempotency-Key": "upload-1"})
    assert first.status_code == 201
    before = footprint(registry)
    again = client.post("/v1/events/batch", json=batch, headers={"Idempotency-Key": "upload-1"})
    assert again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert [e["id"] for e in again.json()["events"]] == [e["id"] for e in first.json()["events"]]
    assert footprint(registry) == before
    other = {"events": [withdrawal()]}
    assert_problem(
        client.post("/v1/events/batch", json=other, headers={"Idempotency-Key": "upload-1"}),
        409,
        "idempotency-key-reused",
    )
    assert footprint(registry) == before


BAD_BODIES: dict[str, tuple[Json, int, str]] = {
    "unknown kind": (event_body(kind="consent.maybe"), 422, "validation-error"),
    "naive occurred_at": (event_body(occurred_at="2024-05-01T10:00:00"), 422, "validation-error"),
    "unknown field": (event_body(surprise=True), 422, "validation-error"),
    "unknown proof type": (event_body(proofs=[{"type": "vibes"}]), 422, "validation-error"),
    "network proof with a bad ip": (
        event_body(proofs=[{"type": "network", "ip": "999.1.1.1", "user_agent": "x"}]),
        422,
        "validation-error",
    ),
    "malformed e-mail": (
        event_body(identifiers=[{"kind": "email", "value": "not-an-email"}]),
        422,
        "invalid-input",
    ),
    "engage touchpoint giving consent": (event_body(touchpoint=ENGAGE_TP), 422, "invalid-input"),
    "future occurred_at": (
        event_body(occurred_at=(utcnow() + timedelta(hours=1)).isoformat()),
        422,
        "invalid-input",
    ),
    "notice_shown with the wrong hash": (
        event_body(
            proofs=[{"type": "notice_shown", "key": "privacy-it", "version": 1, "sha256": "0" * 64}]
        ),
        422,
        "invalid-input",
    ),
}


def test_each_bad_event_is_a_problem_and_writes_nothing(
    client: TestClient, registry: Context
) -> None:
    before = footprint(registry)
    answers = {
        case: (response.status_code, response.json().get("type"))
        for case, (body, _, _) in BAD_BODIES.items()
        for response in [client.post("/v1/events", json=body)]
    }
    expected = {
        case: (status, f"/problems/{code}") for case, (_, status, code) in BAD_BODIES.items()
    }
    assert answers == expected
    assert footprint(registry) == before


@pytest.mark.parametrize("content", ["%%%", "aGVsbG8=!!"])
def test_malformed_base64_evidence_is_refused_and_writes_nothing(
    client: TestClient, registry: Context, content: str
) -> None:
    """Characters outside the base64 alphabet must not be dropped silently: the file recorded
    would not be the file sent (and "%%%" would record an empty form snapshot as evidence)."""
    proof = {"type": "form_snapshot", "media_type": "text/html", "content_base64": content}
    before = footprint(registry)
    assert_problem(
        client.post("/v1/events", json=event_body(proofs=[proof])), 422, "validation-error"
    )
    assert footprint(registry) == before


def test_evidence_over_ten_megabytes_is_413_and_writes_nothing(
    client: TestClient, registry: Context
) -> None:
    page = base64.b64encode(b"x" * (10 * 1024 * 1024 + 1)).decode()
    proof = {"type": "form_snapshot", "media_type": "text/html", "content_base64": page}
    before = footprint(registry)
    response = client.post("/v1/events", json=event_body(proofs=[proof]))
    assert response.status_code == 413, response.text[:500]
    assert response.json()["type"] in (
        "/problems/evidence-too-large",
        "/problems/payload-too-large",
    )
    assert response.headers["content-type"].startswith("application/problem+json")
    assert footprint(registry) == before


def test_an_occurred_at_with_an_offset_is_the_same_instant_in_the_leaf(
    client: TestClient, registry: Context
) -> None:
    moment = ago(days=1).astimezone(timezone(timedelta(hours=2)))
    created = post(client, event_body(occurred_at=moment.isoformat()))
    proof = client.get(f"/v1/events/{created['id']}/proof").json()
    assert json.loads(b64(proof["leaf"]))["occurred_at"] == timestamp(moment.astimezone(UTC))
    assert verify_ledger(registry).problems == []


# --- ledger proofs ---------------------------------------------------------------------------


def test_an_inclusion_proof_verifies_against_the_signed_checkpoint(
    client: TestClient, registry: Context
) -> None:
    response = client.post(
        "/v1/events/batch",
        json={"events": [event_body(who=f"p{n}@example.com") for n in range(5)]},
    )
    assert response.status_code == 201, response.text
    target = response.json()["events"][3]
    at, size = target["seq"], target["seq"] + 2  # the fourth of five, after the registry's leaves
    proof = client.get(f"/v1/events/{target['id']}/proof").json()
    assert set(proof) >= {
        "leaf_index",
        "tree_size",
        "leaf",
        "leaf_hash",
        "inclusion_path",
        "checkpoint",
    }
    keys = client.get("/v1/ledger/public-key").json()
    checkpoint = parse_checkpoint(proof["checkpoint"], Verifier.parse(keys["verifier_key"]))
    assert checkpoint.origin == keys["origin"]
    assert checkpoint.size == proof["tree_size"] == size
    leaf = b64(proof["leaf"])
    assert json.loads(leaf)["id"] == target["id"]
    assert b64(proof["leaf_hash"]) == leaf_hash(leaf) == b64(target["leaf_hash"])
    path = [b64(h) for h in proof["inclusion_path"]]
    assert proof["leaf_index"] == at
    assert verify_inclusion(leaf_hash(leaf), at, size, path, checkpoint.root_hash)
    tampered = leaf.replace(b'"kind":"consent.given"', b'"kind":"consent.refused"')
    assert tampered != leaf
    assert not verify_inclusion(leaf_hash(tampered), at, size, path, checkpoint.root_hash)
    assert not verify_inclusion(leaf_hash(leaf), at - 1, size, path, checkpoint.root_hash)


def test_checkpoints_are_consistent_over_time(client: TestClient, registry: Context) -> None:
    keys = client.get("/v1/ledger/public-key").json()
    verifier = Verifier.parse(keys["verifier_key"])
    # The registry's own leaves are signed for from the first registry change on.
    b = client.get("/v1/ledger/checkpoint").json()["tree_size"]
    assert b == footprint(registry)["ledger_size"] > 0
    post(client, event_body())
    old = client.get("/v1/ledger/checkpoint").json()
    old_cp = parse_checkpoint(old["note"], verifier)
    assert old_cp.size == old["tree_size"] == b + 1
    assert b64(old["root_hash"]) == old_cp.root_hash
    for n in range(4):
        post(client, event_body(who=f"p{n}@example.com"))
    new_cp = parse_checkpoint(client.get("/v1/ledger/checkpoint").json()["note"], verifier)
    assert new_cp.size == b + 5

    proof = client.get("/v1/ledger/consistency", params={"from": b + 1, "to": b + 5}).json()
    hashes = [b64(h) for h in proof["proof"]]
    assert verify_consistency(b + 1, b + 5, old_cp.root_hash, new_cp.root_hash, hashes)
    assert b64(proof["root1"]) == old_cp.root_hash
    assert b64(proof["root2"]) == new_cp.root_hash
    assert not verify_consistency(b + 1, b + 5, new_cp.root_hash, new_cp.root_hash, hashes)

    middle = client.get("/v1/ledger/consistency", params={"from": b + 3, "to": b + 5}).json()
    assert verify_consistency(
        b + 3, b + 5, b64(middle["root1"]), new_cp.root_hash, [b64(h) for h in middle["proof"]]
    )
    assert_problem(
        client.get("/v1/ledger/consistency", params={"from": b + 5, "to": b + 9}),
        422,
        "invalid-input",
    )
    assert_problem(
        client.get("/v1/ledger/consistency", params={"from": 4, "to": 2}), 422, "invalid-input"
    )
    assert_problem(
        client.get("/v1/ledger/consistency", params={"from": 0, "to": 2}), 422, "validation-error"
    )


def test_unknown_events_and_subjects_are_404(client: TestClient, registry: Context) -> None:
    ghost = "evt_" + "0" * 32
    assert_problem(client.get(f"/v1/events/{ghost}"), 404, "not-found")
    assert_problem(client.get(f"/v1/events/{ghost}/proof"), 404, "not-found")
    nobody = "sub_" + "0" * 32
    assert_problem(client.get(f"/v1/subjects/{nobody}/consents"), 404, "not-found")
    assert_problem(client.get(f"/v1/subjects/{nobody}/timeline"), 404, "not-found")


# --- subjects ------------------------------------------------------------------------------


def test_consents_and_timeline_of_a_subject(client: TestClient, registry: Context) -> None:
    withdrawn = post(client, withdrawal(occurred_at=ago(days=1).isoformat()))
    paper = post(client, event_body(occurred_at=ago(days=7).isoformat()))
    subject = withdrawn["subject_id"]
    assert paper["subject_id"] == subject
    consents = client.get(f"/v1/subjects/{subject}/consents").json()
    assert [(c["channel"], c["status"], c["event_id"]) for c in consents] == [
        ("email", "withdrawn", withdrawn["id"]),
        ("sms", "withdrawn", withdrawn["id"]),
    ]
    earlier = client.get(
        f"/v1/subjects/{subject}/consents", params={"at": ago(days=3).isoformat()}
    ).json()
    assert {c["status"] for c in earlier} == {"withdrawn"}
    timeline = client.get(f"/v1/subjects/{subject}/timeline").json()
    assert [e["id"] for e in timeline] == [paper["id"], withdrawn["id"]]


def test_an_erased_subject_reads_null_and_cannot_be_recorded_again(
    client: TestClient, registry: Context
) -> None:
    created = post(client, event_body(occurred_at=ago(days=2).isoformat()))
    subject = created["subject_id"]
    assert client.get(f"/v1/subjects/{subject}").json()["identifiers"][0]["value"] == MARIO
    with registry.uow() as uow:
        shred_subject(registry, subject_id=subject, uow=uow)
        uow.commit()
    read = client.get(f"/v1/subjects/{subject}").json()
    assert read["erased_at"] is not None
    assert read["identifiers"] == [{"kind": "email", "system": None, "value": None}]
    before = footprint(registry)
    shouting = [{"kind": "email", "value": MARIO.upper()}]
    assert_problem(
        client.post("/v1/events", json=event_body(identifiers=shouting)), 409, "conflict"
    )
    assert footprint(registry) == before
    assert verify_ledger(registry).ok


# --- auth and listing ----------------------------------------------------------------------


def test_recording_needs_the_events_write_scope(client: TestClient, registry: Context) -> None:
    _, reader = create_api_key(registry, name="reader", scopes=[Scope.REGISTRY_READ])
    _, writer = create_api_key(registry, name="writer", scopes=[Scope.EVENTS_WRITE])
    before = footprint(registry)
    assert_problem(
        client.post("/v1/events", json=event_body(), headers=bearer(reader)), 403, "forbidden"
    )
    assert_problem(
        client.post("/v1/events/batch", json={"events": [event_body()]}, headers=bearer(reader)),
        403,
        "forbidden",
    )
    assert_problem(
        client.post("/v1/events", json=event_body(), headers={"Authorization": ""}),
        401,
        "unauthorized",
    )
    assert footprint(registry) == before
    created = client.post("/v1/events", json=event_body(), headers=bearer(writer))
    assert created.status_code == 201
    assert_problem(client.get("/v1/events", headers=bearer(writer)), 403, "forbidden")
    assert_problem(
        client.get(f"/v1/events/{created.json()['id']}/proof", headers=bearer(writer)),
        403,
        "forbidden",
    )


def test_a_touchpoint_key_records_only_for_its_touchpoint(
    client: TestClient, registry: Context
) -> None:
    _, bound = create_api_key(
        registry, name="web form", scopes=[Scope.EVENTS_WRITE], touchpoint_key=TP
    )
    as_form = bearer(bound)
    before = footprint(registry)
    assert_problem(client.post("/v1/events", json=withdrawal(), headers=as_form), 403, "forbidden")
    assert_problem(
        client.post(
            "/v1/events/batch", json={"events": [event_body(), withdrawal()]}, headers=as_form
        ),
        403,
        "forbidden",
    )
    assert footprint(registry) == before
    own = client.post("/v1/events", json=event_body(), headers=as_form)
    assert own.status_code == 201
    assert own.json()["touchpoint"] == TP


def test_events_are_listed_in_ledger_order_a_page_at_a_time_with_filters(
    client: TestClient, registry: Context
) -> None:
    bodies = [
        event_body(occurred_at=ago(days=5).isoformat()),
        event_body(who=LUIGI, occurred_at=ago(days=4).isoformat()),
        withdrawal(occurred_at=ago(days=3).isoformat()),
        event_body(who="anna@example.com", occurred_at=ago(days=2).isoformat()),
        withdrawal(who=LUIGI, occurred_at=ago(days=1).isoformat()),
    ]
    created = client.post("/v1/events/batch", json={"events": bodies}).json()["events"]
    ids = [e["id"] for e in created]

    seen: list[str] = []
    params: dict[str, Any] = {"limit": 2}
    pages = 0
    while True:
        page = client.get("/v1/events", params=params).json()
        pages += 1
        assert len(page["items"]) <= 2
        seen += [e["id"] for e in page["items"]]
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert seen == ids
    assert pages == 3

    def listed(**query: Any) -> list[str]:
        return [e["id"] for e in client.get("/v1/events", params=query).json()["items"]]

    assert listed(kind="consent.withdrawn") == [ids[2], ids[4]]
    assert listed(subject_id=created[1]["subject_id"]) == [ids[1], ids[4]]
    assert listed(touchpoint=ENGAGE_TP) == [ids[2], ids[4]]
    assert listed(kind="consent.given", subject_id=created[0]["subject_id"]) == [ids[0]]
    window = {"from": ago(days=4, hours=1).isoformat(), "to": ago(days=1, hours=1).isoformat()}
    assert listed(**window) == [ids[1], ids[2], ids[3]]
    first_page = client.get("/v1/events", params={"kind": "consent.withdrawn", "limit": 1}).json()
    second = client.get(
        "/v1/events",
        params={"kind": "consent.withdrawn", "limit": 1, "cursor": first_page["next_cursor"]},
    ).json()
    assert [e["id"] for e in second["items"]] == [ids[4]]
    assert_problem(client.get("/v1/events", params={"cursor": "garbage!"}), 422, "invalid-input")
    assert_problem(client.get("/v1/events", params={"kind": "nope"}), 422, "validation-error")


def test_a_touchpoint_cannot_correct_away_another_touchpoints_withdrawal(
    client: TestClient, registry: Context
) -> None:
    post(client, event_body(occurred_at=ago(days=3).isoformat()))
    withdrawn = post(client, withdrawal(occurred_at=ago(days=2).isoformat()))
    _, bound = create_api_key(
        registry, name="web form", scopes=[Scope.EVENTS_WRITE], touchpoint_key=TP
    )
    before = footprint(registry)
    for kind in ("notice.acknowledged", "consent.given"):
        answer = client.post(
            "/v1/events",
            json=event_body(kind, corrects=withdrawn["id"], occurred_at=ago(days=1).isoformat()),
            headers=bearer(bound),
        )
        # Beyond the key's reach, a correction is forbidden (as it is of an unknown event).
        body = assert_problem(answer, 403, "forbidden")
        assert "only the events of touchpoint" in body["detail"]
    assert footprint(registry) == before
    consents = client.get(f"/v1/subjects/{withdrawn['subject_id']}/consents").json()
    assert {c["status"] for c in consents} == {"withdrawn"}
