"""Repository part for the outbox, each destination's position and lease, and erasure notices."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, delete, func, insert, literal, select, update

from trustguardian.domain.sync import DeliveryStatus
from trustguardian.store import tables as t
from trustguardian.store.bulk import bulk_insert
from trustguardian.store.sync.records import OutboxRow, outbox_of


class OutboxRepository:
    _c: Connection

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
        return [outbox_of(r) for r in rows]

    def outbox_rows(self, seqs: Sequence[int]) -> dict[int, OutboxRow]:
        rows = self._c.execute(select(t.outbox).where(t.outbox.c.seq.in_(list(seqs))))
        return {r.seq: outbox_of(r) for r in rows}

    def outbox_end(self) -> int:
        """The position just past the last outbox row (where a destination starting now starts)."""
        last = self._c.execute(select(func.max(t.outbox.c.seq))).scalar()
        return 0 if last is None else int(last) + 1

    # positions and leases --------------------------------------------------------------------

    def start_position(self, destination: str, position: int, now: datetime) -> None:
        """Sets where a new destination starts taking the outbox."""
        self._c.execute(
            insert(t.sync_positions).values(
                destination=destination,
                position=position,
                lease_owner=None,
                lease_until=None,
                updated_at=now,
            )
        )

    def forget_position(self, destination: str) -> None:
        self._c.execute(
            delete(t.sync_positions).where(t.sync_positions.c.destination == destination)
        )

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

    # erasure notices -------------------------------------------------------------------------

    def add_erasure_notices(self, seq: int, sealed: dict[str, bytes], now: datetime) -> None:
        """Keeps, per system, the sealed identifiers a `subject.erased` must carry to it."""
        if sealed:
            self._c.execute(
                insert(t.erasure_notices),
                [
                    {"seq": seq, "system_key": system, "sealed": blob, "created_at": now}
                    for system, blob in sealed.items()
                ],
            )

    def erasure_notices(self, system_key: str, seqs: Sequence[int]) -> dict[int, bytes]:
        rows = self._c.execute(
            select(t.erasure_notices.c.seq, t.erasure_notices.c.sealed).where(
                t.erasure_notices.c.system_key == system_key,
                t.erasure_notices.c.seq.in_(list(seqs)),
            )
        )
        return {int(r.seq): bytes(r.sealed) for r in rows}

    def all_erasure_notices(self) -> list[tuple[int, str, bytes]]:
        """Every notice kept: (event seq, system, sealed identifiers)."""
        n = t.erasure_notices
        rows = self._c.execute(select(n.c.seq, n.c.system_key, n.c.sealed).order_by(n.c.seq))
        return [(int(r.seq), r.system_key, bytes(r.sealed)) for r in rows]

    def set_erasure_notice(self, seq: int, system_key: str, sealed: bytes) -> None:
        n = t.erasure_notices
        self._c.execute(
            update(n).where(n.c.seq == seq, n.c.system_key == system_key).values(sealed=sealed)
        )

    def purge_erasure_notices(self) -> int:
        """Deletes the notices no active webhook of their system still has to send.

        A webhook still has one to send while its position has not passed the notice's event,
        or while that event's delivery is pending or failed (a delivered or dead one is done);
        disabled and deleted webhooks hold nothing back.
        """
        n, hook = t.erasure_notices, t.webhooks
        destination = literal("webhook:") + hook.c.id
        not_taken = ~(
            select(t.sync_positions.c.destination)
            .where(
                t.sync_positions.c.destination == destination,
                t.sync_positions.c.position > n.c.seq,
            )
            .exists()
        )
        still_open = (
            select(t.deliveries.c.seq)
            .where(
                t.deliveries.c.destination == destination,
                t.deliveries.c.seq == n.c.seq,
                t.deliveries.c.status.in_(
                    [DeliveryStatus.PENDING.value, DeliveryStatus.FAILED.value]
                ),
            )
            .exists()
        )
        waiting = (
            select(hook.c.id)
            .where(
                hook.c.system_key == n.c.system_key,
                hook.c.status == "active",
                not_taken | still_open,
            )
            .exists()
        )
        return self._c.execute(delete(n).where(~waiting)).rowcount
