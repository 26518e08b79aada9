"""Corrections across touchpoints: only an admin key (or the operator at the command line) may
correct another touchpoint's event, only with a reason, which the leaf records with their name;
and no correction, whoever makes it, turns a withdrawal back into consent. SQLite and PostgreSQL.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from tests.factories.api import assert_problem, event_body
from tests.factories.cli import instance_env, tg
from tests.factories.events import ENGAGE_TP, STORE_TP, TP, ago, footprint, setup_registry

from trustguardian.asgi import create_app
from trustguardian.domain.access import Scope
from trustguardian.service.access.api_keys import create_api_key
from trustguardian.service.context import Context
from trustguardian.service.verify.full import verify_ledger

REASON = "the web form recorded this sign-up for the wrong campaign list (ticket OPS-118)"


def _clients(ctx: Context) -> tuple[TestClient, TestClient, str]:
    """An admin client, a client whose key is bound to the newsletter footer, the admin key id."""
    setup_registry(ctx)
    admin_key, admin = create_api_key(ctx, name="dpo", scopes=[Scope.ADMIN])
    _, footer = create_api_key(
        ctx, name="footer", scopes=[Scope.EVENTS_WRITE], touchpoint_key=ENGAGE_TP
    )
    app = create_app(ctx)
    return (
        TestClient(app, headers={"Authorization": f"Bearer {admin}"}),
        TestClient(app, headers={"Authorization": f"Bearer {footer}"}),
        admin_key.id,
    )


def _post(client: TestClient, body: dict[str, Any]) -> dict[str, Any]:
    answer = client.post("/v1/events", json=body)
    assert answer.status_code == 201, answer.text
    found: dict[str, Any] = answer.json()
    return found


def _leaf(client: TestClient, event_id: str) -> dict[str, Any]:
    proof = client.get(f"/v1/events/{event_id}/proof").json()
    found: dict[str, Any] = json.loads(base64.b64decode(proof["leaf"]))
    return found


def test_an_admin_corrects_another_touchpoints_consent_only_with_a_reason(ctx: Context) -> None:
    admin, footer, admin_id = _clients(ctx)
    given = _post(admin, event_body(occurred_at=ago(days=2).isoformat()))
    assert given["touchpoint"] == TP
    correction = event_body(
        "consent.withdrawn",
        touchpoint=ENGAGE_TP,
        corrects=given["id"],
        occurred_at=ago(days=1).isoformat(),
    )

    before = footprint(ctx)
    # The footer's own key may not correct the web form's event, reason or not (403, as for
    # an event that does not exist).
    for body in (correction, {**correction, "correction_reason": REASON}):
        refused = assert_problem(footer.post("/v1/events", json=body), 403, "forbidden")
        assert "only the events of touchpoint" in refused["detail"]
    # An admin key may, but not without saying why.
    refused = assert_problem(admin.post("/v1/events", json=correction), 422, "invalid-input")
    assert [e["loc"] for e in refused["errors"]] == ["events.0.correction_reason"]
    assert footprint(ctx) == before

    made = _post(admin, {**correction, "correction_reason": REASON})
    assert made["correction"]["reason"] == REASON
    assert made["correction"]["by"].startswith(f"api-key:{admin_id} (dpo)")
    leaf = _leaf(admin, made["id"])
    assert leaf["correction"] == {"by": made["correction"]["by"], "reason": REASON}
    assert leaf["corrects"] == given["id"]
    consents = admin.get(f"/v1/subjects/{given['subject_id']}/consents").json()
    assert {c["status"] for c in consents} == {"withdrawn"}
    report = verify_ledger(ctx, evidence=False)
    assert report.ok, report.problems
    assert report.links == 1


def test_no_admin_reason_turns_a_withdrawal_back_into_consent(ctx: Context) -> None:
    admin, _, _ = _clients(ctx)
    _post(admin, event_body(occurred_at=ago(days=3).isoformat()))
    withdrawn = _post(
        admin,
        event_body("consent.withdrawn", touchpoint=ENGAGE_TP, occurred_at=ago(days=2).isoformat()),
    )
    before = footprint(ctx)
    for kind, touchpoint in (("consent.given", TP), ("consent.given", STORE_TP)):
        body = event_body(
            kind,
            touchpoint=touchpoint,
            corrects=withdrawn["id"],
            correction_reason="the person called to say the unsubscribe was a mistake",
            occurred_at=ago(days=1).isoformat(),
        )
        refused = assert_problem(admin.post("/v1/events", json=body), 422, "invalid-input")
        assert "superseded only by a later, dated consent" in refused["errors"][0]["msg"]
    assert footprint(ctx) == before
    consents = admin.get(f"/v1/subjects/{withdrawn['subject_id']}/consents").json()
    assert {c["status"] for c in consents} == {"withdrawn"}


def test_a_reason_without_a_correction_is_refused(ctx: Context) -> None:
    admin, _, _ = _clients(ctx)
    body = event_body(correction_reason=REASON)
    refused = assert_problem(admin.post("/v1/events", json=body), 422, "invalid-input")
    assert [e["loc"] for e in refused["errors"]] == ["events.0.correction_reason"]


def test_the_command_line_corrects_across_touchpoints_with_a_reason_under_its_user(
    ctx: Context, tmp_path: Path
) -> None:
    admin, _, _ = _clients(ctx)
    given = _post(admin, event_body(occurred_at=ago(days=2).isoformat()))
    line: dict[str, Any] = event_body(
        "consent.withdrawn",
        touchpoint=ENGAGE_TP,
        corrects=given["id"],
        occurred_at=ago(days=1).isoformat(),
    )
    env = {**os.environ, **instance_env(ctx, tmp_path)}
    bare = tmp_path / "bare.jsonl"
    bare.write_text(json.dumps(line) + "\n")
    refused = tg("events", "import", str(bare), env=env)
    assert refused.returncode != 0
    assert "correction_reason" in refused.stderr + refused.stdout
    assert "Traceback" not in refused.stderr
    reasoned = tmp_path / "reasoned.jsonl"
    reasoned.write_text(json.dumps({**line, "correction_reason": REASON}) + "\n")
    done = tg("events", "import", str(reasoned), env=env)
    assert done.returncode == 0, done.stderr
    [made] = admin.get("/v1/events", params={"kind": "consent.withdrawn"}).json()["items"]
    assert made["correction"]["by"].startswith("cli:")
    assert made["correction"]["reason"] == REASON
    assert verify_ledger(ctx, evidence=False).ok
