"""Repositories for systems, webhooks, the outbox, destination positions and deliveries."""

from __future__ import annotations

from sqlalchemy import Connection

from trustguardian.store.sync.deliveries import DeliveriesRepository
from trustguardian.store.sync.outbox import OutboxRepository
from trustguardian.store.sync.records import DeadLetter, DeliveryResult, OutboxRow
from trustguardian.store.sync.systems import SystemsRepository

__all__ = ["DeadLetter", "DeliveryResult", "OutboxRow", "SyncRepository"]


class SyncRepository(SystemsRepository, OutboxRepository, DeliveriesRepository):
    """Systems, webhooks, the outbox with positions and erasure notices, and deliveries."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection
