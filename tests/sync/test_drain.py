"""`sync run --once` delivers everything pending, not one batch of 1,000: more than a batch of
events, and more than a batch of a system's own events (taken, never echoed) before one it must
get. On SQLite and PostgreSQL."""

from __future__ import annotations

import httpx
from tests.factories.events import email, make_draft, record
from tests.sync.conftest import MakeSyncCtx
from tests.sync.helpers import Receivers, cli_env, delivery_counts, events_for, run_cli

from trustguardian.domain.sync import SystemKind
from trustguardian.service.sync.status import sync_status
from trustguardian.service.sync.systems import create_system, create_webhook
from trustguardian.sync.dispatcher import Dispatcher

EVENTS = 1_200


def test_sync_run_once_delivers_more_than_a_batch(
    backend: str, make_sync_ctx: MakeSyncCtx, receivers: Receivers
) -> None:
    ctx = make_sync_ctx(backend)
    batch = ctx.settings.sync_batch * 5  # what one pass takes from the outbox
    assert EVENTS > batch == 1_000
    receiver = receivers()
    create_system(ctx, key="crm", name="CRM", kind=SystemKind.CRM)
    hook, _ = create_webhook(ctx, system_key="crm", url=receiver.url())
    events_for(ctx, subjects=300, total=EVENTS, batches=3)
    code, out = run_cli(cli_env(ctx), "sync", "run", "--once")
    assert code == 0, out
    assert f"enqueued {EVENTS}, delivered {EVENTS}, failed 0" in out
    assert len(receiver.unique()) == EVENTS
    assert delivery_counts(ctx, hook.destination) == {"delivered": EVENTS}
    [status] = sync_status(ctx)
    assert status.taken_up_to == status.ledger_size == EVENTS


def test_a_drain_goes_past_more_than_a_batch_of_a_systems_own_events(
    backend: str, make_sync_ctx: MakeSyncCtx, receivers: Receivers
) -> None:
    ctx = make_sync_ctx(backend)
    receiver = receivers()
    create_system(ctx, key="esp", name="ESP", kind=SystemKind.ESP)
    create_webhook(ctx, system_key="esp", url=receiver.url())
    own = [
        make_draft(
            identifiers=(email(f"e{n}@example.com"),), fingerprint=str(n), source_system="esp"
        )
        for n in range(1_050)
    ]
    for first in range(0, len(own), 525):
        record(ctx, *own[first : first + 525])
    [web] = record(ctx, make_draft())
    with httpx.Client(timeout=5) as client:
        dispatcher = Dispatcher(ctx, client=client)
        done = dispatcher.drain()
        dispatcher.close()
    assert (done.taken, done.enqueued, done.delivered) == (1_051, 1, 1)
    assert receiver.accepted_ids() == [web.id]
