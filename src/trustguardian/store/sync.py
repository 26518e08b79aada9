"""Repositories for systems, webhooks, the outbox, destination positions and deliveries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, bindparam, func, insert, or_, select, update

from trustguardian.domain.sync import Delivery, DeliveryStatus, System, SystemKind, Webhook
from trustguardian.store import tables as t
from trustguardian.store.bulk import bulk_insert


@dataclass(frozen=True)
class OutboxRow:
    seq: int
    event_id: str
    subject_id: str
    kind: str
    purpose: str | None
    source_system: str | None
    created_at: datetime


@dataclass(frozen=True)
class DeliveryResult:
    """The outcome of one delivery attempt: its new status, attempts, next try and error."""

    destination: str
    seq: int
    status: str
    attempts: int
    next_attempt_at: datetime | None
    error: str | None
    delivered_at: datetime | None
    at: datetime


class SyncRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    # systems and webhooks --------------------------------------------------------------------

    def add_system(self, system: System) -> None:
        self._c.execute(
            insert(t.systems).values(
                key=system.key,
                name=system.name,
                kind=system.kind.value,
                identifier_kinds=list(system.identifier_kinds),
                mapping=system.mapping,
                status=system.status,
                created_at=system.created_at,
            )
        )

    def system(self, key: str) -> System | None:
        row = self._c.execute(select(t.systems).where(t.systems.c.key == key)).first()
        return None if row is None else _system(row)

    def systems(self) -> list[System]:
        return [_system(r) for r in self._c.execute(select(t.systems).order_by(t.systems.c.key))]

    def add_webhook(self, hook: Webhook) -> None:
        self._c.execute(
            insert(t.webhooks).values(
                id=hook.id,
                system_key=hook.system_key,
                url=hook.url,
                event_kinds=list(hook.event_kinds),
                purposes=list(hook.purposes),
                status=hook.status,
                created_at=hook.created_at,
            )
        )

    def webhook(self, hook_id: str) -> Webhook | None:
        row = self._c.execute(select(t.webhooks).where(t.webhooks.c.id == hook_id)).first()
        return None if row is None else _webhook(row)

    def webhooks(self, *, active_only: bool = False) -> list[Webhook]:
        query = select(t.webhooks).order_by(t.webhooks.c.created_at, t.webhooks.c.id)
        if active_only:
            query = query.where(t.webhooks.c.status == "active")
        return [_webhook(r) for r in self._c.execute(query)]

    def add_secret(self, hook_id: str, version: int, sealed: bytes, at: datetime) -> None:
        self._c.execute(
            insert(t.webhook_secrets).values(
                webhook_id=hook_id, version=version, sealed=sealed, created_at=at
            )
        )

    def expire_secrets(self, hook_id: str, until: datetime) -> None:
        """Gives the current secrets of a webhook an end (used when rotating)."""
        self._c.execute(
            update(t.webhook_secrets)
            .where(
                t.webhook_secrets.c.webhook_id == hook_id, t.webhook_secrets.c.expires_at.is_(None)
            )
            .values(expires_at=until)
        )

    def secrets(self, hook_id: str, at: datetime) -> list[tuple[int, bytes]]:
        """The secrets valid at an instant, newest first."""
        rows = self._c.execute(
            select(t.webhook_secrets.c.version, t.webhook_secrets.c.sealed)
            .where(
                t.webhook_secrets.c.webhook_id == hook_id,
                or_(t.webhook_secrets.c.expires_at.is_(None), t.webhook_secrets.c.expires_at > at),
            )
            .order_by(t.webhook_secrets.c.version.desc())
        )
        return [(r.version, bytes(r.sealed)) for r in rows]

    def last_secret_version(self, hook_id: str) -> int:
        found = self._c.execute(
            select(func.max(t.webhook_secrets.c.version)).where(
                t.webhook_secrets.c.webhook_id == hook_id
            )
        ).scalar()
        return int(found or 0)

    # the outbox ------------------------------------------------------------------------------

    def add_outbox(self, rows: Sequence[OutboxRow]) -> None:
        bulk_insert(
            self._c,
            t.outbox,
            [
                {
                    "seq": r.seq,
                    "event_id": r.event_id,
                    "subject_id": r.subject_id,
                    "kind": r.kind,
                    "purpose_key": r.purpose,
                    "source_system": r.source_system,
                    "created_at": r.created_at,
                }
                for r in rows
            ],
        )

    def outbox_after(self, position: int, limit: int) -> list[OutboxRow]:
        """Outbox rows from `position` on (positions are ledger sequence numbers)."""
        rows = self._c.execute(
            select(t.outbox).where(t.outbox.c.seq >= position).order_by(t.outbox.c.seq).limit(limit)
        )
        return [_outbox(r) for r in rows]

    def outbox_rows(self, seqs: Sequence[int]) -> dict[int, OutboxRow]:
        rows = self._c.execute(select(t.outbox).where(t.outbox.c.seq.in_(list(seqs))))
        return {r.seq: _outbox(r) for r in rows}

    # positions and leases --------------------------------------------------------------------

    def take_lease(
        self, destination: str, owner: str, now: datetime, until: datetime
    ) -> int | None:
        """Takes (or renews) the lease on a destination; returns its position, or None if held."""
        # Create the row if missing without racing another dispatcher doing the same (the same
        # ON CONFLICT clause on SQLite and PostgreSQL), then lock it.
        bulk_insert(
            self._c,
            t.sync_positions,
            [
                {
                    "destination": destination,
                    "position": 0,
                    "lease_owner": None,
                    "lease_until": None,
                    "updated_at": now,
                }
            ],
            ignore_existing=("destination",),
        )
        row = self._c.execute(
            select(t.sync_positions)
            .where(t.sync_positions.c.destination == destination)
            .with_for_update()
        ).one()
        if (
            row.lease_owner not in (None, owner)
            and row.lease_until is not None
            and row.lease_until > now
        ):
            return None
        self._c.execute(
            update(t.sync_positions)
            .where(t.sync_positions.c.destination == destination)
            .values(lease_owner=owner, lease_until=until, updated_at=now)
        )
        return int(row.position)

    def set_position(self, destination: str, position: int, now: datetime) -> None:
        self._c.execute(
            update(t.sync_positions)
            .where(t.sync_positions.c.destination == destination)
            .values(position=position, updated_at=now)
        )

    def release(self, destination: str, owner: str) -> None:
        self._c.execute(
            update(t.sync_positions)
            .where(
                t.sync_positions.c.destination == destination,
                t.sync_positions.c.lease_owner == owner,
            )
            .values(lease_owner=None, lease_until=None)
        )

    def positions(self) -> dict[str, int]:
        rows = self._c.execute(select(t.sync_positions.c.destination, t.sync_positions.c.position))
        return {r.destination: int(r.position) for r in rows}

    # deliveries ------------------------------------------------------------------------------

    def enqueue(self, destination: str, rows: Sequence[OutboxRow], now: datetime) -> None:
        bulk_insert(
            self._c,
            t.deliveries,
            [
                {
                    "destination": destination,
                    "seq": r.seq,
                    "subject_id": r.subject_id,
                    "status": DeliveryStatus.PENDING.value,
                    "attempts": 0,
                    "next_attempt_at": now,
                    "last_error": None,
                    "delivered_at": None,
                    "updated_at": now,
                }
                for r in rows
            ],
        )

    def due_deliveries(self, destination: str, now: datetime, limit: int) -> list[Delivery]:
        """Deliveries that may go now, oldest first: due, and with nothing earlier of the same
        subject still waiting for a retry (per-subject order). Deliveries stuck in backoff never
        take the places of others."""
        open_status = [DeliveryStatus.PENDING.value, DeliveryStatus.FAILED.value]
        earlier = t.deliveries.alias("earlier")
        waiting = (
            select(earlier.c.seq)
            .where(
                earlier.c.destination == t.deliveries.c.destination,
                earlier.c.subject_id == t.deliveries.c.subject_id,
                earlier.c.status.in_(open_status),
                earlier.c.seq < t.deliveries.c.seq,
                earlier.c.next_attempt_at > now,
            )
            .exists()
        )
        rows = self._c.execute(
            select(t.deliveries)
            .where(
                t.deliveries.c.destination == destination,
                t.deliveries.c.status.in_(open_status),
                t.deliveries.c.next_attempt_at <= now,
                ~waiting,
            )
            .order_by(t.deliveries.c.seq)
            .limit(limit)
        )
        return [_delivery(r) for r in rows]

    def finish_many(self, results: Sequence[DeliveryResult]) -> None:
        """Records many delivery results in one executemany."""
        if not results:
            return
        self._c.execute(
            update(t.deliveries)
            .where(
                t.deliveries.c.destination == bindparam("d_destination"),
                t.deliveries.c.seq == bindparam("d_seq"),
            )
            .values(
                status=bindparam("d_status"),
                attempts=bindparam("d_attempts"),
                next_attempt_at=bindparam("d_next"),
                last_error=bindparam("d_error"),
                delivered_at=bindparam("d_delivered"),
                updated_at=bindparam("d_now"),
            ),
            [
                {
                    "d_destination": r.destination,
                    "d_seq": r.seq,
                    "d_status": r.status,
                    "d_attempts": r.attempts,
                    "d_next": r.next_attempt_at,
                    "d_error": r.error,
                    "d_delivered": r.delivered_at,
                    "d_now": r.at,
                }
                for r in results
            ],
        )

    def reopen(self, destination: str | None, from_seq: int, now: datetime) -> int:
        """Makes deliveries from a sequence number on due again (a replay)."""
        query = update(t.deliveries).where(t.deliveries.c.seq >= from_seq)
        if destination is not None:
            query = query.where(t.deliveries.c.destination == destination)
        result = self._c.execute(
            query.values(
                status=DeliveryStatus.PENDING.value, attempts=0, next_attempt_at=now, updated_at=now
            )
        )
        return result.rowcount

    def subject_deliveries(self, subject_id: str) -> list[Delivery]:
        rows = self._c.execute(
            select(t.deliveries)
            .where(t.deliveries.c.subject_id == subject_id)
            .order_by(t.deliveries.c.destination, t.deliveries.c.seq)
        )
        return [_delivery(r) for r in rows]

    def counts(self) -> dict[tuple[str, str], int]:
        """Deliveries per destination and status."""
        rows = self._c.execute(
            select(t.deliveries.c.destination, t.deliveries.c.status, func.count()).group_by(
                t.deliveries.c.destination, t.deliveries.c.status
            )
        )
        return {(r[0], r[1]): int(r[2]) for r in rows}

    def behind(self, limit: int) -> list[Row[Any]]:
        """Per destination and subject, the oldest delivery not yet made, with its event time."""
        open_status = [
            DeliveryStatus.PENDING.value,
            DeliveryStatus.FAILED.value,
            DeliveryStatus.DEAD.value,
        ]
        query = (
            select(
                t.deliveries.c.destination,
                t.deliveries.c.subject_id,
                func.min(t.outbox.c.created_at).label("since"),
                func.count().label("waiting"),
                func.max(t.deliveries.c.last_error).label("last_error"),
            )
            .select_from(t.deliveries.join(t.outbox, and_(t.outbox.c.seq == t.deliveries.c.seq)))
            .where(t.deliveries.c.status.in_(open_status))
            .group_by(t.deliveries.c.destination, t.deliveries.c.subject_id)
            .order_by(func.min(t.outbox.c.created_at))
            .limit(limit)
        )
        return list(self._c.execute(query))


def _outbox(r: Row[Any]) -> OutboxRow:
    return OutboxRow(
        r.seq, r.event_id, r.subject_id, r.kind, r.purpose_key, r.source_system, r.created_at
    )


def _system(row: Row[Any]) -> System:
    return System(
        key=row.key,
        name=row.name,
        kind=SystemKind(row.kind),
        identifier_kinds=tuple(row.identifier_kinds),
        mapping=dict(row.mapping),
        status=row.status,
        created_at=row.created_at,
    )


def _webhook(row: Row[Any]) -> Webhook:
    return Webhook(
        id=row.id,
        system_key=row.system_key,
        url=row.url,
        event_kinds=tuple(row.event_kinds),
        purposes=tuple(row.purposes),
        status=row.status,
        created_at=row.created_at,
    )


def _delivery(row: Row[Any]) -> Delivery:
    return Delivery(
        destination=row.destination,
        seq=row.seq,
        subject_id=row.subject_id,
        status=DeliveryStatus(row.status),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        delivered_at=row.delivered_at,
    )
