"""Sync benchmark: webhook deliveries/s through the outbox dispatcher vs plain httpx POSTs of the
same bodies to the same local receiver, the lag from recording to delivery, and NATS JetStream
publishes/s through the broker publisher vs a raw nats-py publish loop of the same messages.

    python bench/sync.py [--events 5000] [--live-events 500] [--live-rate 100] [--workers 8]
                         [--interval 0.05] [--backends sqlite,postgresql]
                         [--nats-url nats://127.0.0.1:4222]

Per backend:
- drain: N events are recorded first, then the dispatcher runs passes until every one is
  delivered to a receiver that answers 204 at once (a ThreadingHTTPServer, keep-alive);
  deliveries/s = N / the time the passes took;
- raw: the same bodies and signed headers (built as the dispatcher builds them, untimed), POSTed
  with one httpx.Client from as many threads as the dispatcher has workers; the ratio is
  dispatcher / raw. The receiver runs in a child process, so it does not share our GIL;
- live lag: with the dispatcher running (`Dispatcher.run`, idle interval --interval), more events
  are recorded in batches of 10 at --live-rate events/s (below what it delivers, so this is the
  lag of a dispatcher that keeps up); lag = delivered_at - the outbox row's created_at, p50 and
  p99 (delivered_at is stamped when the pass records its results, after its last send);
- NATS: `BrokerPublisher.run_once` until it has published every event, vs `await js.publish` of
  the same subjects, bodies and Nats-Msg-Id one after another on another stream (both streams
  are this run's own and are deleted at the end). Skipped when --nats-url is empty.

Prints each figure, then one JSON line with all of them.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import statistics
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import nats
import orjson
from sqlalchemy import func, select

from common import context, database, percentile, web_form_registry
from trustguardian.domain.events import EventKind
from trustguardian.domain.subjects import Identifier, IdentifierKind
from trustguardian.domain.sync import SystemKind, Webhook
from trustguardian.service.context import Context
from trustguardian.service.events.recording import record_events
from trustguardian.service.events.validate import EventDraft
from trustguardian.service.sync.systems import create_system, create_webhook, signing_secrets
from trustguardian.store import tables as t
from trustguardian.sync.broker import BrokerPublisher
from trustguardian.sync.dispatcher import Dispatcher
from trustguardian.sync.payloads import broker_payload, webhook_payloads
from trustguardian.sync.signing import headers

BATCH = 500
LIVE_BATCH = 10


# --- a fast local receiver, in its own process (it does not share our GIL) ----------------------


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self.send_response(204)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


def _serve(ports: Any) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    ports.put(server.server_address[1])
    server.serve_forever()


class Receiver:
    """A ThreadingHTTPServer answering 204 at once (keep-alive), in a child process."""

    def __init__(self) -> None:
        forking = multiprocessing.get_context("fork")
        ports = forking.Queue()
        self.process = forking.Process(target=_serve, args=(ports,), daemon=True)
        self.process.start()
        self.url = f"http://127.0.0.1:{ports.get(timeout=10)}/hook"

    def close(self) -> None:
        self.process.terminate()
        self.process.join(5)


# --- a database with a registry, a system and a webhook ------------------------------------------


def registry(ctx: Context) -> None:
    web_form_registry(ctx, notice_text="Info\n")


def drafts(count: int, first: int = 0) -> list[EventDraft]:
    """Consents given and withdrawn, two events a person."""
    now = datetime.now(UTC)
    return [
        EventDraft(
            kind=EventKind.CONSENT_GIVEN if n % 5 else EventKind.CONSENT_WITHDRAWN,
            touchpoint="web-form",
            occurred_at=now - timedelta(seconds=count - n + first),
            identifiers=(Identifier(IdentifierKind.EMAIL, f"person{n // 2}@example.com"),),
            purpose="newsletter",
            fingerprint=str(n),
        )
        for n in range(first, first + count)
    ]


def record(ctx: Context, todo: list[EventDraft], batch: int) -> None:
    for first in range(0, len(todo), batch):
        record_events(ctx, drafts=todo[first : first + batch])


def delivered(ctx: Context) -> int:
    query = select(func.count()).where(t.deliveries.c.status == "delivered")
    with ctx.engine.connect() as conn:
        return int(conn.execute(query.select_from(t.deliveries)).scalar_one())


def lags_ms(ctx: Context, from_seq: int) -> list[float]:
    """delivered_at - outbox created_at of every delivery from a sequence number on, sorted."""
    query = (
        select(t.outbox.c.created_at, t.deliveries.c.delivered_at)
        .select_from(t.deliveries.join(t.outbox, t.outbox.c.seq == t.deliveries.c.seq))
        .where(t.deliveries.c.seq >= from_seq, t.deliveries.c.status == "delivered")
    )
    with ctx.engine.connect() as conn:
        found = [(d - c).total_seconds() * 1000 for c, d in conn.execute(query)]
    return sorted(found)


# --- the figures ---------------------------------------------------------------------------------


def signed_messages(ctx: Context, hook: Webhook) -> list[tuple[dict[str, str], bytes]]:
    """The bodies and headers the dispatcher sends, built the same way (not timed)."""
    now = int(time.time())
    with ctx.uow(write=False) as uow:
        system = uow.sync.system(hook.system_key)
        assert system is not None
        secrets_now = signing_secrets(ctx, uow, hook.id)
        rows = uow.sync.outbox_after(0, 10**9)
        bodies = webhook_payloads(ctx, uow, system, uow.events.by_ids([r.event_id for r in rows]))
        messages = []
        for row in rows:
            body = orjson.dumps(bodies[row.event_id])
            messages.append((headers(secrets_now, row.event_id, now, body), body))
    return messages


def raw_posts(url: str, messages: list[tuple[dict[str, str], bytes]], workers: int) -> float:
    """Plain httpx POSTs/s of the same bodies and headers, from `workers` threads."""
    with httpx.Client(timeout=10) as client:

        def post(message: tuple[dict[str, str], bytes]) -> None:
            client.post(url, content=message[1], headers=message[0]).raise_for_status()

        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(post, messages))
        return len(messages) / (time.perf_counter() - start)


def broker_rate(ctx: Context, events: int) -> float:
    publisher = BrokerPublisher(ctx, owner="bench")
    published = 0
    start = time.perf_counter()
    while published < events:
        done = publisher.run_once()
        if not done:
            raise RuntimeError(f"the publisher stopped at {published} of {events}")
        published += done
    return published / (time.perf_counter() - start)


async def _raw_publish(url: str, stream: str, messages: list[tuple[str, bytes, str]]) -> float:
    connection = await nats.connect(url, connect_timeout=5)
    try:
        js = connection.jetstream()
        await js.add_stream(name=stream, subjects=[f"{stream.lower()}.>"])
        start = time.perf_counter()
        for subject, body, msg_id in messages:
            await js.publish(f"{stream.lower()}.{subject}", body, headers={"Nats-Msg-Id": msg_id})
        return len(messages) / (time.perf_counter() - start)
    finally:
        await connection.close()


async def _delete_streams(url: str, names: list[str]) -> None:
    connection = await nats.connect(url, connect_timeout=5)
    try:
        js = connection.jetstream()
        for name in names:
            with contextlib.suppress(nats.js.errors.NotFoundError):
                await js.delete_stream(name)
    finally:
        await connection.close()


def raw_nats(ctx: Context, stream: str) -> float:
    """The same messages as the publisher's, published one after another with nats-py."""
    with ctx.uow(write=False) as uow:
        rows = uow.sync.outbox_after(0, 10**9)
        events = {e.id: e for e in uow.events.by_ids([r.event_id for r in rows])}
    messages = [
        (r.kind, orjson.dumps(broker_payload(events[r.event_id], {})), r.event_id) for r in rows
    ]
    return asyncio.run(_raw_publish(str(ctx.settings.nats_url), stream, messages))


def run(
    backend: str,
    events: int,
    live_events: int,
    live_rate: float,
    workers: int,
    interval: float,
    nats_url: str | None,
    workdir: Path,
) -> dict[str, float]:
    url, cleanup = database(backend, workdir)
    tag = uuid.uuid4().hex[:8].upper()
    streams = [f"TGBENCH{tag}", f"TGBENCHRAW{tag}"]
    ctx = context(
        url,
        workdir,
        nats_url=nats_url or None,
        nats_stream=streams[0],
        nats_subject_prefix=f"tgbench{tag.lower()}.events",
        outbound_allow_hosts="127.0.0.1",  # the receiver listens on loopback
    )
    receiver = Receiver()
    try:
        registry(ctx)
        create_system(ctx, key="esp", name="ESP", kind=SystemKind.ESP)
        hook, _ = create_webhook(ctx, system_key="esp", url=receiver.url)
        record(ctx, drafts(events), BATCH)

        # The client `sync run` uses: every connection checked against the address rules.
        with ctx.outbound.client(timeout=ctx.settings.webhook_timeout_seconds) as client:
            dispatcher = Dispatcher(ctx, client=client, workers=workers)
            passes = 0
            start = time.perf_counter()
            while delivered(ctx) < events:
                dispatcher.run_once()
                passes += 1
            drain = events / (time.perf_counter() - start)
            raw = raw_posts(receiver.url, signed_messages(ctx, hook), workers)

            # Live: the dispatcher runs while events come in.
            stop = threading.Event()
            loop = threading.Thread(
                target=dispatcher.run, args=(stop,), kwargs={"interval": interval}
            )
            loop.start()
            with ctx.uow(write=False) as uow:
                live_from = uow.ledger.size()  # the registry's own leaves come first
            live = drafts(live_events, first=events)
            began = time.perf_counter()
            for first in range(0, live_events, LIVE_BATCH):
                # Paced at --live-rate: the lag of a dispatcher that keeps up, not a backlog.
                pause = began + first / live_rate - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
                record_events(ctx, drafts=live[first : first + LIVE_BATCH])
            deadline = time.monotonic() + 300
            while delivered(ctx) < events + live_events and time.monotonic() < deadline:
                time.sleep(0.01)
            stop.set()
            loop.join()
        lags = lags_ms(ctx, live_from)
        if len(lags) != live_events:
            raise RuntimeError(f"{len(lags)} of {live_events} live events delivered")

        figures: dict[str, float] = {
            f"{backend}_webhook_deliveries_per_s": round(drain),
            f"{backend}_webhook_passes_for_{events}": passes,
            f"{backend}_raw_httpx_posts_per_s": round(raw),
            f"{backend}_dispatcher_to_raw_ratio": round(drain / raw, 3),
            f"{backend}_live_lag_ms_p50": round(statistics.median(lags), 1),
            f"{backend}_live_lag_ms_p99": round(percentile(lags, 0.99), 1),
        }
        if nats_url:
            total = events + live_events
            publisher = broker_rate(ctx, total)
            raw_publish = raw_nats(ctx, streams[1])
            figures.update(
                {
                    f"{backend}_nats_publisher_msgs_per_s": round(publisher),
                    f"{backend}_nats_raw_publish_msgs_per_s": round(raw_publish),
                    f"{backend}_nats_publisher_to_raw_ratio": round(publisher / raw_publish, 3),
                }
            )
        for name, value in figures.items():
            print(f"{name:50s} {value}")
        return figures
    finally:
        receiver.close()
        if nats_url:
            asyncio.run(_delete_streams(nats_url, streams))
        ctx.engine.dispose()
        cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=5_000)
    parser.add_argument("--live-events", type=int, default=500)
    parser.add_argument("--live-rate", type=float, default=100.0, help="live events/s")
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--interval", type=float, default=0.05)
    parser.add_argument("--backends", default="sqlite")
    parser.add_argument("--nats-url", default="nats://127.0.0.1:4222")
    args = parser.parse_args()
    figures: dict[str, float] = {
        "events": args.events,
        "live_events": args.live_events,
        "live_rate_per_s": args.live_rate,
        "workers": args.workers,
        "interval_s": args.interval,
    }
    with tempfile.TemporaryDirectory() as tmp:
        for backend in args.backends.split(","):
            figures.update(
                run(
                    backend,
                    args.events,
                    args.live_events,
                    args.live_rate,
                    args.workers,
                    args.interval,
                    args.nats_url,
                    Path(tmp),
                )
            )
    print(json.dumps(figures))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
