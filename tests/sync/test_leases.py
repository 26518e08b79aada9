"""Who may deliver: a lease per destination, given back on a clean stop.

- a dispatcher that stops cleanly (`release`) lets a fresh one take over at once;
- a dispatcher that dies without releasing (a crash, a SIGKILL, a lost container) keeps its
  destinations until its lease (`sync_lease_seconds`) runs out, then a fresh one takes over;
- a pass that outlasts the lease must not be overlapped by another dispatcher;
- two dispatchers running at the same time never deliver an event twice, including the very
  first time a destination is taken.
On SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import httpx
from tests.sync.conftest import MakeSyncCtx
from tests.sync.helpers import Receivers, always, delivery_counts, events_for, run_until

from trustguardian.domain.sync import SystemKind
from trustguardian.service.sync.systems import create_system, create_webhook
from trustguardian.sync.dispatcher import Dispatcher

LEASE = 0.5  # sync_lease_seconds in these tests
TAKEOVER = 3.0  # seconds a fresh dispatcher may need beyond the lease


def test_a_clean_stop_lets_a_fresh_dispatcher_take_over_at_once(
    backend: str, make_sync_ctx: MakeSyncCtx, receivers: Receivers
) -> None:
    ctx = make_sync_ctx(backend)
    receiver = receivers()
    create_system(ctx, key="esp", name="ESP", kind=SystemKind.ESP)
    hook, _ = create_webhook(ctx, system_key="esp", url=receiver.url())
    first = events_for(ctx, subjects=2, total=3)
    with httpx.Client(timeout=5) as client:
        old = Dispatcher(ctx, client=client, owner="old")
        run_until(old, lambda: len(receiver.unique()) == 3)
        old.release()
        later = events_for(ctx, subjects=2, total=2, seed=9)
        fresh = Dispatcher(ctx, client=client, owner="fresh")
        done = fresh.run_once()
    assert (done.enqueued, done.delivered) == (2, 2)
    assert set(receiver.unique()) == {e.id for e in first + later}
    assert delivery_counts(ctx, hook.destination) == {"delivered": 5}


def test_a_dispatcher_that_died_keeps_its_destinations_only_until_the_lease_runs_out(
    backend: str, make_sync_ctx: MakeSyncCtx, receivers: Receivers
) -> None:
    ctx = make_sync_ctx(backend, sync_lease_seconds=LEASE)
    receiver = receivers()
    create_system(ctx, key="esp", name="ESP", kind=SystemKind.ESP)
    create_webhook(ctx, system_key="esp", url=receiver.url())
    events_for(ctx, subjects=1, total=1)
    with httpx.Client(timeout=5) as client:
        Dispatcher(ctx, client=client, owner="dead").run_once()  # then it dies: no release()
        died = time.monotonic()
        [later] = events_for(ctx, subjects=1, total=1, seed=9)
        fresh = Dispatcher(ctx, client=client, owner="fresh")
        assert fresh.run_once().enqueued == 0, "the lease keeps a second dispatcher out"
        while later.id not in receiver.unique() and time.monotonic() < died + LEASE + TAKEOVER:
            fresh.run_once()
            time.sleep(0.02)
        waited = time.monotonic() - died
    assert later.id in receiver.unique(), f"no takeover {waited:.1f} s after the owner died"
    assert waited >= LEASE * 0.9


def test_a_pass_longer_than_the_lease_is_not_overlapped_by_another_dispatcher(
    backend: str, make_sync_ctx: MakeSyncCtx, receivers: Receivers
) -> None:
    """Sending 30 events of one person to a receiver that needs 0.1 s each would take ~3 s, and
    the lease is 2 s: a second dispatcher (another replica, or a restarted process) must not
    send the same events at the same time. A pass stops sending at half its lease and renews the
    lease when it records its results, so passes of two dispatchers never overlap.

    The lease is longer than the other tests' so that recording a pass's results has a second
    of margin even on a loaded machine (the margin is what the half-lease stop buys)."""
    lease, total = 2.0, 30
    ctx = make_sync_ctx(backend, sync_lease_seconds=lease)
    receiver = receivers(always(204, stall=0.1))
    create_system(ctx, key="esp", name="ESP", kind=SystemKind.ESP)
    create_webhook(ctx, system_key="esp", url=receiver.url())
    events = events_for(ctx, subjects=1, total=total)
    with httpx.Client(timeout=5) as first_client, httpx.Client(timeout=5) as second_client:
        first = Dispatcher(ctx, client=first_client, owner="first")
        second = Dispatcher(ctx, client=second_client, owner="second")
        running = threading.Thread(target=first.run_once)
        running.start()
        time.sleep(lease + 0.3)  # the first pass would still be sending, were it not time-boxed
        # A pass stops sending at half the lease and renews it when recording its results.
        assert not running.is_alive()
        overlapped = second.run_once()
        running.join(10)
        while len(receiver.seen_ids()) < total:
            second.run_once()
    ids = [e.id for e in events]
    assert receiver.seen_ids() == set(ids)
    duplicates = len(receiver.accepted()) - len(ids)
    assert duplicates == 0, (
        f"{duplicates} events sent twice by two dispatchers at once (the second took the lease "
        f"{lease} s into the first one's pass and delivered {overlapped.delivered}); in arrival "
        f"order the person's events go back in time: "
        f"{[ids.index(i) for i in receiver.accepted_ids()]}"
    )


def test_two_dispatchers_at_once_deliver_each_event_once(
    backend: str, make_sync_ctx: MakeSyncCtx, receivers: Receivers
) -> None:
    ctx = make_sync_ctx(backend)
    receiver = receivers()
    create_system(ctx, key="esp", name="ESP", kind=SystemKind.ESP)
    create_system(ctx, key="crm", name="CRM", kind=SystemKind.CRM)
    hooks = [
        create_webhook(ctx, system_key=system, url=receiver.url(f"/{system}/{n}"))[0]
        for n in range(4)
        for system in ("esp", "crm")
    ]
    with httpx.Client(timeout=5) as client:
        # Every destination's position row exists already (the first lease ever on a destination
        # is a separate, known race: see the next test).
        setup = Dispatcher(ctx, client=client, owner="setup")
        setup.run_once()
        setup.release()
    events = events_for(ctx, subjects=10, total=40)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def work(owner: str) -> None:
        try:
            with httpx.Client(timeout=5) as client:
                dispatcher = Dispatcher(ctx, client=client, owner=owner)
                start.wait(5)
                deadline = time.monotonic() + 20
                while time.monotonic() < deadline and len(receiver.accepted()) < 40 * len(hooks):
                    dispatcher.run_once()
                    time.sleep(0.005)
                dispatcher.release()
        except BaseException as exc:  # reported below, with the other thread's result
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(f"d{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, f"a dispatcher failed: {errors[0]!r}"
    for hook in hooks:
        path = hook.url.removeprefix(f"http://127.0.0.1:{receiver.port}")
        assert sorted(receiver.accepted_ids(path)) == sorted(e.id for e in events), hook.url
        assert delivery_counts(ctx, hook.destination) == {"delivered": 40}


def test_two_dispatchers_taking_a_new_destination_at_once_do_not_crash(
    backend: str, make_sync_ctx: MakeSyncCtx
) -> None:
    """The first lease on a destination: both find no position row; the second must get "held"
    (None), not a unique-key violation."""
    ctx = make_sync_ctx(backend)
    destination = "webhook:wh_race"
    now = datetime.now(UTC)
    until = now + timedelta(seconds=60)
    outcome: list[object] = []

    def second() -> None:
        try:
            with ctx.uow() as uow:
                outcome.append(uow.sync.take_lease(destination, "second", now, until))
                uow.commit()
        except Exception as exc:  # the outcome is checked below
            outcome.append(exc)

    with ctx.uow() as uow:
        assert uow.sync.take_lease(destination, "first", now, until) == 0
        thread = threading.Thread(target=second)
        thread.start()
        thread.join(0.5)  # the second one is now waiting (PostgreSQL: on the key; SQLite: the lock)
        uow.commit()
    thread.join(10)
    assert len(outcome) == 1
    assert outcome[0] is None, f"the second dispatcher got {outcome[0]!r} instead of None"
