"""Load benchmark: events/s and latency through `trustguardian serve --workers N` on PostgreSQL,
against the raw baseline of the same events recorded in-process (`record_events`, no HTTP) by
as many threads.

    python bench/load.py [--events 2000] [--workers 3] [--writers 16] [--batch 20]

- served: writer threads POST one event per request with an Idempotency-Key to a server with
  --workers processes on loopback (PostgreSQL, a fresh database); events/s = acknowledged events
  / wall time; p50/p99 = latency of the acknowledged requests; then every acknowledged event is
  checked to be in the ledger exactly once, dense, and `verify` passes;
- served, batched: the same with --batch events a request (POST /v1/events/batch): one
  transaction, one sequencer turn and one checkpoint per request;
- raw: the same number of events, one `record_events` call each from as many threads, on
  another fresh database in this process; ratio = served / raw.

Prints each figure, then one JSON line with all of them.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import select

from common import database
from loadgen import TOUCHPOINT, percentile, prepare, run_writers, server_env, start_server
from trustguardian.domain.events import EventKind
from trustguardian.domain.subjects import IdentifierKind
from trustguardian.service.events.identifiers import normalise
from trustguardian.service.events.recording import record_events
from trustguardian.service.events.validate import EventDraft
from trustguardian.service.ops.binding import init_instance
from trustguardian.service.verify.full import verify_ledger
from trustguardian.settings import Settings
from trustguardian.store import tables as t


def served(events: int, workers: int, writers: int, work: Path, batch: int = 1) -> dict[str, float]:
    url, drop = database("postgresql", work)
    try:
        settings = Settings(database_url=url, keys_file=work / f"served-{batch}.keys")
        ctx = init_instance(settings)
        token = prepare(ctx)
        env = server_env(
            {"TRUSTGUARDIAN_DATABASE_URL": url, "TRUSTGUARDIAN_KEYS_FILE": str(settings.keys_file)}
        )
        server = start_server(env, workers=workers, log=work / "server.log")
        try:
            results = run_writers(
                server.url,
                token,
                threads=writers,
                per_thread=events // writers,
                batch=batch,
                max_seconds=600,
            )
        finally:
            server.stop()
        with ctx.engine.connect() as c:
            seqs = [r[0] for r in c.execute(select(t.events.c.seq).order_by(t.events.c.seq))]
            # The registry's own leaves take the sequence numbers before the events.
            records = [r[0] for r in c.execute(select(t.registry_records.c.seq))]
        leaves = sorted(seqs + records)
        dense = leaves == list(range(len(leaves))) and len(seqs) == len(results.acked)
        verified = verify_ledger(ctx, evidence=False).ok
        ctx.engine.dispose()
        return {
            "acked": len(results.acked),
            "events_per_s": len(results.acked) / results.seconds,
            "p50_ms": percentile(results.latencies, 0.50) * 1000,
            "p99_ms": percentile(results.latencies, 0.99) * 1000,
            "retries": results.retries,
            "dense_and_exactly_once": float(dense),
            "verified": float(verified),
        }
    finally:
        drop()


def raw(events: int, writers: int, work: Path) -> dict[str, float]:
    url, drop = database("postgresql", work)
    try:
        ctx = init_instance(Settings(database_url=url, keys_file=work / "raw.keys"))
        prepare(ctx)
        per = events // writers
        latencies: list[float] = []
        lock = threading.Lock()

        def writer(w: int) -> None:
            for i in range(per):
                n = w * per + i
                draft = EventDraft(
                    kind=EventKind.CONSENT_GIVEN,
                    touchpoint=TOUCHPOINT,
                    occurred_at=ctx.clock.now(),
                    identifiers=(normalise(IdentifierKind.EMAIL, f"person{n % 200}@example.com"),),
                    purpose="newsletter",
                    fingerprint=f"raw-{n}",
                )
                started = time.perf_counter()
                record_events(ctx, drafts=[draft])
                with lock:
                    latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        threads = [threading.Thread(target=writer, args=(w,)) for w in range(writers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - started
        ctx.engine.dispose()
        return {
            "events_per_s": len(latencies) / seconds,
            "p99_ms": percentile(latencies, 0.99) * 1000,
        }
    finally:
        drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--batch", type=int, default=20, help="Events per request, 2nd run.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        http = served(args.events, args.workers, args.writers, work)
        batched = served(args.events, args.workers, args.writers, work, batch=args.batch)
        base = raw(args.events, args.writers, work)
    ratio = http["events_per_s"] / base["events_per_s"]
    print(
        f"served ({args.workers} workers, {args.writers} writers, PostgreSQL): "
        f"{http['events_per_s']:.0f} events/s, p50 {http['p50_ms']:.1f} ms, "
        f"p99 {http['p99_ms']:.1f} ms, {int(http['retries'])} retries"
    )
    print(
        f"raw record_events in-process ({args.writers} threads): "
        f"{base['events_per_s']:.0f} events/s, p99 {base['p99_ms']:.1f} ms"
    )
    print(
        f"served, {args.batch} events a request: {batched['events_per_s']:.0f} events/s, "
        f"p99 {batched['p99_ms']:.1f} ms a request"
    )
    print(f"ratio served/raw: {ratio:.2f}")
    print(
        "every acknowledged event exactly once, dense: "
        f"{bool(http['dense_and_exactly_once'])}; verify: {bool(http['verified'])}"
    )
    print(
        json.dumps(
            {
                "bench": "load",
                "events": args.events,
                "workers": args.workers,
                "writers": args.writers,
                "served": http,
                "served_batched": batched,
                "batch": args.batch,
                "raw": base,
                "ratio": ratio,
            }
        )
    )


if __name__ == "__main__":
    main()
