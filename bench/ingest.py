"""Ingest benchmark: events/s through the service layer (with proofs) vs a raw insert of the same
rows, inclusion-proof time at 1M leaves, and the verification rate (`verify_ledger`, as the CLI
runs it) vs only reading every event row and hashing its leaf; SQLite and PostgreSQL.

    python bench/ingest.py [--events 50000] [--batch 1000] [--proof-leaves 1000000]
                           [--backends sqlite,postgresql] [--witnesses N] [--no-peer]

Beside our ingest, interleaved batch by batch, run two arms of the peer event store
`eventsourcing` 9.5 (bench/peer_eventsourcing.py) on its own SQLite persistence, whatever our
backend: same event count, payloads the size of our leaves; each reports events/s, events per
CPU second, our ratio to it and its last-tenth/first-tenth ratio (--no-peer leaves them out).
The floor (bench/ingest_floor.py) is the raw insert of our rows plus the cryptography each
event needs, in events per CPU second. docs/ingest.md explains the figures.

With --witnesses N, N witness servers run on loopback during the ingest and the log's sender
cosigns beside it: the figures add the cosigning latency (checkpoint signed -> every witness's
cosignature stored, median and p99 over the checkpoints they cosigned).

Prints each figure, then one JSON line with all of them.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Column, MetaData, Table, func, insert, select, text

from common import context, database, web_form_registry
from ingest_floor import crypto_floor
from peer_eventsourcing import Peer, PeerRecorder
from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import (
    ProofType,
)
from trustguardian.domain.subjects import Identifier, IdentifierKind
from trustguardian.ledger import (
    Node,
    append,
    inclusion_coords,
    inclusion_proof,
    leaf_hash,
    root,
    root_coords,
)
from trustguardian.service.collect.evidence import ProofDraft
from trustguardian.service.context import Context
from trustguardian.service.events.recording import record_events
from trustguardian.service.events.validate import EventDraft
from trustguardian.service.registry import notices
from trustguardian.service.verify.full import verify_ledger
from trustguardian.store import tables as t
from witnessing import Witnessed


def registry(ctx: Context) -> tuple[str, int, str]:
    web_form_registry(
        ctx,
        notice_text="Informativa\n" * 40,
        required_proofs=[ProofType.NETWORK, ProofType.NOTICE_SHOWN],
    )
    version = notices.notice_in_force(ctx, key="privacy")
    return version.key, version.version, version.sha256


def drafts(
    count: int, notice: tuple[str, int, str], *, first: int = 0, total: int | None = None
) -> list[EventDraft]:
    """Events `first` to `first + count` of a run of `total` (the last one a second ago)."""
    now = datetime.now(UTC)
    total = count if total is None else total
    out = []
    for n in range(first, first + count):
        kind = EventKind.CONSENT_GIVEN if n % 5 else EventKind.CONSENT_WITHDRAWN
        out.append(
            EventDraft(
                kind=kind,
                touchpoint="web-form",
                occurred_at=now - timedelta(seconds=total - n),
                identifiers=(Identifier(IdentifierKind.EMAIL, f"person{n // 2}@example.com"),),
                purpose="newsletter",
                proofs=(
                    ProofDraft(
                        ProofType.NETWORK,
                        {"ip": f"192.0.2.{n % 250}", "user_agent": "Mozilla/5.0 bench"},
                    ),
                    ProofDraft(
                        ProofType.NOTICE_SHOWN,
                        {"key": notice[0], "version": notice[1], "sha256": notice[2]},
                    ),
                ),
                fingerprint=str(n),
            )
        )
    return out


def raw_baseline(ctx: Context, rows: list[dict[str, object]], batch: int) -> float:
    """Rows/s for a plain executemany of the same event rows into a copy of the events table."""
    scratch = Table(
        "bench_raw_events",
        MetaData(),
        *[
            Column(c.name, c.type, primary_key=c.primary_key, autoincrement=False)
            for c in t.events.columns
        ],
    )
    scratch.create(ctx.engine)
    start = time.perf_counter()
    for first in range(0, len(rows), batch):
        with ctx.engine.begin() as conn:
            conn.execute(insert(scratch), rows[first : first + batch])
    elapsed = time.perf_counter() - start
    scratch.drop(ctx.engine)
    return len(rows) / elapsed


def table_counts(ctx: Context) -> dict[str, int]:
    with ctx.engine.connect() as conn:
        return {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in t.metadata.sorted_tables
        }


def raw_all_tables(
    ctx: Context, backend: str, workdir: Path, before: dict[str, int], events: int, batch: int
) -> tuple[float, float, dict[str, int]]:
    """Events/s (wall and CPU) for a raw insert of every row the service wrote, table by table.

    The rows of each table the ingest grew (events, proofs, outbox, consent states, tree nodes,
    subjects, their keys and identifiers, checkpoints...) are read back in their stored form and
    written into a freshly migrated database through the driver's executemany, in as many
    transactions as the ingest had batches, each taking its share of every table. No Python
    work besides the driver's: the ceiling of the writes themselves on this machine. Foreign
    keys are not checked there, so the ceiling is if anything too high.
    """
    after = table_counts(ctx)
    grown = [tb for tb in t.metadata.sorted_tables if after[tb.name] > before[tb.name]]
    data: dict[str, tuple[list[str], list[tuple[object, ...]]]] = {}
    # Table and column names below come from the table definitions, never from input.
    with ctx.engine.connect() as conn:
        for tb in grown:
            names = [c.name for c in tb.columns]
            picked = ", ".join(f"{n}::text" if backend == "postgresql" else n for n in names)
            rows = conn.exec_driver_sql(f"SELECT {picked} FROM {tb.name}").all()  # noqa: S608
            data[tb.name] = (names, [tuple(r) for r in rows])
    url, cleanup = database(backend, workdir)
    copy = context(url, workdir)
    raw = copy.engine.raw_connection()
    try:
        cursor = raw.cursor()
        if backend == "sqlite":
            cursor.execute("PRAGMA foreign_keys=OFF")
        else:
            cursor.execute("SET session_replication_role = replica")
        raw.commit()
        mark = "?" if backend == "sqlite" else "%s"
        batches = max(1, -(-events // batch))
        start, start_cpu = time.perf_counter(), time.process_time()
        for b in range(batches):
            if backend == "sqlite":
                cursor.execute("BEGIN IMMEDIATE")  # the engine runs pysqlite in autocommit mode
            for name, (names, rows) in data.items():
                part = rows[b * len(rows) // batches : (b + 1) * len(rows) // batches]
                if part:
                    columns, marks = ", ".join(names), ", ".join(mark for _ in names)
                    sql = f"INSERT INTO {name} ({columns}) VALUES ({marks})"  # noqa: S608
                    cursor.executemany(sql, part)
            raw.commit()
        elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    finally:
        raw.close()
        copy.engine.dispose()
        cleanup()
    return events / elapsed, events / cpu, {name: len(rows) for name, (_, rows) in data.items()}


def raw_read_rate(ctx: Context) -> float:
    """Events/s for only reading every event row in seq order and hashing its leaf."""
    start = time.perf_counter()
    count = 0
    with ctx.engine.connect() as conn:
        result = conn.execution_options(stream_results=True).exec_driver_sql(
            "SELECT * FROM events ORDER BY seq"
        )
        while rows := result.fetchmany(5000):
            for row in rows:
                leaf_hash(bytes(row.leaf))
            count += len(rows)
    return count / (time.perf_counter() - start)


def proof_time(ctx: Context, leaves: int) -> tuple[float, float]:
    """Median and p99 ms to read the nodes and build an inclusion proof in a tree of `leaves`."""
    hashes = [leaf_hash(n.to_bytes(8, "big")) for n in range(leaves)]
    nodes: list[Node] = append(0, hashes, lambda level, index: b"")
    with ctx.engine.begin() as conn:
        conn.execute(text("DELETE FROM tree_nodes"))
        for first in range(0, len(nodes), 50_000):
            conn.execute(
                insert(t.tree_nodes),
                [
                    {"level": n.level, "idx": n.index, "hash": n.hash}
                    for n in nodes[first : first + 50_000]
                ],
            )
    expected = root(leaves, {n.coord: n.hash for n in nodes if n.coord in set(root_coords(leaves))})
    timings = []
    for n in range(200):
        index = (n * 7919) % leaves
        start = time.perf_counter()
        with ctx.uow(write=False) as uow:
            stored = uow.ledger.nodes(inclusion_coords(index, leaves))
        path = inclusion_proof(index, leaves, stored)
        timings.append((time.perf_counter() - start) * 1000)
        assert path is not None
    del expected
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.99) - 1]


Arm = Peer | PeerRecorder


def ingest_batches(
    ctx: Context,
    notice: tuple[str, int, str],
    events: int,
    batch: int,
    peers: dict[str, Arm] | None = None,
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Seconds per batch, wall and CPU of this process, by arm ("ours" is record_events).

    Each batch's drafts are made just before it, as an import streams its file: only the time
    in record_events counts, and the run never holds all its drafts at once. Each peer arm's
    batch of the same events (payload the mean size of our first batch's leaves) runs beside
    each of ours, the arms taking turns to go first. The CPU seconds tell the arms apart on a
    machine shared with other work, where wall time also counts the waits for a core."""
    peers = peers or {}
    wall: dict[str, list[float]] = {name: [] for name in ["ours", *peers]}
    cpu: dict[str, list[float]] = {name: [] for name in wall}
    payload = 0
    for b, first in enumerate(range(0, events, batch)):
        count = min(batch, events - first)
        arms = [*peers, "ours"]
        arms = arms[b % len(arms) :] + arms[: b % len(arms)]
        for arm in arms if payload else ["ours", *peers]:
            todo = drafts(count, notice, first=first, total=events) if arm == "ours" else []
            start, start_cpu = time.perf_counter(), time.process_time()
            if arm == "ours":
                record_events(ctx, drafts=todo)
            else:
                peers[arm].batch(first, count, payload)
            wall[arm].append(time.perf_counter() - start)
            cpu[arm].append(time.process_time() - start_cpu)
            payload = payload or mean_leaf(ctx)
    return wall, cpu


def mean_leaf(ctx: Context) -> int:
    """The mean size in bytes of the leaves written so far."""
    with ctx.engine.connect() as conn:
        return round(conn.execute(select(func.avg(func.length(t.events.c.leaf)))).scalar_one())


def tenths(spent: list[float], batch: int) -> tuple[float, float]:
    """Events/s over the first and the last tenth of a run's batches."""
    tenth = max(1, len(spent) // 10)
    return tenth * batch / sum(spent[:tenth]), tenth * batch / sum(spent[-tenth:])


def run(
    backend: str,
    events: int,
    batch: int,
    proof_leaves: int,
    workdir: Path,
    witnesses: int = 0,
    with_peer: bool = True,
) -> dict[str, float]:
    url, cleanup = database(backend, workdir)
    ctx = context(url, workdir)
    try:
        notice = registry(ctx)
        before = table_counts(ctx)
        witnessed: dict[str, float] = {}
        peers: dict[str, Arm] = {}
        if with_peer:
            peers["eventsourcing_app"] = Peer(workdir / f"peer-app-{backend}.db")
            peers["eventsourcing_recorder"] = PeerRecorder(workdir / f"peer-rec-{backend}.db")
        try:
            if witnesses:
                with Witnessed(ctx, witnesses, workdir / backend) as running:
                    wall, cpu = ingest_batches(ctx, notice, events, batch, peers)
                    witnessed = running.figures(backend)
            else:
                wall, cpu = ingest_batches(ctx, notice, events, batch, peers)
            for name, arm in peers.items():
                assert arm.count() == events, (name, arm.count(), events)
        finally:
            for arm in peers.values():
                arm.close()
        spent = wall["ours"]
        ingest = events / sum(spent)
        first_tenth, last_tenth = tenths(spent, batch)
        peer_figures: dict[str, float] = {
            f"{backend}_ingest_events_per_cpu_s": round(events / sum(cpu["ours"]))
        }
        for name in peers:
            rate, rate_cpu = events / sum(wall[name]), events / sum(cpu[name])
            first, last = tenths(wall[name], batch)
            peer_figures |= {
                f"{backend}_peer_{name}_events_per_s": round(rate),
                f"{backend}_ingest_to_peer_{name}_ratio": round(ingest / rate, 3),
                f"{backend}_peer_{name}_last_to_first_tenth_ratio": round(last / first, 3),
                f"{backend}_peer_{name}_events_per_cpu_s": round(rate_cpu),
                f"{backend}_ingest_to_peer_{name}_cpu_ratio": round(
                    peer_figures[f"{backend}_ingest_events_per_cpu_s"] / rate_cpu, 3
                ),
            }
        if peers:
            peer_figures[f"{backend}_peer_payload_bytes"] = mean_leaf(ctx)
        with ctx.engine.connect() as conn:
            rows = [
                dict(r._mapping) for r in conn.execute(t.events.select().order_by(t.events.c.seq))
            ]
        raw = raw_baseline(ctx, rows, batch)
        raw_all, raw_all_cpu, written = raw_all_tables(ctx, backend, workdir, before, events, batch)
        pad = {"pad": "x" * max(0, mean_leaf(ctx) - 90)}
        crypto = crypto_floor(ctx, events, batch, pad)
        # The floor: the rows written and the cryptography done, with nothing in between.
        floor = 1 / (1 / raw_all_cpu + 1 / crypto)
        peer_figures[f"{backend}_floor_crypto_events_per_cpu_s"] = round(crypto)
        peer_figures[f"{backend}_floor_rows_events_per_cpu_s"] = round(raw_all_cpu)
        peer_figures[f"{backend}_floor_events_per_cpu_s"] = round(floor)
        if peers:
            app_cpu = peer_figures[f"{backend}_peer_eventsourcing_app_events_per_cpu_s"]
            peer_figures[f"{backend}_floor_to_peer_eventsourcing_app_cpu_ratio"] = round(
                floor / app_cpu, 3
            )
        print(f"{backend}: rows written per table: {written}")
        raw_read = raw_read_rate(ctx)
        start = time.perf_counter()
        report = verify_ledger(ctx, evidence=False)
        verify_rate = report.events / (time.perf_counter() - start)
        assert report.ok, report.problems[:5]
        start = time.perf_counter()
        report = verify_ledger(ctx, evidence=True)
        verify_evidence_rate = report.events / (time.perf_counter() - start)
        assert report.ok, report.problems[:5]
        median, p99 = proof_time(ctx, proof_leaves)
        figures = {
            f"{backend}_ingest_events_per_s": round(ingest),
            f"{backend}_raw_insert_rows_per_s": round(raw),
            f"{backend}_ingest_to_raw_ratio": round(ingest / raw, 3),
            f"{backend}_ingest_events_per_s_first_tenth": round(first_tenth),
            f"{backend}_ingest_events_per_s_last_tenth": round(last_tenth),
            f"{backend}_ingest_last_to_first_tenth_ratio": round(last_tenth / first_tenth, 3),
            **peer_figures,
            f"{backend}_raw_insert_all_tables_events_per_s": round(raw_all),
            f"{backend}_ingest_to_raw_all_tables_ratio": round(ingest / raw_all, 3),
            f"{backend}_raw_read_and_hash_events_per_s": round(raw_read),
            f"{backend}_verify_events_per_s": round(verify_rate),
            f"{backend}_verify_to_raw_read_ratio": round(verify_rate / raw_read, 3),
            f"{backend}_verify_with_evidence_events_per_s": round(verify_evidence_rate),
            f"{backend}_inclusion_proof_ms_median_at_{proof_leaves}": round(median, 3),
            f"{backend}_inclusion_proof_ms_p99_at_{proof_leaves}": round(p99, 3),
            **witnessed,
        }
        for name, value in figures.items():
            print(f"{name:55s} {value}")
        return figures
    finally:
        ctx.engine.dispose()
        cleanup()  # type: ignore[operator]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--proof-leaves", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--witnesses", type=int, default=0, help="witness servers on loopback")
    parser.add_argument("--no-peer", action="store_true", help="without the eventsourcing peer arm")
    args = parser.parse_args()
    figures: dict[str, float] = {"events": args.events, "batch": args.batch}
    with tempfile.TemporaryDirectory() as tmp:
        for backend in args.backends.split(","):
            figures.update(
                run(
                    backend,
                    args.events,
                    args.batch,
                    args.proof_leaves,
                    Path(tmp),
                    args.witnesses,
                    not args.no_peer,
                )
            )
    print(json.dumps(figures))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
