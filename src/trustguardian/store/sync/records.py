"""The typed records the sync repositories take and return, and their row converters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row

from trustguardian.domain.sync import Delivery, DeliveryStatus, System, SystemKind, Webhook


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


@dataclass(frozen=True)
class DeadLetter:
    """A delivery that ran out of attempts, with the event it was carrying."""

    delivery: Delivery
    event_id: str
    kind: str
    updated_at: datetime


def outbox_of(r: Row[Any]) -> OutboxRow:
    return OutboxRow(
        r.seq, r.event_id, r.subject_id, r.kind, r.purpose_key, r.source_system, r.created_at
    )


def system_of(row: Row[Any]) -> System:
    return System(
        key=row.key,
        name=row.name,
        kind=SystemKind(row.kind),
        identifier_kinds=tuple(row.identifier_kinds),
        mapping=dict(row.mapping),
        status=row.status,
        created_at=row.created_at,
    )


def webhook_of(row: Row[Any]) -> Webhook:
    return Webhook(
        id=row.id,
        system_key=row.system_key,
        url=row.url,
        event_kinds=tuple(row.event_kinds),
        purposes=tuple(row.purposes),
        status=row.status,
        created_at=row.created_at,
    )


def delivery_of(row: Row[Any]) -> Delivery:
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
