"""A webhook's life: it starts from now unless told to start from the beginning; disabled, it
is sent nothing and resumes where it stopped; deleted, its secrets and what it was owed go and
it cannot come back. Through the service (SQLite and PostgreSQL), the CLI and the API."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.factories.api import assert_problem
from tests.factories.events import email, make_draft, record
from tests.sync.conftest import MakeSyncCtx
from tests.sync.helpers import Receivers, cli_env, delivery_counts, free_port, run_cli

from trustguardian.asgi import create_app
from trustguardian.domain.access import Scope
from trustguardian.domain.errors import Conflict, NotFound
from trustguardian.domain.sync import SystemKind
from trustguardian.service.access.api_keys import create_api_key
from trustguardian.service.context import Context
from trustguardian.service.sync.status import sync_status
from trustguardian.service.sync.systems import create_system, create_webhook, list_webhooks
from trustguardian.service.sync.webhooks import delete_webhook, disable_webhook, enable_webhook
from trustguardian.store import tables as t
from trustguardian.sync.dispatcher import Dispatcher


def _secrets(ctx: Context, hook_id: str) -> int:
    query = select(func.count()).where(t.webhook_secrets.c.webhook_id == hook_id)
    with ctx.engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def _people(n: int, first: int = 0) -> list[str]:
    return [f"p{first + i}@example.com" for i in range(n)]


def _record_for(ctx: Context, people: list[str]) -> list[str]:
    drafts = [make_draft(identifiers=(email(who),), fingerprint=who) for who in people]
    return [e.id for e in record(ctx, *drafts)]


def test_a_new_webhook_starts_from_now_unless_from_start(
    backend: str, make_sync_ctx: MakeSyncCtx, receivers: Receivers
) -> None:
    ctx = make_sync_ctx(backend)
    receiver = receivers()
    create_system(ctx, key="crm", name="CRM", kind=SystemKind.CRM)
    history = _record_for(ctx, _people(3))
    now_hook, _ = create_webhook(ctx, system_key="crm", url=receiver.url("/now"))
    all_hook, _ = create_webhook(ctx, system_key="crm", url=receiver.url("/all"), from_start=True)
    later = _record_for(ctx, _people(1, first=3))
    with httpx.Client(timeout=5) as client:
        dispatcher = Dispatcher(ctx, client=client)
        dispatcher.drain()
        dispatcher.close()
    assert receiver.accepted_ids("/now") == later
    assert sorted(receiver.accepted_ids("/all")) == sorted(history + later)
    assert {s.destination: s.taken_up_to for s in sync_status(ctx)} == {
        now_hook.destination: 4,
        all_hook.destination: 4,
    }


def test_disabled_is_sent_nothing_then_resumes_deleted_is_gone_for_good(
    backend: str, make_sync_ctx: MakeSyncCtx, receivers: Receivers
) -> None:
    ctx = make_sync_ctx(backend)
    receiver = receivers()
    create_system(ctx, key="crm", name="CRM", kind=SystemKind.CRM)
    hook, _ = create_webhook(ctx, system_key="crm", url=receiver.url())
    with httpx.Client(timeout=5) as client:
        dispatcher = Dispatcher(ctx, client=client)
        first = _record_for(ctx, _people(1))
        dispatcher.drain()
        assert disable_webhook(ctx, hook_id=hook.id).status == "disabled"
        paused = _record_for(ctx, _people(2, first=1))
        dispatcher.drain()
        assert receiver.accepted_ids() == first
        assert delivery_counts(ctx, hook.destination) == {"delivered": 1}  # nothing queued

        assert enable_webhook(ctx, hook_id=hook.id).status == "active"
        dispatcher.drain()
        assert sorted(receiver.accepted_ids()) == sorted(first + paused)  # where it stopped

        # What a deleted webhook was owed is discarded, and nothing more is queued for it.
        receiver.policy = lambda _r, _n: (503, 0.0)
        _record_for(ctx, _people(1, first=3))
        dispatcher.run_once()
        assert delivery_counts(ctx, hook.destination) == {"delivered": 3, "failed": 1}
        assert _secrets(ctx, hook.id) == 1
        delete_webhook(ctx, hook_id=hook.id)
        assert _secrets(ctx, hook.id) == 0
        _record_for(ctx, _people(1, first=4))
        dispatcher.drain()
        dispatcher.close()
    assert delivery_counts(ctx, hook.destination) == {"delivered": 3, "discarded": 1}
    assert len(receiver.seen_ids()) == 4
    assert list_webhooks(ctx) == []
    assert [h.status for h in list_webhooks(ctx, deleted=True)] == ["deleted"]
    assert sync_status(ctx) == []
    for change in (enable_webhook, disable_webhook, delete_webhook):
        with pytest.raises(Conflict):
            change(ctx, hook_id=hook.id)
    with pytest.raises(NotFound):
        disable_webhook(ctx, hook_id="wh_nope")


def test_webhook_life_from_the_command_line_and_the_api(make_sync_ctx: MakeSyncCtx) -> None:
    ctx = make_sync_ctx("sqlite")
    env = cli_env(ctx)
    url = f"http://127.0.0.1:{free_port()}/"
    create_system(ctx, key="crm", name="CRM", kind=SystemKind.CRM)
    _record_for(ctx, _people(2))
    code, out = run_cli(env, "webhooks", "add", "--system", "crm", "--url", url, "--json")
    assert code == 0, out
    assert '"id": "wh_' in out
    code, out = run_cli(env, "webhooks", "add", "--system", "crm", "--url", url, "--from-start")
    assert code == 0, out
    now_hook, all_hook = list_webhooks(ctx)
    assert {s.destination: s.taken_up_to for s in sync_status(ctx)} == {
        now_hook.destination: 2,
        all_hook.destination: 0,
    }
    code, out = run_cli(env, "webhooks", "disable", now_hook.id)
    assert (code, out.strip()) == (0, f"Webhook {now_hook.id} disabled.")
    code, out = run_cli(env, "webhooks", "enable", now_hook.id)
    assert (code, out.strip()) == (0, f"Webhook {now_hook.id} enabled.")
    code, out = run_cli(env, "webhooks", "delete", now_hook.id)
    assert (code, out.strip()) == (0, f"Webhook {now_hook.id} deleted.")
    for verb, hook_id, why in (
        ("enable", now_hook.id, f"webhook {now_hook.id!r} was deleted"),
        ("disable", "wh_nope", "no webhook 'wh_nope'"),
    ):
        refused = subprocess.run(
            [sys.executable, "-m", "trustguardian", "webhooks", verb, hook_id],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert refused.returncode == 2, refused.stderr
        assert why in refused.stderr
        assert "Traceback" not in refused.stderr
    code, out = run_cli(env, "webhooks", "list", "--json")
    assert now_hook.id not in out
    assert all_hook.id in out
    code, out = run_cli(env, "webhooks", "list", "--deleted", "--json")
    assert now_hook.id in out

    _, token = create_api_key(ctx, name="admin", scopes=[Scope.ADMIN])
    with TestClient(create_app(ctx), headers={"Authorization": f"Bearer {token}"}) as api:
        created = api.post("/v1/webhooks", json={"system": "crm", "url": url, "from_start": True})
        assert created.status_code == 201, created.text
        hook_id = created.json()["id"]
        disabled = api.post(f"/v1/webhooks/{hook_id}/disable")
        assert (disabled.status_code, disabled.json()["status"]) == (200, "disabled")
        enabled = api.post(f"/v1/webhooks/{hook_id}/enable")
        assert (enabled.status_code, enabled.json()["status"]) == (200, "active")
        assert api.delete(f"/v1/webhooks/{hook_id}").status_code == 204
        assert_problem(api.delete(f"/v1/webhooks/{hook_id}"), 409, "conflict")
        assert_problem(api.post(f"/v1/webhooks/{hook_id}/enable"), 409, "conflict")
        assert_problem(api.post("/v1/webhooks/wh_nope/disable"), 404, "not-found")
        assert hook_id not in {h["id"] for h in api.get("/v1/webhooks").json()}
        assert set(api.app.openapi()["paths"]["/v1/webhooks/{hook_id}"]) == {"delete"}
