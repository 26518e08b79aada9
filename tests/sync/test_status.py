"""Where sync stands, over HTTP and on the command line: status counts, the subjects a system is
behind on (and since when), a subject's deliveries; bad webhook input is refused and writes
nothing. SQLite (the layers above storage)."""

from __future__ import annotations

import contextlib
import gc
import signal
import time
import warnings
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from standardwebhooks.webhooks import Webhook as Verifier
from tests.factories.api import assert_problem
from tests.factories.events import email, make_draft, record
from tests.sync.conftest import MakeSyncCtx
from tests.sync.helpers import (
    Receiver,
    Receivers,
    always,
    cli_env,
    free_port,
    run_cli,
    run_until,
)

from trustguardian.asgi import create_app
from trustguardian.cli.common import console
from trustguardian.domain.access import Scope
from trustguardian.domain.events import EventKind
from trustguardian.service.access.api_keys import create_api_key
from trustguardian.service.context import Context
from trustguardian.store import tables as t
from trustguardian.sync.dispatcher import Dispatcher

LUIGI = "luigi.verdi@example.com"
Json = dict[str, Any]


@pytest.fixture
def ctx(make_sync_ctx: MakeSyncCtx) -> Context:
    return make_sync_ctx("sqlite")


@pytest.fixture
def api(ctx: Context) -> Iterator[TestClient]:
    _, token = create_api_key(ctx, name="admin", scopes=[Scope.ADMIN])
    with TestClient(create_app(ctx), headers={"Authorization": f"Bearer {token}"}) as client:
        yield client


def rows(ctx: Context, *tables: Any) -> list[int]:
    with ctx.engine.connect() as conn:
        return [
            int(conn.execute(select(func.count()).select_from(table)).scalar_one())
            for table in tables
        ]


def when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_status_reconciliation_and_a_subjects_deliveries(
    ctx: Context, api: TestClient, receivers: Receivers
) -> None:
    response = api.post(
        "/v1/systems",
        json={
            "key": "esp",
            "name": "ESP",
            "kind": "esp",
            "mapping": {"newsletter": {"email": "list:7"}},
        },
    )
    assert response.status_code == 201, response.text
    assert [s["key"] for s in api.get("/v1/systems").json()] == ["esp"]
    port = free_port()  # the receiver is down
    created = api.post("/v1/webhooks", json={"system": "esp", "url": f"http://127.0.0.1:{port}/"})
    assert created.status_code == 201, created.text
    hook = created.json()
    assert hook["secret"].startswith("whsec_")
    listed = api.get("/v1/webhooks").json()
    assert [h["id"] for h in listed] == [hook["id"]]
    assert "secret" not in listed[0]
    rotated = api.post(f"/v1/webhooks/{hook['id']}/rotate-secret")
    assert rotated.status_code == 200
    assert rotated.json()["secret"] not in (hook["secret"], None)
    assert_problem(api.post("/v1/webhooks/wh_nope/rotate-secret"), 404, "not-found")

    m1, m2, m3 = record(
        ctx, make_draft(), make_draft(EventKind.CONSENT_WITHDRAWN), make_draft(fingerprint="3")
    )
    [l1] = record(ctx, make_draft(identifiers=(email(LUIGI),)))
    destination = f"webhook:{hook['id']}"
    with httpx.Client(timeout=2) as client:
        dispatcher = Dispatcher(ctx, client=client)
        done = dispatcher.run_once()
        assert (done.enqueued, done.delivered, done.failed) == (4, 0, 2)

        [status] = api.get("/v1/sync/status").json()
        assert status == {
            "destination": destination,
            "system": "esp",
            "taken_up_to": 4,
            "ledger_size": 4,
            "deliveries": {"failed": 2, "pending": 2},
        }
        behind = api.get("/v1/sync/reconciliation").json()
        assert [(b["subject_id"], b["waiting"]) for b in behind] == [
            (m1.subject_id, 3),
            (l1.subject_id, 1),
        ]
        for b, first in zip(behind, (m1, l1), strict=True):
            assert b["system"] == "esp"
            assert b["destination"] == destination
            assert abs(when(b["since"]) - first.recorded_at) < timedelta(seconds=2)
            assert "ConnectError" in b["last_error"]
        assert len(api.get("/v1/sync/reconciliation", params={"limit": 1}).json()) == 1
        assert_problem(
            api.get("/v1/sync/reconciliation", params={"limit": 0}), 422, "validation-error"
        )

        mine = api.get(f"/v1/subjects/{m1.subject_id}/sync").json()
        assert [(d["event_id"], d["seq"], d["status"], d["attempts"]) for d in mine] == [
            (m1.id, m1.seq, "failed", 1),
            (m2.id, m2.seq, "pending", 0),
            (m3.id, m3.seq, "pending", 0),
        ]
        assert {d["system"] for d in mine} == {"esp"}
        assert mine[0]["next_attempt_at"] is not None
        assert mine[0]["delivered_at"] is None
        assert_problem(api.get("/v1/subjects/sub_nope/sync"), 404, "not-found")

        receiver = Receiver(always())
        receiver.port = port
        receivers.started.append(receiver.start())  # the receiver comes back
        run_until(dispatcher, lambda: len(receiver.unique()) == 4)
        dispatcher.run_once()

    assert api.get("/v1/sync/reconciliation").json() == []
    assert api.get("/v1/sync/status").json()[0]["deliveries"] == {"delivered": 4}
    mine = api.get(f"/v1/subjects/{m1.subject_id}/sync").json()
    assert [d["status"] for d in mine] == ["delivered"] * 3
    assert all(d["delivered_at"] for d in mine)
    accepted = receiver.accepted_ids()
    assert sorted(accepted) == sorted([m1.id, m2.id, m3.id, l1.id])
    assert [i for i in accepted if i != l1.id] == [m1.id, m2.id, m3.id]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"system": "esp", "url": "ftp://example.com/hook"}, "validation-error"),
        ({"system": "esp", "url": "not a url"}, "validation-error"),
        ({"system": "nope", "url": "https://example.com/hook"}, "invalid-input"),
        (
            {"system": "esp", "url": "https://example.com/hook", "event_kinds": ["consent.eaten"]},
            "validation-error",
        ),
        (
            {"system": "esp", "url": "https://example.com/hook", "purposes": ["nope"]},
            "invalid-input",
        ),
        ({"system": "esp", "url": "https://example.com/hook", "secret": "x"}, "validation-error"),
    ],
)
def test_bad_webhook_input_is_a_422_and_writes_nothing(
    ctx: Context, api: TestClient, body: Json, code: str
) -> None:
    created = api.post("/v1/systems", json={"key": "esp", "name": "ESP", "kind": "esp"})
    assert created.status_code == 201, created.text
    before = rows(ctx, t.webhooks, t.webhook_secrets, t.sync_positions)
    assert_problem(api.post("/v1/webhooks", json=body), 422, code)
    assert rows(ctx, t.webhooks, t.webhook_secrets, t.sync_positions) == before


def test_bad_system_input_is_refused(ctx: Context, api: TestClient) -> None:
    body = {"key": "esp", "name": "ESP", "kind": "esp"}
    assert api.post("/v1/systems", json=body).status_code == 201
    assert_problem(api.post("/v1/systems", json=body), 409, "already-exists")
    bad_channel = {**body, "key": "crm", "mapping": {"newsletter": {"fax": "x"}}}
    assert_problem(api.post("/v1/systems", json=bad_channel), 422, "validation-error")
    assert_problem(
        api.post("/v1/systems", json={**body, "key": "x", "kind": "erp"}), 422, "validation-error"
    )
    assert rows(ctx, t.systems) == [1]


@contextlib.contextmanager
def in_process_cli() -> Iterator[list[warnings.WarningMessage]]:
    """`sync run` in this process: its SIGTERM/SIGINT handlers are undone afterwards, and the
    ResourceWarnings of what it leaves open are collected here (see the last test), not by
    whichever later test the garbage collector happens to run in."""
    handlers = (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        try:
            yield caught
        finally:
            signal.signal(signal.SIGTERM, handlers[0])
            signal.signal(signal.SIGINT, handlers[1])
            gc.collect()


def test_sync_from_the_command_line(
    ctx: Context, receivers: Receivers, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(console, "width", 250)  # whole table cells on one line
    env = cli_env(ctx)
    up = {"on": False}
    receiver = receivers(lambda _r, _n: (204, 0.0) if up["on"] else (503, 0.0))
    code, out = run_cli(
        env, "systems", "add", "esp", "--name", "ESP", "--kind", "esp",
        "--identifier", "email", "--map", "newsletter:email=list:7",
    )  # fmt: skip
    assert code == 0, out
    code, out = run_cli(env, "webhooks", "add", "--system", "esp", "--url", receiver.url())
    assert code == 0, out
    secret = out.strip().splitlines()[-1]
    assert secret.startswith("whsec_")
    for args in (
        ("webhooks", "add", "--system", "nope", "--url", receiver.url()),
        ("webhooks", "add", "--system", "esp", "--url", "ftp://example.com/"),
        ("webhooks", "add", "--system", "esp", "--url", receiver.url(), "--kind", "x.y"),
        ("systems", "add", "crm", "--name", "CRM", "--map", "newsletter-email"),
    ):
        code, out = run_cli(env, *args)
        assert code != 0, (args, out)
    assert rows(ctx, t.webhooks, t.systems) == [1, 1]

    events = record(ctx, make_draft(), make_draft(EventKind.CONSENT_WITHDRAWN))
    with in_process_cli():
        code, out = run_cli(env, "sync", "run", "--once")
        assert code == 0, out
        assert "enqueued 2, delivered 0, failed 1" in out
        code, out = run_cli(env, "sync", "reconcile")
        assert code == 0, out
        assert events[0].subject_id in out
        assert "HTTP 503" in out
        code, out = run_cli(env, "sync", "status")
        assert code == 0, out
        assert "webhook:wh_" in out
        assert "{'failed': 1, 'pending': 1}" in out

        up["on"] = True
        time.sleep(0.05)  # the backoff
        code, out = run_cli(env, "sync", "run", "--once")
        assert "delivered 2" in out, out
        code, out = run_cli(env, "sync", "replay", "--from", "0")
        assert code == 0, out
        assert "2 deliveries will be sent again" in out
        code, out = run_cli(env, "sync", "run", "--once")
        assert "delivered 2" in out, out
        code, out = run_cli(env, "sync", "replay", "--from", "-1")
        assert code != 0
    accepted = receiver.accepted()
    assert [r.webhook_id for r in accepted] == [e.id for e in events] * 2
    for request in accepted:
        Verifier(secret).verify(request.body, request.headers)


def test_sync_run_closes_its_http_connections(ctx: Context, receivers: Receivers) -> None:
    """`trustguardian sync run --once` in-process: the dispatcher's own httpx client (and its
    keep-alive sockets) must be closed when the command ends, not left to the garbage collector
    (the suite turns ResourceWarning into an error wherever the collector happens to run)."""
    receiver = receivers()
    env = cli_env(ctx)
    assert run_cli(env, "systems", "add", "esp", "--name", "ESP")[0] == 0
    assert run_cli(env, "webhooks", "add", "--system", "esp", "--url", receiver.url())[0] == 0
    record(ctx, make_draft())
    with in_process_cli() as caught:
        code, out = run_cli(env, "sync", "run", "--once")
    assert code == 0, out
    assert len(receiver.unique()) == 1
    leaked = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert leaked == [], leaked
