"""Shared pieces of the sync tests: a real local webhook receiver, contexts with fast retries,
events for many subjects, and a bounded loop that runs the dispatcher until a goal is met."""

from __future__ import annotations

import contextlib
import random
import socket
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import orjson
from sqlalchemy import func, select
from tests.conftest import TEST_MASTER_KEY
from tests.factories.events import email, make_draft, record
from typer.testing import CliRunner

from trustguardian.cli.app import app
from trustguardian.domain.events import EventKind, PrivacyEvent
from trustguardian.domain.sync import SystemKind, Webhook
from trustguardian.service.context import Context
from trustguardian.service.sync.systems import create_system, create_webhook
from trustguardian.service.sync.webhooks import list_dead_letters
from trustguardian.store import tables as t
from trustguardian.sync.dispatcher import Dispatcher, Pass

# Retries that take milliseconds instead of minutes; nothing goes dead by chance.
FAST: dict[str, Any] = {
    "sync_backoff_base_seconds": 0.01,
    "sync_backoff_cap_seconds": 0.05,
    "sync_max_attempts": 60,
    "webhook_timeout_seconds": 2.0,
    # The receivers listen on loopback, which outbound requests reach only when allowed.
    "outbound_allow_hosts": "127.0.0.1",
}


@dataclass(frozen=True)
class Received:
    """One request as the receiver saw it, and how it answered."""

    n: int
    path: str
    headers: dict[str, str]
    body: bytes
    status: int

    @property
    def webhook_id(self) -> str:
        return self.headers.get("webhook-id", "")

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = orjson.loads(self.body)
        return data


# (request so far, how many times this webhook-id was seen before) -> (status, seconds to stall)
Policy = Callable[[Received, int], tuple[int, float]]


def always(status: int = 204, stall: float = 0.0) -> Policy:
    return lambda _request, _seen: (status, stall)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, receiver: Receiver) -> None:
        self.receiver = receiver
        self.open: set[socket.socket] = set()
        self.open_lock = threading.Lock()
        super().__init__(("127.0.0.1", port), _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.open_lock:
            self.open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.open_lock:
            self.open.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (timeout) or a restart cut the connection: expected here."""

    def cut_connections(self) -> None:
        with self.open_lock:
            live = list(self.open)
        for sock in live:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length)
        if len(body) < length:  # the connection was cut (a restart): nothing arrived
            self.close_connection = True
            return
        status, stall = self.server.receiver.decide(self.path, dict(self.headers.items()), body)
        if stall:
            time.sleep(stall)
        self.send_response(status)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


class Receiver:
    """A real HTTP webhook endpoint on 127.0.0.1 that answers by `policy`.

    Every request is recorded when it arrives (before any stall), with the status it gets.
    `restart()` closes the listening socket and every open connection, then listens again on
    the same port, like a receiver redeployed while requests are in flight.
    """

    def __init__(self, policy: Policy | None = None) -> None:
        self.policy: Policy = policy or always()
        self.requests: list[Received] = []
        self.lock = threading.Lock()
        self.port = 0
        self.restarts = 0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> Receiver:
        server = _Server(self.port, self)
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.cut_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join(5)

    def restart(self, downtime: float = 0.05) -> None:
        self.stop()
        time.sleep(downtime)
        self.start()
        self.restarts += 1

    def decide(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, float]:
        lowered = {k.lower(): v for k, v in headers.items()}
        with self.lock:
            webhook_id = lowered.get("webhook-id", "")
            seen = sum(1 for r in self.requests if r.webhook_id == webhook_id)
            probe = Received(len(self.requests), path, lowered, body, 0)
            status, stall = self.policy(probe, seen)
            self.requests.append(Received(probe.n, path, lowered, body, status))
        return status, stall

    # what arrived ----------------------------------------------------------------------------

    def all(self, path: str | None = None) -> list[Received]:
        with self.lock:
            return [r for r in self.requests if path is None or r.path == path]

    def accepted(self, path: str | None = None) -> list[Received]:
        return [r for r in self.all(path) if r.ok]

    def accepted_ids(self, path: str | None = None) -> list[str]:
        return [r.webhook_id for r in self.accepted(path)]

    def seen_ids(self, path: str | None = None) -> set[str]:
        return {r.webhook_id for r in self.all(path)}

    def unique(self, path: str | None = None) -> dict[str, Received]:
        """The accepted requests de-duplicated by webhook-id, first one kept, in arrival order."""
        found: dict[str, Received] = {}
        for r in self.accepted(path):
            found.setdefault(r.webhook_id, r)
        return found

    def count(self) -> int:
        with self.lock:
            return len(self.requests)


@dataclass
class Receivers:
    """Starts receivers for a test and stops them all at its end."""

    started: list[Receiver] = field(default_factory=list)

    def __call__(self, policy: Policy | None = None) -> Receiver:
        receiver = Receiver(policy).start()
        self.started.append(receiver)
        return receiver

    def stop_all(self) -> None:
        for receiver in self.started:
            receiver.stop()


def free_port() -> int:
    """A port nothing listens on (a receiver that is down)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# events ----------------------------------------------------------------------------------------


def person(n: int) -> str:
    return f"person{n:03d}@example.com"


def events_for(
    ctx: Context,
    *,
    subjects: int,
    total: int,
    batches: int = 1,
    seed: int = 1,
    start: int = 0,
) -> list[PrivacyEvent]:
    """`total` consent events (given or withdrawn) spread over `subjects` people, in batches."""
    rng = random.Random(seed)
    drafts = []
    for n in range(total):
        who = start + (n % subjects if n < subjects else rng.randrange(subjects))
        kind = rng.choice([EventKind.CONSENT_GIVEN, EventKind.CONSENT_WITHDRAWN])
        drafts.append(
            make_draft(kind, identifiers=(email(person(who)),), fingerprint=f"{seed}-{n}")
        )
    size = -(-total // batches)
    recorded: list[PrivacyEvent] = []
    for first in range(0, total, size):
        recorded += record(ctx, *drafts[first : first + size])
    return recorded


def by_subject(events: Iterable[PrivacyEvent]) -> dict[str, list[str]]:
    """Each subject's event ids in ledger order."""
    chains: dict[str, list[tuple[int, str]]] = {}
    for e in events:
        chains.setdefault(e.subject_id, []).append((e.seq, e.id))
    return {s: [i for _, i in sorted(c)] for s, c in chains.items()}


def first_seen_by_subject(requests: Sequence[Received]) -> dict[str, list[str]]:
    """Per subject, the order in which event ids were first seen."""
    chains: dict[str, list[str]] = {}
    for r in requests:
        subject = r.json()["data"]["subject_id"]
        chain = chains.setdefault(subject, [])
        if r.webhook_id not in chain:
            chain.append(r.webhook_id)
    return chains


# the command line ---------------------------------------------------------------------------


def cli_env(ctx: Context) -> dict[str, str]:
    """The environment of a CLI run against this context's database, with fast retries."""
    return {
        "TRUSTGUARDIAN_DATABASE_URL": ctx.settings.database_url,
        "TRUSTGUARDIAN_KEYS_FILE": str(ctx.settings.keys_file),
        "TRUSTGUARDIAN_MASTER_KEY": TEST_MASTER_KEY,
        "TRUSTGUARDIAN_SYNC_BACKOFF_BASE_SECONDS": "0.01",
        "TRUSTGUARDIAN_SYNC_BACKOFF_CAP_SECONDS": "0.02",
        "TRUSTGUARDIAN_OUTBOUND_ALLOW_HOSTS": "127.0.0.1",
    }


def run_cli(env: dict[str, str], *args: str) -> tuple[int, str]:
    """Runs `trustguardian ARGS` in this process: (exit code, output)."""
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.output


# the deliveries table -----------------------------------------------------------------------


def delivery_counts(ctx: Context, destination: str | None = None) -> dict[str, int]:
    query = select(t.deliveries.c.status, func.count()).group_by(t.deliveries.c.status)
    if destination is not None:
        query = query.where(t.deliveries.c.destination == destination)
    with ctx.engine.connect() as conn:
        return {status: int(n) for status, n in conn.execute(query)}


def delivery_rows(ctx: Context, destination: str) -> dict[int, Any]:
    query = select(t.deliveries).where(t.deliveries.c.destination == destination)
    with ctx.engine.connect() as conn:
        return {r.seq: r for r in conn.execute(query)}


def run_until(
    dispatcher: Dispatcher,
    done: Callable[[], bool],
    *,
    max_passes: int = 400,
    seconds: float = 60.0,
    between: Callable[[int], None] | None = None,
) -> list[Pass]:
    """Runs dispatcher passes until `done()` (bounded by passes and time); returns the passes."""
    passes: list[Pass] = []
    deadline = time.monotonic() + seconds
    while not done():
        assert len(passes) < max_passes, f"not done after {max_passes} passes: {passes[-3:]}"
        assert time.monotonic() < deadline, f"not done after {seconds} s: {passes[-3:]}"
        if between is not None:
            between(len(passes))
        result = dispatcher.run_once()
        passes.append(result)
        if not (result.enqueued or result.delivered or result.failed or result.dead):
            time.sleep(0.01)
    return passes


def run_passes(dispatcher: Dispatcher, count: int, pause: float = 0.02) -> list[Pass]:
    """Exactly `count` passes, with a pause between them (so that backoffs come due)."""
    passes = []
    for _ in range(count):
        passes.append(dispatcher.run_once())
        time.sleep(pause)
    return passes


def two_systems_with_dead_letters(
    ctx: Context, receivers: Receivers, up: dict[str, bool]
) -> tuple[Receiver, Webhook, Webhook, list[int]]:
    """A CRM and an ESP whose receiver fails until `up["on"]`: each ends with three dead
    letters (one event each of three people)."""
    receiver = receivers(lambda _r, _n: (204, 0.0) if up["on"] else (500, 0.0))
    create_system(ctx, key="crm", name="CRM", kind=SystemKind.CRM)
    create_system(ctx, key="esp", name="ESP", kind=SystemKind.ESP)
    crm, _ = create_webhook(ctx, system_key="crm", url=receiver.url("/crm"))
    esp, _ = create_webhook(ctx, system_key="esp", url=receiver.url("/esp"))
    people = [f"dead{n}@example.com" for n in range(3)]
    events = record(ctx, *[make_draft(identifiers=(email(p),), fingerprint=p) for p in people])
    with httpx.Client(timeout=5) as client:
        dispatcher = Dispatcher(ctx, client=client)
        run_until(dispatcher, lambda: len(list_dead_letters(ctx)) == 6)
        dispatcher.close()
    return receiver, crm, esp, [e.seq for e in events]
