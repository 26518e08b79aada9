"""Repository for subjects, their wrapped data keys and their blinded identifiers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, insert, select, update

from trustguardian.domain.subjects import Subject
from trustguardian.store import tables as t
from trustguardian.store.bulk import bulk_insert


@dataclass(frozen=True)
class StoredIdentifier:
    """An identifier as stored: its keyed hash, namespace and sealed value (None once shredded)."""

    blind: str
    subject_id: str
    kind: str
    sealed: bytes | None


@dataclass(frozen=True)
class SubjectKey:
    """A subject's wrapped data key; None once the subject is erased (or the key is missing)."""

    subject_id: str
    wrapped: bytes | None


@dataclass(frozen=True)
class NewSubject:
    """A subject created by a batch, with its wrapped data key."""

    id: str
    wrapped: bytes
    created_at: datetime


@dataclass(frozen=True)
class NewIdentifier:
    """An identifier linked to its subject by a batch."""

    blind: str
    subject_id: str
    kind: str
    sealed: bytes
    created_at: datetime


class SubjectRepository:
    """Stores subjects; never stores an identifier in clear."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def get(self, subject_id: str) -> Subject | None:
        row = self._c.execute(select(t.subjects).where(t.subjects.c.id == subject_id)).first()
        if row is None:
            return None
        return Subject(id=row.id, created_at=row.created_at, shredded_at=row.shredded_at)

    def add(self, subject: Subject) -> None:
        self._c.execute(insert(t.subjects).values(id=subject.id, created_at=subject.created_at))

    def find_by_blind(self, blinds: Sequence[str]) -> dict[str, str]:
        """Maps each known keyed hash to its subject id."""
        if not blinds:
            return {}
        rows = self._c.execute(
            select(t.subject_identifiers.c.blind, t.subject_identifiers.c.subject_id).where(
                t.subject_identifiers.c.blind.in_(list(blinds))
            )
        )
        return {row.blind: row.subject_id for row in rows}

    def keys_of(self, subject_ids: Sequence[str]) -> list[SubjectKey]:
        """The wrapped data key of each known subject (unknown ids are left out)."""
        rows = self._c.execute(
            select(t.subjects.c.id, t.subjects.c.shredded_at, t.subject_keys.c.wrapped)
            .select_from(t.subjects.outerjoin(t.subject_keys))
            .where(t.subjects.c.id.in_(list(subject_ids)))
        )
        return [
            SubjectKey(
                row.id, None if row.shredded_at is not None or row.wrapped is None else row.wrapped
            )
            for row in rows
        ]

    def add_many(
        self, subjects: Sequence[NewSubject], identifiers: Sequence[NewIdentifier]
    ) -> None:
        """Writes the subjects with their keys, then the identifiers, a statement per table."""
        bulk_insert(
            self._c,
            t.subjects,
            [{"id": s.id, "created_at": s.created_at, "shredded_at": None} for s in subjects],
        )
        bulk_insert(
            self._c,
            t.subject_keys,
            [
                {"subject_id": s.id, "wrapped": s.wrapped, "created_at": s.created_at}
                for s in subjects
            ],
        )
        bulk_insert(
            self._c,
            t.subject_identifiers,
            [
                {
                    "blind": i.blind,
                    "subject_id": i.subject_id,
                    "kind": i.kind,
                    "sealed": i.sealed,
                    "created_at": i.created_at,
                }
                for i in identifiers
            ],
        )

    def identifiers(self, subject_id: str) -> list[StoredIdentifier]:
        rows = self._c.execute(
            select(t.subject_identifiers)
            .where(t.subject_identifiers.c.subject_id == subject_id)
            .order_by(t.subject_identifiers.c.created_at, t.subject_identifiers.c.blind)
        )
        return [StoredIdentifier(r.blind, r.subject_id, r.kind, r.sealed) for r in rows]

    def add_identifier(self, ident: StoredIdentifier, at: datetime) -> None:
        self._c.execute(
            insert(t.subject_identifiers).values(
                blind=ident.blind,
                subject_id=ident.subject_id,
                kind=ident.kind,
                sealed=ident.sealed,
                created_at=at,
            )
        )

    def remove_identifier(self, subject_id: str, blind: str) -> None:
        """Unlinks an identifier from its subject (a rectification replaced it)."""
        self._c.execute(
            delete(t.subject_identifiers).where(
                t.subject_identifiers.c.subject_id == subject_id,
                t.subject_identifiers.c.blind == blind,
            )
        )

    def load_wrapped_key(self, subject_id: str) -> bytes | None:
        return self._c.execute(
            select(t.subject_keys.c.wrapped).where(t.subject_keys.c.subject_id == subject_id)
        ).scalar()

    def store_wrapped_key(self, subject_id: str, wrapped: bytes, at: datetime) -> None:
        self._c.execute(
            insert(t.subject_keys).values(subject_id=subject_id, wrapped=wrapped, created_at=at)
        )

    def shred(self, subject_id: str, at: datetime) -> None:
        """Destroys the key and sealed values; the keyed hashes stay on the suppression list."""
        self._c.execute(delete(t.subject_keys).where(t.subject_keys.c.subject_id == subject_id))
        self._c.execute(
            update(t.subject_identifiers)
            .where(t.subject_identifiers.c.subject_id == subject_id)
            .values(sealed=None)
        )
        self._c.execute(
            update(t.subjects).where(t.subjects.c.id == subject_id).values(shredded_at=at)
        )
