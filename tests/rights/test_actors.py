"""The actor of an act through the API comes from the key, never from the body."""

from __future__ import annotations

from fastapi.testclient import TestClient

from trustguardian.domain.access import Scope
from trustguardian.service.access.api_keys import create_api_key
from trustguardian.service.context import Context

from .helpers import ANNA, DESK, person

FORGED = "console:dpo"


def test_a_body_naming_a_console_user_is_recorded_as_the_keys_claim(
    api: TestClient, rctx: Context
) -> None:
    anna = person(rctx)
    key, token = create_api_key(rctx, name="desk app", scopes=[Scope.RIGHTS_WRITE])
    desk = TestClient(api.app, headers={"Authorization": f"Bearer {token}"})
    made = desk.post(
        "/v1/requests",
        json={
            "kind": "objection",
            "touchpoint": DESK,
            "channel": "email",
            "identifiers": [{"kind": "email", "value": ANNA}],
            "actor": FORGED,
        },
    )
    assert made.status_code == 201, made.text
    rid = made.json()["id"]
    moved = desk.post(f"/v1/requests/{rid}/status", json={"status": "in_progress", "actor": FORGED})
    assert moved.status_code == 200, moved.text
    opened = desk.post(
        "/v1/complaints",
        json={
            "touchpoint": DESK,
            "channel": "phone",
            "summary": "Chiamata alle 22",
            "subject_id": anna.subject_id,
            "actor": FORGED,
        },
    )
    assert opened.status_code == 201, opened.text
    steps = [*moved.json()["steps"], *opened.json()["steps"]]
    claimed = f'api-key:{key.id} (desk app) for "{FORGED}"'
    assert [s["actor"] for s in steps] == [claimed] * 3
    # Without a name in the body, the key alone is the actor.
    sent = desk.post(f"/v1/requests/{rid}/extension", json={"reason": "Many archives"})
    assert sent.json()["steps"][-1]["actor"] == f"api-key:{key.id} (desk app)"
