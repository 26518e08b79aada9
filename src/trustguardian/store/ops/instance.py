"""The instance record: which instance a database belongs to, and the fingerprint of its keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, inspect, select, update

from trustguardian.store import tables as t


@dataclass(frozen=True)
class InstanceRecord:
    id: str
    fingerprint: str
    canary: bytes
    bound_at: datetime


@dataclass(frozen=True)
class SampleIdentifier:
    """One subject's wrapped data key and one of its sealed identifiers, to test keys on."""

    subject_id: str
    wrapped: bytes
    blind: str
    kind: str
    sealed: bytes


class InstanceRepository:
    """Reads and writes the one instance row."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def exists(self) -> bool:
        """Whether the database has the instance table (a database from before it has not)."""
        return bool(inspect(self._c).has_table(t.instance.name))

    def get(self) -> InstanceRecord | None:
        row = self._c.execute(select(t.instance).order_by(t.instance.c.bound_at)).first()
        if row is None:
            return None
        return InstanceRecord(row.id, row.fingerprint, bytes(row.canary), row.bound_at)

    def add(self, record: InstanceRecord) -> None:
        self._c.execute(
            insert(t.instance).values(
                id=record.id,
                fingerprint=record.fingerprint,
                canary=record.canary,
                bound_at=record.bound_at,
            )
        )

    def set_canary(self, instance_id: str, canary: bytes) -> None:
        self._c.execute(
            update(t.instance).where(t.instance.c.id == instance_id).values(canary=canary)
        )

    def probe(self, instance_id: str, now: datetime) -> None:
        """A write that proves the database takes writes (the readiness probe's)."""
        self._c.execute(
            update(t.instance).where(t.instance.c.id == instance_id).values(probed_at=now)
        )

    def sample_identifier(self) -> SampleIdentifier | None:
        """An identifier of a subject not erased, with its subject's wrapped key (None when the
        database holds none)."""
        row = self._c.execute(
            select(
                t.subject_identifiers.c.subject_id,
                t.subject_keys.c.wrapped,
                t.subject_identifiers.c.blind,
                t.subject_identifiers.c.kind,
                t.subject_identifiers.c.sealed,
            )
            .join(
                t.subject_keys,
                t.subject_keys.c.subject_id == t.subject_identifiers.c.subject_id,
            )
            .where(t.subject_identifiers.c.sealed.is_not(None))
            .limit(1)
        ).first()
        if row is None:
            return None
        return SampleIdentifier(
            row.subject_id, bytes(row.wrapped), row.blind, row.kind, bytes(row.sealed)
        )
