"""Several server processes on PostgreSQL under concurrent writers, with processes killed:
every acknowledged event is in the ledger exactly once, sequence numbers are dense, the ledger
verifies, the dispatcher delivers every event after a SIGKILL, and the logs hold no e-mail.

Bounded: 3 workers, 8 writers, 200 events, a worker killed after 60 (a kill needs writes in
flight on both sides of it, not volume). Figures come from `bench/load.py`, never from here.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from bench.loadgen import prepare, run_writers, server_env, start_server
from sqlalchemy import select
from tests.conftest import bound_context
from tests.sync.helpers import Receivers, always

from trustguardian.domain.sync import SystemKind
from trustguardian.service.context import Context
from trustguardian.service.sync.systems import create_system, create_webhook
from trustguardian.service.verify.full import verify_ledger
from trustguardian.settings import Settings
from trustguardian.store import tables as t

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

WORKERS = 3
WRITERS = 8
PER_WRITER = 25


Instance = tuple[Context, str, dict[str, str]]


@pytest.fixture
def instance(make_db: Callable[[str], str], tmp_path: Path) -> Iterator[Instance]:
    """An initialised PostgreSQL instance, its writer token and the servers' environment; its
    engine is disposed of even when the test fails, so no connection outlives the test."""
    settings = Settings(
        database_url=make_db("postgresql"),
        keys_file=tmp_path / "instance.keys",
        outbound_allow_hosts="127.0.0.1",  # the webhook receivers listen on loopback
    )
    ctx = bound_context(settings)
    token = prepare(ctx)
    env = server_env(
        {
            "TRUSTGUARDIAN_DATABASE_URL": settings.database_url,
            "TRUSTGUARDIAN_KEYS_FILE": str(settings.keys_file),
            "TRUSTGUARDIAN_SYNC_LEASE_SECONDS": "3",
            "TRUSTGUARDIAN_SYNC_BACKOFF_BASE_SECONDS": "0.01",
            "TRUSTGUARDIAN_SYNC_BACKOFF_CAP_SECONDS": "0.05",
            "TRUSTGUARDIAN_OUTBOUND_ALLOW_HOSTS": "127.0.0.1",
        }
    )
    try:
        yield ctx, token, env
    finally:
        ctx.engine.dispose()


def _ledger(ctx: Context) -> list[tuple[int, str]]:
    with ctx.engine.connect() as c:
        rows = c.execute(select(t.events.c.seq, t.events.c.id).order_by(t.events.c.seq))
        return [(int(r.seq), str(r.id)) for r in rows]


def _assert_exactly_once(ctx: Context, acked: dict[str, tuple[str, int]]) -> None:
    ledger = _ledger(ctx)
    with ctx.engine.connect() as c:  # the registry's leaves take their own sequence numbers
        taken = [*c.execute(select(t.registry_records.c.seq)).scalars(), *(s for s, _ in ledger)]
    assert sorted(taken) == list(range(len(taken))), "sequence numbers not dense"
    ids = [event_id for _, event_id in ledger]
    assert len(set(ids)) == len(ids)
    stored = {event_id: seq for seq, event_id in ledger}
    for key, (event_id, seq) in acked.items():
        assert stored.get(event_id) == seq, f"acknowledged {key} -> {event_id} missing or moved"
    # Every request was retried with its key until acknowledged: nothing else was written.
    assert len(ledger) == len(acked)
    report = verify_ledger(ctx)
    assert report.ok, report.problems[:5]


def test_killing_a_server_worker_mid_load_loses_nothing_acknowledged(
    instance: Instance, tmp_path: Path
) -> None:
    ctx, token, env = instance
    server = start_server(env, workers=WORKERS, log=tmp_path / "server.log")
    killed: list[int] = []
    lock = threading.Lock()

    def kill_one(done: int) -> None:
        with lock:
            if done >= 60 and not killed:
                victim = server.workers()[0]
                os.kill(victim, signal.SIGKILL)
                killed.append(victim)

    try:
        results = run_writers(
            server.url, token, threads=WRITERS, per_thread=PER_WRITER, on_progress=kill_one
        )
        assert server.process.poll() is None
    finally:
        server.stop()
    assert killed, "no worker was killed"
    assert not results.failures, results.failures[:3]
    assert len(results.acked) == WRITERS * PER_WRITER
    _assert_exactly_once(ctx, results.acked)

    log = server.log.read_text()
    assert "@example.com" not in log  # e-mails were sent in every request body
    lines = [line for line in log.splitlines() if line.startswith("{")]
    requests = [json.loads(line) for line in lines if '"request"' in line]
    assert len(requests) >= WRITERS * PER_WRITER
    assert {r["route"] for r in requests if r["status"] == 201} == {"/v1/events"}


def test_killing_the_dispatcher_mid_load_delivers_every_acknowledged_event(
    instance: Instance, tmp_path: Path, webhook_receivers: Receivers
) -> None:
    ctx, token, env = instance
    receiver = webhook_receivers(always(204))
    create_system(ctx, key="crm", name="CRM", kind=SystemKind.CRM)
    create_webhook(ctx, system_key="crm", url=receiver.url())
    server = start_server(env, workers=2, log=tmp_path / "server.log")
    command = [sys.executable, "-m", "trustguardian", "sync", "run", "--interval", "0.05"]
    dispatchers: list[subprocess.Popen[bytes]] = []
    log = (tmp_path / "sync.log").open("wb")

    def start_dispatcher() -> None:
        dispatchers.append(subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT))

    start_dispatcher()
    kills: list[int] = []

    def kill_and_restart(done: int) -> None:
        if done >= 60 * (len(kills) + 1) and len(kills) < 2:
            kills.append(done)
            dispatchers[-1].send_signal(signal.SIGKILL)
            dispatchers[-1].wait(10)
            start_dispatcher()

    try:
        # One event first, delivered before the load starts: a dispatcher still starting up when
        # the writers pass their marks would never be killed mid-delivery.
        warm = run_writers(server.url, token, threads=1, per_thread=1, prefix="warm")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and receiver.count() == 0:
            time.sleep(0.05)
        assert receiver.count() > 0, "the dispatcher delivered nothing before the load"
        results = run_writers(
            server.url, token, threads=6, per_thread=30, on_progress=kill_and_restart
        )
        results.acked.update(warm.acked)
        acked_ids = {event_id for event_id, _ in results.acked.values()}
        deadline = time.monotonic() + 60

        def delivered() -> set[str]:
            return {r.json()["data"]["event_id"] for r in list(receiver.requests) if r.ok}

        while time.monotonic() < deadline and not acked_ids <= delivered():
            time.sleep(0.2)
    finally:
        for process in dispatchers:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(20)
        server.stop()
        log.close()
    assert len(kills) >= 1, "the dispatcher was never killed mid-load"
    assert not results.failures, results.failures[:3]
    assert acked_ids <= delivered(), f"{len(acked_ids - delivered())} events never delivered"
    _assert_exactly_once(ctx, results.acked)
