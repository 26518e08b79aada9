"""Where each system stands: deliveries per status, lag, and the subjects it is behind on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from trustguardian.domain.errors import NotFound
from trustguardian.domain.sync import BROKER_DESTINATION as BROKER
from trustguardian.domain.sync import Delivery
from trustguardian.service.context import Context


@dataclass(frozen=True)
class DestinationStatus:
    destination: str
    system: str | None
    url: str | None
    taken_up_to: int
    ledger_size: int
    counts: dict[str, int]


@dataclass(frozen=True)
class Behind:
    destination: str
    system: str | None
    subject_id: str
    waiting: int
    since: datetime
    last_error: str | None


def sync_status(ctx: Context) -> list[DestinationStatus]:
    """Per destination: how far it has taken the outbox, and its deliveries by status."""
    with ctx.uow(write=False) as uow:
        size = uow.ledger.size()
        positions = uow.sync.positions()
        counts = uow.sync.counts()
        hooks = uow.sync.webhooks()
    found = [
        DestinationStatus(
            destination=h.destination,
            system=h.system_key,
            url=h.url,
            taken_up_to=positions.get(h.destination, 0),
            ledger_size=size,
            counts={status: n for (dest, status), n in counts.items() if dest == h.destination},
        )
        for h in hooks
        if h.status != "deleted"
    ]
    if BROKER in positions:
        found.append(
            DestinationStatus(BROKER, None, ctx.settings.nats_url, positions[BROKER], size, {})
        )
    return found


def reconciliation(ctx: Context, *, limit: int = 1000) -> list[Behind]:
    """The subjects whose state in a system is behind ours, oldest first, with since when."""
    with ctx.uow(write=False) as uow:
        systems = {h.destination: h.system_key for h in uow.sync.webhooks()}
        rows = uow.sync.behind(limit)
    return [
        Behind(
            r.destination,
            systems.get(r.destination),
            r.subject_id,
            r.waiting,
            r.since,
            r.last_error,
        )
        for r in rows
    ]


def subject_sync(ctx: Context, *, subject_id: str) -> list[tuple[Delivery, str | None, str]]:
    """Every delivery of a subject's events, with the system and the event id."""
    with ctx.uow(write=False) as uow:
        if uow.subjects.get(subject_id) is None:
            raise NotFound(f"no subject {subject_id!r}")
        systems = {h.destination: h.system_key for h in uow.sync.webhooks()}
        deliveries = uow.sync.subject_deliveries(subject_id)
        outbox = uow.sync.outbox_rows([d.seq for d in deliveries])
    return [(d, systems.get(d.destination), outbox[d.seq].event_id) for d in deliveries]


def replay(ctx: Context, *, from_seq: int, destination: str | None = None) -> int:
    """Sends again every delivery from a sequence number on; returns how many were reopened."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        reopened = uow.sync.reopen(destination, from_seq, now)
        if destination in (None, BROKER) and BROKER in uow.sync.positions():
            uow.sync.set_position(BROKER, min(from_seq, uow.sync.positions()[BROKER]), now)
        uow.commit()
    return reopened
