"""`trustguardian sync run` killed mid-delivery and restarted: every event arrives at least once,
exactly once after de-duplication, in per-subject order; SIGTERM stops it cleanly.

The receiver is slow (20 ms a request) so that kills land while messages are in flight. A killed
dispatcher keeps its destinations until its lease runs out (TRUSTGUARDIAN_SYNC_LEASE_SECONDS,
3 s here; 30 s by default): each restart after a SIGKILL must take over within the lease plus
the time a process needs to start. A SIGTERM gives the leases back at once. SQLite only
(processes).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.conftest import TEST_MASTER_KEY
from tests.sync.conftest import MakeSyncCtx
from tests.sync.helpers import (
    Receivers,
    always,
    by_subject,
    delivery_counts,
    events_for,
    first_seen_by_subject,
)

from trustguardian.domain.events import PrivacyEvent
from trustguardian.domain.sync import SystemKind
from trustguardian.service.context import Context
from trustguardian.service.sync.systems import create_system, create_webhook
from trustguardian.store import tables as t

SUBJECTS = 40
EVENTS = 240
MORE = 40  # recorded while the dispatcher is down, after each stop
MID = MORE // 2  # requests a round sees before its stop: some, never all, of its work
LEASE = 3.0  # TRUSTGUARDIAN_SYNC_LEASE_SECONDS
STARTUP = 10.0  # seconds a process may need to start, on top of the lease


def environment(ctx: Context) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUSTGUARDIAN_")}
    env.update(
        {
            "TRUSTGUARDIAN_DATABASE_URL": ctx.settings.database_url,
            "TRUSTGUARDIAN_KEYS_FILE": str(ctx.settings.keys_file),
            "TRUSTGUARDIAN_MASTER_KEY": TEST_MASTER_KEY,
            "TRUSTGUARDIAN_SYNC_BACKOFF_BASE_SECONDS": "0.01",
            "TRUSTGUARDIAN_SYNC_BACKOFF_CAP_SECONDS": "0.05",
            "TRUSTGUARDIAN_WEBHOOK_TIMEOUT_SECONDS": "5",
            "TRUSTGUARDIAN_SYNC_LEASE_SECONDS": str(LEASE),
            "TRUSTGUARDIAN_OUTBOUND_ALLOW_HOSTS": "127.0.0.1",  # the receiver is on loopback
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


def leases(ctx: Context) -> list[tuple[str | None, datetime | None]]:
    with ctx.engine.connect() as conn:
        rows = conn.execute(select(t.sync_positions.c.lease_owner, t.sync_positions.c.lease_until))
        return [(r.lease_owner, r.lease_until) for r in rows]


@pytest.mark.slow  # processes killed, leases run out
def test_sync_run_killed_and_restarted_delivers_everything_once(
    make_sync_ctx: MakeSyncCtx, receivers: Receivers, tmp_path: Path
) -> None:
    started = time.monotonic()
    ctx = make_sync_ctx("sqlite")
    receiver = receivers(always(204, stall=0.02))
    create_system(ctx, key="esp", name="ESP", kind=SystemKind.ESP)
    hook, _ = create_webhook(ctx, system_key="esp", url=receiver.url())
    events: list[PrivacyEvent] = events_for(ctx, subjects=SUBJECTS, total=EVENTS, batches=3)
    env = environment(ctx)
    command = [sys.executable, "-m", "trustguardian", "sync", "run", "--interval", "0.05"]

    def all_delivered() -> bool:
        return delivery_counts(ctx, hook.destination).get("delivered", 0) == len(events)

    def requests(at_least: int) -> Callable[[], bool]:
        return lambda: receiver.count() >= at_least

    history: list[str] = []
    takeovers: list[float] = []
    killed_at = 0.0
    rounds = ["kill", "kill", "term", "kill", "finish"]
    for n, how in enumerate(rounds):
        out = (tmp_path / f"run-{n}.out").open("w")
        err = (tmp_path / f"run-{n}.err").open("w")
        seen_before = receiver.count()
        proc = subprocess.Popen(command, stdout=out, stderr=err, env=env, cwd=tmp_path)
        try:
            if n > 0 and rounds[n - 1] == "kill":
                # The dead owner's lease runs out, then this process (a new owner) takes over.
                took_over = wait_for(requests(seen_before + 1), LEASE + STARTUP)
                takeovers.append(round(time.monotonic() - killed_at, 1))
                assert took_over, f"no takeover {takeovers[-1]} s after a SIGKILL"
            if how == "finish":
                assert wait_for(all_delivered, 30), delivery_counts(ctx)
                how = "term"
            else:
                # Mid-delivery: some (not all) of this round's work has reached the receiver.
                assert wait_for(requests(seen_before + MID), 20), proc.poll()
            assert proc.poll() is None, (tmp_path / f"run-{n}.err").read_text()[-2000:]
            proc.send_signal(signal.SIGKILL if how == "kill" else signal.SIGTERM)
            code = proc.wait(timeout=20)
            killed_at = time.monotonic()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            out.close()
            err.close()
        history.append(f"{how}: rc {code}, {receiver.count() - seen_before} requests")
        if how == "kill":
            assert code == -signal.SIGKILL
            owners = leases(ctx)
            assert owners, "the killed process held its destination"
            assert all(o is not None for o, _ in owners)
        else:
            stderr = (tmp_path / f"run-{n}.err").read_text()
            assert code == 0, stderr[-2000:]
            assert all(o is None for o, _ in leases(ctx)), "SIGTERM gives the leases back"
        if n + 1 < len(rounds):
            # Recorded while nothing runs: delivered after the stop or crash too.
            events.extend(events_for(ctx, subjects=SUBJECTS, total=MORE, seed=50 + n))

    ids = {e.id for e in events}
    assert len(ids) == EVENTS + MORE * (len(rounds) - 1)
    assert set(receiver.unique()) == ids, "every event at least once, once after de-duplication"
    assert receiver.seen_ids() == ids
    assert first_seen_by_subject(receiver.accepted()) == by_subject(events)
    assert delivery_counts(ctx, hook.destination) == {"delivered": len(ids)}
    duplicates = len(receiver.accepted()) - len(ids)
    print(
        f"rounds {history}; {duplicates} duplicates; takeovers after SIGKILL (s): {takeovers}; "
        f"{time.monotonic() - started:.1f} s"
    )
