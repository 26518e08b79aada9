"""The outbox dispatcher: every event to every subscribed system, at least once, in per-subject
order, with exponential backoff, jitter and a dead-letter state.

Work is taken from the outbox in a short transaction that writes the delivery records and moves
the destination's position together, so a crash never takes the same outbox row twice; sending
happens outside any transaction (a slow receiver never holds the database), and each result is
recorded in its own short transaction. A crash between sending and recording re-sends that one
message: receivers de-duplicate on `webhook-id`, which is the event id.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
import orjson

from trustguardian.domain.events import EventKind
from trustguardian.domain.holds import withholds_sync
from trustguardian.domain.sync import BROKER_DESTINATION as BROKER
from trustguardian.domain.sync import Delivery, DeliveryStatus, System, Webhook, backoff_seconds
from trustguardian.service.context import Context
from trustguardian.service.defence.purge import purge_defence_copies
from trustguardian.service.sync.erasures import erasure_identifiers
from trustguardian.service.sync.systems import signing_secrets
from trustguardian.store.sync import DeliveryResult
from trustguardian.store.uow import UnitOfWork
from trustguardian.sync.payloads import webhook_payloads
from trustguardian.sync.signing import headers

log = logging.getLogger(__name__)
# How often a running dispatcher destroys the defence copies whose retention ended (seconds).
PURGE_EVERY = 3600.0
# How much of a receiver's answer is read (and dropped) to keep its connection for the next.
ANSWER_READ_BYTES = 64 * 1024


@dataclass
class Pass:
    """What one pass did (`taken`: outbox rows looked at, wanted or not; `more`: it stopped at
    a batch's end or at its deadline, with work left that another pass can do now)."""

    taken: int = 0
    more: bool = False
    enqueued: int = 0
    delivered: int = 0
    failed: int = 0
    dead: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, status: DeliveryStatus) -> None:
        with self.lock:
            if status is DeliveryStatus.DELIVERED:
                self.delivered += 1
            elif status is DeliveryStatus.DEAD:
                self.dead += 1
            else:
                self.failed += 1


class Dispatcher:
    """Delivers outbox events to webhooks; `run_once` is one pass, `run` loops until stopped."""

    def __init__(
        self,
        ctx: Context,
        *,
        client: httpx.Client | None = None,
        owner: str | None = None,
        jitter: Callable[[], float] | None = None,
        workers: int = 8,
    ) -> None:
        self.ctx = ctx
        self._own_client = client is None
        # Every connection checked against the address rules (trustguardian.outbound).
        self.client = client or ctx.outbound.client(timeout=ctx.settings.webhook_timeout_seconds)
        self.owner = owner or f"dispatcher-{secrets.token_hex(4)}"
        self.jitter = jitter or (lambda: secrets.randbelow(1_000_000) / 1_000_000)
        self.workers = workers
        self._purge_due = 0.0  # time.monotonic() of the next periodic purge

    def periodic(self) -> int:
        """The work done now and then rather than every pass: destroying the defence copies
        past their retention that no legal hold covers. Returns how many were destroyed."""
        if time.monotonic() < self._purge_due:
            return 0
        self._purge_due = time.monotonic() + PURGE_EVERY
        destroyed = purge_defence_copies(self.ctx).destroyed
        if destroyed:
            log.info("%d defence copies past their retention destroyed", len(destroyed))
        return len(destroyed)

    def run_once(self) -> Pass:
        """Takes new outbox rows and delivers what is due, for every active webhook."""
        result = Pass()
        with self.ctx.uow(write=False) as uow:
            hooks = uow.sync.webhooks(active_only=True)
            systems = {s.key: s for s in uow.sync.systems()}
        for hook in hooks:
            if self._enqueue(hook, result):
                self._deliver(hook, systems[hook.system_key], result)
        return result

    def drain(self) -> Pass:
        """Runs passes until every outbox row is taken and every due delivery tried once.

        A delivery that fails meanwhile waits for its retry (the next `drain` or `run`), so
        this ends even while a receiver is down.
        """
        total = Pass()
        while True:
            done = self.run_once()
            total.taken += done.taken
            total.enqueued += done.enqueued
            total.delivered += done.delivered
            total.failed += done.failed
            total.dead += done.dead
            if not done.more:
                return total

    def run(self, stop: threading.Event, *, interval: float = 1.0) -> None:
        """Runs passes until `stop` is set; sleeps only when a pass found nothing to do.

        A failing pass is logged and retried: the outbox keeps every event, so nothing is lost
        while, say, the database is briefly unreachable.
        """
        try:
            while not stop.is_set():
                try:
                    self.periodic()
                    done = self.run_once()
                except Exception:
                    log.exception("dispatcher pass failed; retrying")
                    stop.wait(interval)
                    continue
                if not (done.enqueued or done.delivered or done.failed):
                    stop.wait(interval)
        finally:
            self.close()

    def release(self) -> None:
        """Gives up this dispatcher's leases (the broker's too): another may take over at once."""
        with self.ctx.uow() as uow:
            for destination in [h.destination for h in uow.sync.webhooks()] + [BROKER]:
                uow.sync.release(destination, self.owner)
            uow.commit()

    def close(self) -> None:
        """Releases the leases and closes the HTTP connections this dispatcher opened."""
        self.release()
        if self._own_client:
            self.client.close()

    def _enqueue(self, hook: Webhook, result: Pass) -> bool:
        """Moves new outbox rows into this destination's deliveries; False if another holds it."""
        now = self.ctx.clock.now()
        with self.ctx.uow() as uow:
            # A dispatcher that died keeps its lease until it runs out; then another takes over.
            lease = timedelta(seconds=self.ctx.settings.sync_lease_seconds)
            position = uow.sync.take_lease(hook.destination, self.owner, now, now + lease)
            if position is None:
                return False
            limit = self.ctx.settings.sync_batch * 5
            rows = uow.sync.outbox_after(position, limit)
            # A change that came from this system is not echoed back to it.
            wanted = [
                r
                for r in rows
                if hook.wants(r.kind, r.purpose) and r.source_system != hook.system_key
            ]
            uow.sync.enqueue(hook.destination, wanted, now)
            if rows:
                uow.sync.set_position(hook.destination, rows[-1].seq + 1, now)
                # An erasure this webhook does not want no longer waits for it.
                uow.sync.purge_erasure_notices()
            uow.commit()
        result.taken += len(rows)
        result.more |= len(rows) == limit
        result.enqueued += len(wanted)
        return True

    def _deliver(self, hook: Webhook, system: System, result: Pass) -> None:
        ctx = self.ctx
        now = ctx.clock.now()
        with ctx.uow(write=False) as uow:
            limit = ctx.settings.sync_batch * 5
            ready = uow.sync.due_deliveries(hook.destination, now, limit)
            secrets_now = signing_secrets(ctx, uow, hook.id)
            if not ready or not secrets_now:
                return
            messages = _messages(ctx, uow, system, ready)
            held = _restricted(uow, ready, now)
        chains: dict[str, list[Delivery]] = {}
        for delivery in ready:
            # A restricted purpose's changes wait (pending) until the restriction is lifted, and
            # the subject's later changes wait behind them, so each system sees them in order.
            if delivery.subject_id not in held or delivery.seq < held[delivery.subject_id]:
                chains.setdefault(delivery.subject_id, []).append(delivery)
        # Held deliveries stay pending: a batch of nothing but them is no work left to drain.
        result.more |= len(ready) == limit and bool(chains)
        # Sending stops well inside the lease, so no other dispatcher can take this destination
        # while messages of this pass are still going out.
        deadline = time.monotonic() + ctx.settings.sync_lease_seconds / 2
        outcomes: list[tuple[Delivery, str | None]] = []
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            for chain in chains.values():
                pool.submit(
                    self._chain, hook.url, secrets_now, chain, messages, outcomes, deadline, result
                )
        self._record(hook, outcomes, result)

    def _chain(
        self,
        url: str,
        secrets_now: list[str],
        chain: list[Delivery],
        messages: dict[int, tuple[str, bytes]],
        outcomes: list[tuple[Delivery, str | None]],
        deadline: float,
        result: Pass,
    ) -> None:
        """Sends one subject's events in order, stopping at the first that fails."""
        for delivery in chain:
            if time.monotonic() > deadline:
                result.more = True  # what is left of the chain is due now
                return
            event_id, body = messages[delivery.seq]
            error = _post(self.client, url, secrets_now, event_id, body, self.ctx.clock.now())
            outcomes.append((delivery, error))  # list.append is atomic
            if error is not None:
                return

    def _record(
        self, hook: Webhook, outcomes: list[tuple[Delivery, str | None]], result: Pass
    ) -> None:
        """Records a pass's results in one transaction, renewing the lease."""
        ctx = self.ctx
        now = ctx.clock.now()
        with ctx.uow() as uow:
            lease = timedelta(seconds=ctx.settings.sync_lease_seconds)
            uow.sync.take_lease(hook.destination, self.owner, now, now + lease)
            results: list[DeliveryResult] = []
            for delivery, error in outcomes:
                retry = None
                if error is None:
                    status = DeliveryStatus.DELIVERED
                elif delivery.attempts + 1 >= ctx.settings.sync_max_attempts:
                    status = DeliveryStatus.DEAD
                else:
                    status = DeliveryStatus.FAILED
                    wait = backoff_seconds(
                        delivery.attempts + 1,
                        base=ctx.settings.sync_backoff_base_seconds,
                        cap=ctx.settings.sync_backoff_cap_seconds,
                        jitter=self.jitter(),
                    )
                    retry = now + timedelta(seconds=wait)
                results.append(
                    DeliveryResult(
                        destination=delivery.destination,
                        seq=delivery.seq,
                        status=status.value,
                        attempts=delivery.attempts + 1,
                        next_attempt_at=retry,
                        error=error,
                        delivered_at=now if status is DeliveryStatus.DELIVERED else None,
                        at=now,
                    )
                )
                result.count(status)
            uow.sync.finish_many(results)
            # An erasure delivered (or given up on) by the last webhook of its system leaves.
            uow.sync.purge_erasure_notices()
            uow.commit()


def _restricted(uow: UnitOfWork, ready: list[Delivery], now: datetime) -> dict[str, int]:
    """The first held delivery (its seq) of each subject under a restriction (art. 18)."""
    holds = uow.holds.live_of([d.subject_id for d in ready])
    if not holds:
        return {}
    rows = uow.sync.outbox_rows([d.seq for d in ready if d.subject_id in holds])
    held: dict[str, int] = {}
    for seq, row in sorted(rows.items()):
        if row.subject_id not in held and withholds_sync(holds[row.subject_id], row.purpose, now):
            held[row.subject_id] = seq
    return held


def _messages(
    ctx: Context, uow: UnitOfWork, system: System, deliveries: list[Delivery]
) -> dict[int, tuple[str, bytes]]:
    """The signed-to-be body of each delivery, built in one read."""
    rows = uow.sync.outbox_rows([d.seq for d in deliveries])
    erasures = [r.seq for r in rows.values() if r.kind == EventKind.SUBJECT_ERASED]
    kept = erasure_identifiers(ctx, uow, system, erasures) if erasures else {}
    bodies = webhook_payloads(
        ctx,
        uow,
        system,
        uow.events.by_ids([r.event_id for r in rows.values()]),
        {rows[seq].event_id: identifiers for seq, identifiers in kept.items()},
    )
    return {seq: (row.event_id, orjson.dumps(bodies[row.event_id])) for seq, row in rows.items()}


def _post(
    client: httpx.Client,
    url: str,
    secrets_now: list[str],
    message_id: str,
    body: bytes,
    now: datetime,
) -> str | None:
    """Sends one signed message; returns None on a 2xx, else what went wrong: the status code
    of an answer (never its body, which a receiver chose), or why no answer came."""
    signed = headers(secrets_now, message_id, int(now.timestamp()), body)
    try:
        with client.stream("POST", url, content=body, headers=signed) as response:
            status = response.status_code
            # A short answer is read so the connection can be kept; a long one is not read.
            read = 0
            for chunk in response.iter_raw():
                read += len(chunk)
                if read > ANSWER_READ_BYTES:
                    break
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}: {exc}"[:500]
    return None if 200 <= status < 300 else f"HTTP {status}"
