"""Dead letters: only the deliveries that ran out of attempts are listed, retried (with a fresh
count of attempts) or discarded (they leave the reconciliation), per webhook, system or event;
the others are left alone. Through the service (SQLite and PostgreSQL), the CLI and the API."""

from __future__ import annotations

import httpx
import orjson
import pytest
from fastapi.testclient import TestClient
from tests.factories.api import assert_problem
from tests.sync.conftest import MakeSyncCtx
from tests.sync.helpers import (
    Receivers,
    cli_env,
    delivery_counts,
    run_cli,
    two_systems_with_dead_letters,
)

from trustguardian.asgi import create_app
from trustguardian.domain.access import Scope
from trustguardian.domain.errors import NotFound
from trustguardian.service.access.api_keys import create_api_key
from trustguardian.service.sync.status import reconciliation
from trustguardian.service.sync.webhooks import (
    discard_dead_letters,
    list_dead_letters,
    retry_dead_letters,
)
from trustguardian.sync.dispatcher import Dispatcher


def test_dead_letters_are_listed_retried_and_discarded_by_filter(
    backend: str, make_sync_ctx: MakeSyncCtx, receivers: Receivers
) -> None:
    ctx = make_sync_ctx(backend, sync_max_attempts=2)
    up = {"on": False}
    receiver, crm, esp, seqs = two_systems_with_dead_letters(ctx, receivers, up)
    dead = list_dead_letters(ctx)
    assert sorted((d.system, d.letter.delivery.seq) for d in dead) == sorted(
        (system, seq) for system in ("crm", "esp") for seq in seqs
    )
    assert {d.letter.delivery.attempts for d in dead} == {2}
    assert {d.letter.delivery.last_error for d in dead} == {"HTTP 500"}
    assert [d.webhook_id for d in list_dead_letters(ctx, system="esp")] == [esp.id] * 3
    assert len(list_dead_letters(ctx, hook_id=crm.id, limit=2)) == 2
    with pytest.raises(NotFound):
        list_dead_letters(ctx, system="nope")
    with pytest.raises(NotFound):
        retry_dead_letters(ctx, hook_id=crm.id, system="esp")

    # One event of the CRM's is retried, another discarded; the ESP's all retried.
    up["on"] = True
    assert retry_dead_letters(ctx, hook_id=crm.id, seqs=[seqs[0]]) == 1
    assert discard_dead_letters(ctx, system="crm", seqs=[seqs[1]]) == 1
    assert retry_dead_letters(ctx, system="esp") == 3
    assert retry_dead_letters(ctx, system="esp") == 0  # no longer dead
    with httpx.Client(timeout=5) as client:
        dispatcher = Dispatcher(ctx, client=client)
        dispatcher.drain()
        dispatcher.close()
    assert delivery_counts(ctx, crm.destination) == {"delivered": 1, "discarded": 1, "dead": 1}
    assert delivery_counts(ctx, esp.destination) == {"delivered": 3}
    assert [d.letter.delivery.seq for d in list_dead_letters(ctx)] == [seqs[2]]
    # A discarded letter leaves the reconciliation; the one still dead stays in it.
    assert [(b.system, b.waiting) for b in reconciliation(ctx)] == [("crm", 1)]
    assert len(receiver.unique("/esp")) == 3
    assert discard_dead_letters(ctx) == 1
    assert list_dead_letters(ctx) == []


def test_dead_letters_from_the_command_line_and_the_api(
    make_sync_ctx: MakeSyncCtx, receivers: Receivers
) -> None:
    ctx = make_sync_ctx("sqlite", sync_max_attempts=2)
    up = {"on": False}
    _, crm, esp, seqs = two_systems_with_dead_letters(ctx, receivers, up)
    env = cli_env(ctx)
    code, out = run_cli(env, "sync", "dead-letters", "list", "--system", "esp", "--json")
    assert code == 0, out
    listed = orjson.loads(out)
    assert [(d["webhook"], d["seq"], d["attempts"]) for d in listed] == [
        (esp.id, seq, 2) for seq in seqs
    ]
    assert {d["kind"] for d in listed} == {"consent.given"}
    code, out = run_cli(
        env, "sync", "dead-letters", "retry", "--webhook", esp.id, "--seq", str(seqs[0])
    )
    assert (code, out.strip()) == (0, "1 dead letters will be sent again.")
    code, out = run_cli(env, "sync", "dead-letters", "discard", "--system", "crm", "--json")
    assert (code, orjson.loads(out)) == (0, {"discarded": 3})
    assert delivery_counts(ctx, crm.destination) == {"discarded": 3}
    code, out = run_cli(env, "sync", "dead-letters", "list", "--webhook", "wh_nope")
    assert code != 0

    _, token = create_api_key(ctx, name="admin", scopes=[Scope.ADMIN])
    with TestClient(create_app(ctx), headers={"Authorization": f"Bearer {token}"}) as api:
        found = api.get("/v1/sync/dead-letters", params={"webhook": esp.id})
        assert found.status_code == 200, found.text
        assert [d["seq"] for d in found.json()] == seqs[1:]
        assert found.json()[0]["system"] == "esp"
        retried = api.post("/v1/sync/dead-letters/retry", json={"seqs": [seqs[1]]})
        assert (retried.status_code, retried.json()) == (200, {"count": 1})
        discarded = api.post("/v1/sync/dead-letters/discard", json={"webhook": esp.id})
        assert (discarded.status_code, discarded.json()) == (200, {"count": 1})
        assert api.get("/v1/sync/dead-letters").json() == []
        assert_problem(api.get("/v1/sync/dead-letters?system=nope"), 404, "not-found")
        assert_problem(
            api.post("/v1/sync/dead-letters/retry", json={"seqs": [-1]}), 422, "validation-error"
        )
        assert_problem(
            api.post("/v1/sync/dead-letters/discard", json={"webhook": "wh_nope"}),
            404,
            "not-found",
        )
    assert delivery_counts(ctx, esp.destination) == {"pending": 2, "discarded": 1}
