"""Repository part for deliveries: what each destination was sent, is owed, or gave up on."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, bindparam, func, select, update

from trustguardian.domain.sync import Delivery, DeliveryStatus
from trustguardian.store import tables as t
from trustguardian.store.bulk import bulk_insert
from trustguardian.store.sync.records import DeadLetter, DeliveryResult, OutboxRow, delivery_of

OPEN = [DeliveryStatus.PENDING.value, DeliveryStatus.FAILED.value]


class DeliveriesRepository:
    _c: Connection

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
        earlier = t.deliveries.alias("earlier")
        waiting = (
            select(earlier.c.seq)
            .where(
                earlier.c.destination == t.deliveries.c.destination,
                earlier.c.subject_id == t.deliveries.c.subject_id,
                earlier.c.status.in_(OPEN),
                earlier.c.seq < t.deliveries.c.seq,
                earlier.c.next_attempt_at > now,
            )
            .exists()
        )
        rows = self._c.execute(
            select(t.deliveries)
            .where(
                t.deliveries.c.destination == destination,
                t.deliveries.c.status.in_(OPEN),
                t.deliveries.c.next_attempt_at <= now,
                ~waiting,
            )
            .order_by(t.deliveries.c.seq)
            .limit(limit)
        )
        return [delivery_of(r) for r in rows]

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

    # dead letters ----------------------------------------------------------------------------

    def dead_letters(
        self, destinations: Sequence[str] | None, seqs: Sequence[int] | None, limit: int
    ) -> list[DeadLetter]:
        """Dead deliveries, oldest event first, of these destinations and events (None: all)."""
        query = (
            select(t.deliveries, t.outbox.c.event_id, t.outbox.c.kind)
            .select_from(t.deliveries.join(t.outbox, t.outbox.c.seq == t.deliveries.c.seq))
            .where(*self._dead(destinations, seqs))
            .order_by(t.deliveries.c.seq, t.deliveries.c.destination)
            .limit(limit)
        )
        return [
            DeadLetter(delivery_of(r), r.event_id, r.kind, r.updated_at)
            for r in self._c.execute(query)
        ]

    def set_dead(
        self,
        destinations: Sequence[str] | None,
        seqs: Sequence[int] | None,
        status: DeliveryStatus,
        now: datetime,
    ) -> list[tuple[str, int]]:
        """Moves dead deliveries to `status` (pending: tried again from scratch; discarded);
        returns the (destination, seq) of each one moved, in that order."""
        values: dict[str, Any] = {"status": status.value, "updated_at": now}
        if status is DeliveryStatus.PENDING:
            values |= {"attempts": 0, "next_attempt_at": now}
        else:
            values |= {"next_attempt_at": None}
        d = t.deliveries.c
        query = update(t.deliveries).where(*self._dead(destinations, seqs)).values(**values)
        moved = self._c.execute(query.returning(d.destination, d.seq))
        return sorted((str(destination), int(seq)) for destination, seq in moved)

    def discard_open(self, destination: str, now: datetime) -> int:
        """Gives up every delivery a destination is still owed (it is being deleted)."""
        query = (
            update(t.deliveries)
            .where(
                t.deliveries.c.destination == destination,
                t.deliveries.c.status.in_([*OPEN, DeliveryStatus.DEAD.value]),
            )
            .values(status=DeliveryStatus.DISCARDED.value, next_attempt_at=None, updated_at=now)
        )
        return self._c.execute(query).rowcount

    @staticmethod
    def _dead(destinations: Sequence[str] | None, seqs: Sequence[int] | None) -> list[Any]:
        where: list[Any] = [t.deliveries.c.status == DeliveryStatus.DEAD.value]
        if destinations is not None:
            where.append(t.deliveries.c.destination.in_(list(destinations)))
        if seqs is not None:
            where.append(t.deliveries.c.seq.in_(list(seqs)))
        return where

    # reading ---------------------------------------------------------------------------------

    def subject_deliveries(self, subject_id: str) -> list[Delivery]:
        rows = self._c.execute(
            select(t.deliveries)
            .where(t.deliveries.c.subject_id == subject_id)
            .order_by(t.deliveries.c.destination, t.deliveries.c.seq)
        )
        return [delivery_of(r) for r in rows]

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
        open_status = [*OPEN, DeliveryStatus.DEAD.value]
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
