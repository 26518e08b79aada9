"""Repository part for systems, their webhooks and the webhooks' sealed signing secrets."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, func, insert, or_, select, update

from trustguardian.domain.sync import System, Webhook
from trustguardian.store import tables as t
from trustguardian.store.sync.records import system_of, webhook_of


class SystemsRepository:
    _c: Connection

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
        return None if row is None else system_of(row)

    def systems(self) -> list[System]:
        return [system_of(r) for r in self._c.execute(select(t.systems).order_by(t.systems.c.key))]

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
        return None if row is None else webhook_of(row)

    def webhooks(self, *, active_only: bool = False) -> list[Webhook]:
        """Every webhook (deleted ones too: deliveries name them), or only the active ones."""
        query = select(t.webhooks).order_by(t.webhooks.c.created_at, t.webhooks.c.id)
        if active_only:
            query = query.where(t.webhooks.c.status == "active")
        return [webhook_of(r) for r in self._c.execute(query)]

    def set_webhook_status(self, hook_id: str, status: str) -> None:
        self._c.execute(update(t.webhooks).where(t.webhooks.c.id == hook_id).values(status=status))

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

    def delete_secrets(self, hook_id: str) -> None:
        """Destroys every secret of a webhook (it can never sign again)."""
        self._c.execute(delete(t.webhook_secrets).where(t.webhook_secrets.c.webhook_id == hook_id))

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
