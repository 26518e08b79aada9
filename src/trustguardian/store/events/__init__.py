"""Repository for privacy events, their proofs, evidence blobs and idempotency keys."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, Row, Select, select, tuple_

from trustguardian.domain.events import EventKind, PrivacyEvent, ProofRecord
from trustguardian.domain.registry import Channel, ProofType
from trustguardian.store import tables as t
from trustguardian.store.bulk import bulk_insert
from trustguardian.store.ledger import CHUNK


class EventRef(NamedTuple):
    """An event as a correction naming it is checked: whose, for what, where, of which kind."""

    subject_id: str
    purpose: str | None
    touchpoint: str
    kind: str


@dataclass(frozen=True)
class StoredProof:
    event_seq: int
    position: int
    type: str
    commitment: str
    sealed: bytes
    blob_address: str | None
    claimed_by: str | None = None


@dataclass(frozen=True)
class NewEvent:
    """An event to store with the leaf it was hashed as and its sealed data (if any)."""

    event: PrivacyEvent
    leaf: bytes
    data_sealed: bytes | None


@dataclass(frozen=True)
class NewBlob:
    """An evidence file, sealed with its subject's key and addressed by its content."""

    subject_id: str
    address: str
    media_type: str
    size: int
    sealed: bytes
    created_at: datetime


@dataclass(frozen=True)
class IdempotencyRecord:
    """What a request under an idempotency key recorded: its fingerprint and events."""

    scope: str
    key: str
    request_sha256: str
    event_ids: list[str]
    created_at: datetime


@dataclass(frozen=True)
class EventFilter:
    subject_id: str | None = None
    touchpoint: str | None = None
    kind: EventKind | None = None
    occurred_from: datetime | None = None
    occurred_to: datetime | None = None


class Link(NamedTuple):
    """An event that names another (a confirmation, a correction) beside the one it names, as
    verification checks them: None in the target's fields when no such event exists."""

    relation: str  # "confirms" or "corrects"
    seq: int
    id: str
    kind: str
    subject_id: str
    purpose: str | None
    touchpoint: str
    named: str
    reason: str | None
    by: str | None
    target_seq: int | None
    target_kind: str | None
    target_subject: str | None
    target_purpose: str | None
    target_touchpoint: str | None
    target_pending: bool


class EventRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add_many(self, events: Sequence[NewEvent]) -> None:
        """Inserts events, their query columns derived from the same values as their leaves."""
        bulk_insert(
            self._c, t.events, [event_columns(e.event, e.leaf, e.data_sealed) for e in events]
        )

    def add_proofs(self, proofs: Sequence[StoredProof]) -> None:
        bulk_insert(self._c, t.event_proofs, [vars(p) for p in proofs])

    def add_blobs(self, blobs: Sequence[NewBlob]) -> None:
        """Stores evidence blobs not already stored (they are content-addressed per subject)."""
        unique = {(b.subject_id, b.address): vars(b) for b in blobs}
        if not unique:
            return
        existing: set[tuple[str, str]] = set()
        keys = list(unique)
        for start in range(0, len(keys), CHUNK):
            found = self._c.execute(
                select(t.evidence_blobs.c.subject_id, t.evidence_blobs.c.address).where(
                    tuple_(t.evidence_blobs.c.subject_id, t.evidence_blobs.c.address).in_(
                        keys[start : start + CHUNK]
                    )
                )
            )
            existing.update((r.subject_id, r.address) for r in found)
        bulk_insert(
            self._c, t.evidence_blobs, [row for key, row in unique.items() if key not in existing]
        )

    def blob(self, subject_id: str, address: str) -> Row[Any] | None:
        return self._c.execute(
            select(t.evidence_blobs).where(
                t.evidence_blobs.c.subject_id == subject_id, t.evidence_blobs.c.address == address
            )
        ).first()

    def get(self, event_id: str) -> tuple[PrivacyEvent, bytes] | None:
        row = self._c.execute(select(t.events).where(t.events.c.id == event_id)).first()
        if row is None:
            return None
        return event_of(row, self.proofs([row.seq]).get(row.seq, [])), bytes(row.leaf)

    def page(self, flt: EventFilter, *, after: int | None, limit: int) -> list[PrivacyEvent]:
        query: Select[Any] = select(t.events).order_by(t.events.c.seq).limit(limit)
        if after is not None:
            query = query.where(t.events.c.seq > after)
        if flt.subject_id is not None:
            query = query.where(t.events.c.subject_id == flt.subject_id)
        if flt.touchpoint is not None:
            query = query.where(t.events.c.touchpoint_key == flt.touchpoint)
        if flt.kind is not None:
            query = query.where(t.events.c.kind == flt.kind.value)
        if flt.occurred_from is not None:
            query = query.where(t.events.c.occurred_at >= flt.occurred_from)
        if flt.occurred_to is not None:
            query = query.where(t.events.c.occurred_at < flt.occurred_to)
        rows = self._c.execute(query).all()
        proofs = self.proofs([r.seq for r in rows])
        return [event_of(r, proofs.get(r.seq, [])) for r in rows]

    def for_subject(self, subject_id: str, purpose: str | None = None) -> list[PrivacyEvent]:
        query = select(t.events).where(t.events.c.subject_id == subject_id).order_by(t.events.c.seq)
        if purpose is not None:
            query = query.where(t.events.c.purpose_key == purpose)
        rows = self._c.execute(query).all()
        proofs = self.proofs([r.seq for r in rows])
        return [event_of(r, proofs.get(r.seq, [])) for r in rows]

    def links(self, size: int) -> Iterator[Link]:
        """Every confirmation naming the consent it confirms, and every correction, of the
        events before `size`, each with the event it names (for verification)."""
        e, target = t.events, t.events.alias("target")
        columns = (
            e.c.seq, e.c.id, e.c.kind, e.c.subject_id, e.c.purpose_key, e.c.touchpoint_key,
            e.c.correction_reason, e.c.correction_by, target.c.seq, target.c.kind,
            target.c.subject_id, target.c.purpose_key, target.c.touchpoint_key,
        )  # fmt: skip
        for named in (e.c.confirms, e.c.corrects):
            rows = self._c.execution_options(yield_per=5_000).execute(
                select(*columns, named, target.c.confirm_by)
                .select_from(e.outerjoin(target, target.c.id == named))
                .where(named.is_not(None), e.c.seq < size)
                .order_by(e.c.seq)
            )
            for r in rows:
                yield Link(
                    relation=named.name,
                    seq=r[0],
                    id=r[1],
                    kind=r[2],
                    subject_id=r[3],
                    purpose=r[4],
                    touchpoint=r[5],
                    named=r[13],
                    reason=r[6],
                    by=r[7],
                    target_seq=r[8],
                    target_kind=r[9],
                    target_subject=r[10],
                    target_purpose=r[11],
                    target_touchpoint=r[12],
                    target_pending=r[14] is not None,
                )

    def for_subjects(self, subject_ids: Sequence[str]) -> dict[str, list[PrivacyEvent]]:
        """Each subject's events in recording order, without their proofs (what a fold of
        consent state needs, for many subjects in a few statements)."""
        found: dict[str, list[PrivacyEvent]] = {s: [] for s in subject_ids}
        for start in range(0, len(subject_ids), CHUNK):
            rows = self._c.execute(
                select(t.events)
                .where(t.events.c.subject_id.in_(subject_ids[start : start + CHUNK]))
                .order_by(t.events.c.seq)
            )
            for row in rows:
                found[row.subject_id].append(event_of(row, ()))
        return found

    def existing_ids(self, ids: Sequence[str]) -> dict[str, EventRef]:
        """Maps known event ids to what a correction of them is checked against."""
        found: dict[str, EventRef] = {}
        c = t.events.c
        for start in range(0, len(ids), CHUNK):
            rows = self._c.execute(
                select(c.id, c.subject_id, c.purpose_key, c.touchpoint_key, c.kind).where(
                    c.id.in_(ids[start : start + CHUNK])
                )
            )
            found.update(
                {
                    r.id: EventRef(r.subject_id, r.purpose_key, r.touchpoint_key, r.kind)
                    for r in rows
                }
            )
        return found

    def proofs(self, seqs: Sequence[int]) -> dict[int, list[StoredProof]]:
        found: dict[int, list[StoredProof]] = {}
        for start in range(0, len(seqs), CHUNK):
            rows = self._c.execute(
                select(t.event_proofs)
                .where(t.event_proofs.c.event_seq.in_(seqs[start : start + CHUNK]))
                .order_by(t.event_proofs.c.event_seq, t.event_proofs.c.position)
            )
            for r in rows:
                found.setdefault(r.event_seq, []).append(_proof(r))
        return found

    def iter_rows(self) -> Iterator[Row[Any]]:
        """Streams every event row in sequence order (for verification)."""
        yield from self._c.execution_options(yield_per=5_000).execute(
            select(t.events).order_by(t.events.c.seq)
        )

    def iter_proofs(self) -> Iterator[StoredProof]:
        """Streams every proof row in (event, position) order (for verification)."""
        rows = self._c.execution_options(yield_per=10_000).execute(
            select(t.event_proofs).order_by(t.event_proofs.c.event_seq, t.event_proofs.c.position)
        )
        for r in rows:
            yield _proof(r)

    def idempotent(self, scope: str, keys: Sequence[str]) -> dict[str, tuple[str, list[str]]]:
        """Maps known idempotency keys of a scope to (request hash, event ids)."""
        found: dict[str, tuple[str, list[str]]] = {}
        for start in range(0, len(keys), CHUNK):
            rows = self._c.execute(
                select(t.idempotency_keys).where(
                    t.idempotency_keys.c.scope == scope,
                    t.idempotency_keys.c.key.in_(keys[start : start + CHUNK]),
                )
            )
            found.update({r.key: (r.request_sha256, list(r.event_ids)) for r in rows})
        return found

    def add_idempotency(self, records: Sequence[IdempotencyRecord]) -> None:
        bulk_insert(self._c, t.idempotency_keys, [vars(r) for r in records])

    def by_ids(self, ids: Sequence[str]) -> list[PrivacyEvent]:
        """Loads events by id, in the order asked."""
        rows: dict[str, Row[Any]] = {}
        for start in range(0, len(ids), CHUNK):
            for r in self._c.execute(
                select(t.events).where(t.events.c.id.in_(ids[start : start + CHUNK]))
            ):
                rows[r.id] = r
        proofs = self.proofs([r.seq for r in rows.values()])
        return [event_of(rows[i], proofs.get(rows[i].seq, [])) for i in ids if i in rows]


def _proof(r: Row[Any]) -> StoredProof:
    return StoredProof(
        r.event_seq, r.position, r.type, r.commitment, bytes(r.sealed), r.blob_address, r.claimed_by
    )


def event_columns(event: PrivacyEvent, leaf: bytes, data_sealed: bytes | None) -> dict[str, Any]:
    """The row of an event: query columns derived from the same values as its leaf."""
    return {
        "seq": event.seq,
        "id": event.id,
        "kind": str(event.kind),
        "touchpoint_key": event.touchpoint,
        "subject_id": event.subject_id,
        "identifiers": list(event.identifiers),
        "purpose_key": event.purpose,
        "purpose_version": event.purpose_version,
        "channels": [str(c) for c in event.channels],
        "notice_key": event.notice,
        "notice_version": event.notice_version,
        "notice_sha256": event.notice_sha256,
        "occurred_at": event.occurred_at,
        "recorded_at": event.recorded_at,
        "corrects": event.corrects,
        "data_commitment": event.data_commitment,
        "data_sealed": data_sealed,
        "campaign": event.campaign,
        "check_id": event.check_id,
        "confirm_by": event.confirm_by,
        "confirms": event.confirms,
        "correction_by": event.correction_by,
        "correction_reason": event.correction_reason,
        "leaf": leaf,
    }


def event_of(row: Row[Any], proofs: Sequence[StoredProof]) -> PrivacyEvent:
    """Rebuilds an event from its row and proof rows (strictly: unknown values raise)."""
    return PrivacyEvent(
        id=row.id,
        seq=row.seq,
        kind=EventKind(row.kind),
        touchpoint=row.touchpoint_key,
        subject_id=row.subject_id,
        identifiers=tuple(row.identifiers),
        purpose=row.purpose_key,
        purpose_version=row.purpose_version,
        channels=tuple(Channel(c) for c in row.channels),
        notice=row.notice_key,
        notice_version=row.notice_version,
        notice_sha256=row.notice_sha256,
        occurred_at=row.occurred_at,
        recorded_at=row.recorded_at,
        corrects=row.corrects,
        proofs=tuple(ProofRecord(ProofType(p.type), p.commitment, p.claimed_by) for p in proofs),
        data_commitment=row.data_commitment,
        campaign=row.campaign,
        check_id=row.check_id,
        confirm_by=row.confirm_by,
        confirms=row.confirms,
        correction_by=row.correction_by,
        correction_reason=row.correction_reason,
    )
