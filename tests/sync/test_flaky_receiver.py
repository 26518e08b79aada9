"""Delivery to a flaky receiver: every event exactly once after de-duplication, in per-subject
order, nothing dead.

The receiver answers 500 about half of the time, sometimes stalls longer than the client timeout
(the dispatcher's own client, built from `webhook_timeout_seconds`), and is restarted three times
while requests are in flight (its listening socket and open connections closed, then the same
port listened on again). About 300 events for 40 subjects are recorded in four batches while
passes run. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import random
import threading
import time

from tests.sync.conftest import MakeSyncCtx
from tests.sync.helpers import (
    Received,
    Receivers,
    by_subject,
    delivery_counts,
    events_for,
    first_seen_by_subject,
    run_until,
)

from trustguardian.domain.events import PrivacyEvent
from trustguardian.domain.sync import SystemKind
from trustguardian.service.sync.systems import create_system, create_webhook
from trustguardian.sync.dispatcher import Dispatcher

SUBJECTS = 40
BATCHES = 4
PER_BATCH = 75
TIMEOUT = 0.3
STALL = 0.6
RESTART_AT = (150, 350, 550)  # requests seen


def test_flaky_receiver_gets_every_event_once_in_subject_order(
    backend: str, make_sync_ctx: MakeSyncCtx, receivers: Receivers
) -> None:
    started = time.monotonic()
    ctx = make_sync_ctx(
        backend,
        webhook_timeout_seconds=TIMEOUT,
        sync_backoff_base_seconds=0.005,
        sync_backoff_cap_seconds=0.04,
        sync_max_attempts=60,
    )
    rng = random.Random(2024)
    stalls = []

    def flaky(request: Received, _seen: int) -> tuple[int, float]:
        roll = rng.random()
        if roll < 0.03:
            stalls.append(request.webhook_id)
            return 204, STALL  # processed, but the answer comes after the client gave up
        return (500, 0.0) if roll < 0.5 else (204, 0.0)

    receiver = receivers(flaky)
    create_system(ctx, key="esp", name="ESP", kind=SystemKind.ESP)
    hook, _ = create_webhook(ctx, system_key="esp", url=receiver.url())

    stop = threading.Event()

    def chaos() -> None:
        for threshold in RESTART_AT:
            while receiver.count() < threshold and not stop.is_set():
                time.sleep(0.002)
            if stop.is_set():
                return
            receiver.restart(downtime=0.05)

    restarter = threading.Thread(target=chaos, daemon=True)
    restarter.start()
    events: list[PrivacyEvent] = []

    def record_batches(n: int) -> None:
        if n % 3 == 0 and n // 3 < BATCHES:
            batch = n // 3
            events.extend(events_for(ctx, subjects=SUBJECTS, total=PER_BATCH, seed=100 + batch))

    dispatcher = Dispatcher(ctx, jitter=random.Random(7).random)
    try:
        passes = run_until(
            dispatcher,
            lambda: (
                len(events) == BATCHES * PER_BATCH
                and delivery_counts(ctx, hook.destination).get("delivered") == len(events)
            ),
            max_passes=600,
            seconds=45,
            between=record_batches,
        )
    finally:
        stop.set()
        restarter.join(5)
        dispatcher.release()
        dispatcher.client.close()

    total = BATCHES * PER_BATCH
    ids = {e.id for e in events}
    assert len(ids) == total
    assert len({e.subject_id for e in events}) == SUBJECTS
    unique = receiver.unique()
    assert set(unique) == ids, "after de-duplication by webhook-id, every event exactly once"
    assert receiver.seen_ids() == ids, "nothing but our events"
    expected = by_subject(events)
    assert first_seen_by_subject(receiver.all()) == expected, "per-subject order (any answer)"
    assert first_seen_by_subject(receiver.accepted()) == expected, "per-subject order (2xx)"
    assert delivery_counts(ctx, hook.destination) == {"delivered": total}
    assert sum(p.dead for p in passes) == 0
    assert sum(p.enqueued for p in passes) == total
    # The chaos really happened.
    statuses = [r.status for r in receiver.all()]
    assert statuses.count(500) > total / 3
    assert stalls
    for stalled in stalls:  # the client gave up (webhook_timeout_seconds) and sent it again
        assert [r.webhook_id for r in receiver.all()].count(stalled) >= 2
    assert receiver.restarts == len(RESTART_AT)
    print(
        f"{backend}: {len(passes)} passes, {len(statuses)} requests, {statuses.count(500)} x 500, "
        f"{len(stalls)} stalls, {len(receiver.accepted()) - total} duplicates accepted, "
        f"{time.monotonic() - started:.1f} s"
    )
