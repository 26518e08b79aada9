"""A company system gets keys of its own (`keys create --system`, `system` in POST /v1/keys):
what it records is attributed to it and never echoed back to its webhooks, while the other
systems get it. An unknown system is refused and writes nothing. SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.factories.api import assert_problem, event_body
from tests.factories.events import ENGAGE_TP
from tests.sync.conftest import MakeSyncCtx
from tests.sync.helpers import Receivers, cli_env, run_cli

from trustguardian.asgi import create_app
from trustguardian.domain.access import Scope
from trustguardian.domain.sync import SystemKind
from trustguardian.service.access.api_keys import create_api_key
from trustguardian.service.context import Context
from trustguardian.service.sync.systems import create_system, create_webhook
from trustguardian.store import tables as t
from trustguardian.sync.dispatcher import Dispatcher


def _keys(ctx: Context) -> int:
    with ctx.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.api_keys)).scalar_one())


def _sources(ctx: Context) -> dict[str, str | None]:
    query = select(t.outbox.c.event_id, t.outbox.c.source_system)
    with ctx.engine.connect() as conn:
        return {r.event_id: r.source_system for r in conn.execute(query)}


def test_system_keys_from_the_api_and_the_cli_are_never_echoed(
    backend: str, make_sync_ctx: MakeSyncCtx, receivers: Receivers
) -> None:
    ctx = make_sync_ctx(backend)
    receiver = receivers()
    for key in ("esp", "crm"):
        create_system(ctx, key=key, name=key.upper(), kind=SystemKind.OTHER)
        create_webhook(ctx, system_key=key, url=receiver.url(f"/{key}"))
    code, out = run_cli(
        cli_env(ctx),
        "keys", "create", "--system", "crm", "--scope", "events:write", "--name", "crm", "--json",
    )  # fmt: skip
    assert code == 0, out
    from_cli = orjson.loads(out)
    assert from_cli["system"] == "crm"
    code, out = run_cli(
        cli_env(ctx), "keys", "create", "--system", "nope", "--scope", "events:write"
    )
    assert code != 0
    code, out = run_cli(cli_env(ctx), "keys", "list", "--json")
    assert [k["system"] for k in orjson.loads(out)] == ["crm"]

    _, admin = create_api_key(ctx, name="admin", scopes=[Scope.ADMIN])
    with TestClient(create_app(ctx)) as api:

        def post(token: str, path: str, body: dict[str, Any]) -> httpx.Response:
            return api.post(path, json=body, headers={"Authorization": f"Bearer {token}"})

        created = post(
            admin, "/v1/keys", {"name": "esp", "scopes": ["events:write"], "system": "esp"}
        )
        assert created.status_code == 201, created.text
        assert created.json()["system"] == "esp"
        before = _keys(ctx)
        refused = post(
            admin, "/v1/keys", {"name": "x", "scopes": ["events:write"], "system": "nope"}
        )
        assert_problem(refused, 422, "invalid-input")
        assert _keys(ctx) == before
        listed = api.get("/v1/keys", headers={"Authorization": f"Bearer {admin}"}).json()
        assert {k["name"]: k["system"] for k in listed} == {
            "crm": "crm",
            "esp": "esp",
            "admin": None,
        }

        withdrawal = event_body("consent.withdrawn", touchpoint=ENGAGE_TP)
        from_esp = post(created.json()["token"], "/v1/events", withdrawal)
        from_crm = post(from_cli["token"], "/v1/events", event_body("consent.given"))
        assert from_esp.status_code == from_crm.status_code == 201, (from_esp.text, from_crm.text)
    esp_event, crm_event = from_esp.json()["id"], from_crm.json()["id"]
    assert _sources(ctx) == {esp_event: "esp", crm_event: "crm"}
    with httpx.Client(timeout=5) as client:
        dispatcher = Dispatcher(ctx, client=client)
        dispatcher.drain()
        dispatcher.close()
    assert receiver.accepted_ids("/esp") == [crm_event]
    assert receiver.accepted_ids("/crm") == [esp_event]
