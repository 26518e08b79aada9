"""Retries, dead letters and per-subject order under failure. On SQLite and PostgreSQL.

- a delivery that keeps failing goes `dead` after `sync_max_attempts`; later events of the same
  subject are then delivered; `replay` reopens the dead one and it arrives once the receiver
  works again;
- while a subject's oldest event keeps failing, its later events wait and other subjects' go on;
- a subject with many waiting events must not hold up other subjects either.
"""

from __future__ import annotations

import time

import httpx
import pytest
from tests.factories.events import email, make_draft, record
from tests.sync.conftest import MakeSyncCtx
from tests.sync.helpers import (
    Received,
    Receivers,
    delivery_counts,
    delivery_rows,
    events_for,
    run_passes,
    run_until,
)

from trustguardian.domain.events import EventKind
from trustguardian.domain.sync import SystemKind
from trustguardian.service.sync.status import reconciliation, replay
from trustguardian.service.sync.systems import create_system, create_webhook
from trustguardian.sync.dispatcher import Dispatcher

LUIGI = "luigi.verdi@example.com"


def test_dead_letter_does_not_block_the_subject_and_replay_delivers_it(
    backend: str, make_sync_ctx: MakeSyncCtx, receivers: Receivers
) -> None:
    ctx = make_sync_ctx(backend, sync_max_attempts=3)
    down = {"on": True}
    receiver = receivers(lambda _r, _n: (503, 0.0) if down["on"] else (204, 0.0))
    create_system(ctx, key="esp", name="ESP", kind=SystemKind.ESP)
    hook, _ = create_webhook(ctx, system_key="esp", url=receiver.url())
    [first] = record(ctx, make_draft())
    with httpx.Client(timeout=5) as client:
        dispatcher = Dispatcher(ctx, client=client)
        passes = run_until(
            dispatcher, lambda: delivery_counts(ctx, hook.destination) == {"dead": 1}
        )
        assert sum(p.failed for p in passes) == 2
        assert sum(p.dead for p in passes) == 1
        assert [r.webhook_id for r in receiver.all()] == [first.id] * 3
        row = delivery_rows(ctx, hook.destination)[first.seq]
        assert (row.status, row.attempts) == ("dead", 3)
        assert row.last_error.startswith("HTTP 503")
        assert [b.subject_id for b in reconciliation(ctx)] == [first.subject_id]

        # The receiver is back; the same subject's next event is not held by the dead one.
        down["on"] = False
        [later] = record(ctx, make_draft(EventKind.CONSENT_WITHDRAWN))
        assert later.subject_id == first.subject_id
        run_until(dispatcher, lambda: later.id in receiver.unique())
        run_passes(dispatcher, 3)
        assert first.id not in receiver.unique(), "a dead delivery is not retried by itself"
        assert delivery_counts(ctx, hook.destination) == {"dead": 1, "delivered": 1}

        # Replay from the dead one: it is delivered (and the later one sent again, after it).
        assert replay(ctx, from_seq=first.seq, destination=hook.destination) == 2
        before = len(receiver.all())
        run_until(dispatcher, lambda: delivery_counts(ctx, hook.destination) == {"delivered": 2})
    assert [r.webhook_id for r in receiver.all()[before:]] == [first.id, later.id]
    assert set(receiver.unique()) == {first.id, later.id}
    assert reconciliation(ctx) == []


def test_a_failing_event_holds_back_its_subject_only(
    backend: str, make_sync_ctx: MakeSyncCtx, receivers: Receivers
) -> None:
    ctx = make_sync_ctx(backend)
    broken: set[str] = set()

    def policy(request: Received, _seen: int) -> tuple[int, float]:
        return (500, 0.0) if request.webhook_id in broken else (204, 0.0)

    receiver = receivers(policy)
    create_system(ctx, key="esp", name="ESP", kind=SystemKind.ESP)
    hook, _ = create_webhook(ctx, system_key="esp", url=receiver.url())
    a1, b1 = record(ctx, make_draft(), make_draft(identifiers=(email(LUIGI),)))
    broken.add(a1.id)
    a2, b2, a3 = record(
        ctx,
        make_draft(EventKind.CONSENT_WITHDRAWN),
        make_draft(EventKind.CONSENT_WITHDRAWN, identifiers=(email(LUIGI),)),
        make_draft(),
    )
    assert a1.subject_id == a2.subject_id == a3.subject_id != b1.subject_id == b2.subject_id
    with httpx.Client(timeout=5) as client:
        dispatcher = Dispatcher(ctx, client=client)
        run_until(dispatcher, lambda: len(receiver.unique()) == 2)
        run_passes(dispatcher, 10)
        assert receiver.accepted_ids() == [b1.id, b2.id]
        assert receiver.seen_ids() == {a1.id, b1.id, b2.id}, "a2 and a3 wait for a1"
        assert len([r for r in receiver.all() if r.webhook_id == a1.id]) > 3
        rows = delivery_rows(ctx, hook.destination)
        assert rows[a1.seq].status == "failed"
        assert rows[a1.seq].attempts > 3
        assert (rows[a2.seq].status, rows[a2.seq].attempts) == ("pending", 0)
        assert (rows[a3.seq].status, rows[a3.seq].attempts) == ("pending", 0)
        assert {rows[b1.seq].status, rows[b2.seq].status} == {"delivered"}

        broken.clear()
        run_until(dispatcher, lambda: len(receiver.unique()) == 5)
    assert receiver.accepted_ids() == [b1.id, b2.id, a1.id, a2.id, a3.id]
    assert delivery_counts(ctx, hook.destination) == {"delivered": 5}


@pytest.mark.parametrize("shape", ["one-subject-many-events", "many-subjects-one-event"])
def test_failing_subjects_do_not_starve_the_others(
    shape: str, backend: str, make_sync_ctx: MakeSyncCtx, receivers: Receivers
) -> None:
    """sync_batch=2: the dispatcher reads 10 open deliveries per pass. Either Mario's first event
    keeps failing and 12 more of his wait behind it, or the receiver rejects one event each of
    12 people (say, contacts it does not know); Luigi's event, recorded after them, must still
    go through. (With the default sync_batch the same happens past 1,000 open deliveries.)"""
    # A failed delivery waits a minute: however slowly a pass runs on a busy machine, the failing
    # ones are not due again within the test, so only reading past them gets Luigi through.
    ctx = make_sync_ctx(
        backend, sync_batch=2, sync_max_attempts=1000, sync_backoff_base_seconds=60.0
    )
    broken: set[str] = set()
    receiver = receivers(lambda r, _n: (500, 0.0) if r.webhook_id in broken else (204, 0.0))
    create_system(ctx, key="esp", name="ESP", kind=SystemKind.ESP)
    create_webhook(ctx, system_key="esp", url=receiver.url())
    if shape == "one-subject-many-events":
        [head] = record(ctx, make_draft())
        broken.add(head.id)
        kinds = [EventKind.CONSENT_WITHDRAWN, EventKind.CONSENT_GIVEN] * 6
        record(ctx, *[make_draft(kind, fingerprint=str(n)) for n, kind in enumerate(kinds)])
    else:
        rejected = events_for(ctx, subjects=12, total=12)
        broken.update(e.id for e in rejected)
    [luigi] = record(ctx, make_draft(identifiers=(email(LUIGI),)))
    with httpx.Client(timeout=5) as client:
        dispatcher = Dispatcher(ctx, client=client)
        # Bounded by time, not by a count of passes: a pass is slow on a busy machine, and a
        # starved event never arrives however many passes run.
        deadline = time.monotonic() + 60
        while luigi.id not in receiver.unique() and time.monotonic() < deadline:
            dispatcher.run_once()
            time.sleep(0.02)
    delivered = luigi.id in receiver.unique()
    assert delivered, (
        f"Luigi's event is stuck behind other subjects' failing deliveries ({shape}): only the "
        f"oldest {ctx.settings.sync_batch * 5} open deliveries are read per pass"
    )


def test_events_recorded_between_passes_keep_their_order(
    backend: str, make_sync_ctx: MakeSyncCtx, receivers: Receivers
) -> None:
    ctx = make_sync_ctx(backend)
    receiver = receivers()
    create_system(ctx, key="esp", name="ESP", kind=SystemKind.ESP)
    create_webhook(ctx, system_key="esp", url=receiver.url())
    events = []
    with httpx.Client(timeout=5) as client:
        dispatcher = Dispatcher(ctx, client=client)
        for n in range(5):
            events += events_for(ctx, subjects=1, total=3, seed=n)
            dispatcher.run_once()
        run_until(dispatcher, lambda: len(receiver.unique()) == 15)
    assert receiver.accepted_ids() == [e.id for e in sorted(events, key=lambda e: e.seq)]
    assert len({e.subject_id for e in events}) == 1
