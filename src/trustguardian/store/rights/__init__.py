"""Repository for rights requests, their steps, verification codes and purpose flags."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from trustguardian.store import tables as t


@dataclass(frozen=True)
class StoredRequest:
    id: str
    kind: str
    status: str
    subject_id: str
    touchpoint_key: str
    channel: str
    language: str
    contact_blind: str | None
    received_at: datetime
    due_on: date
    due_at: datetime
    extended_at: datetime | None
    extension_sealed: bytes | None
    extension_message_id: str | None
    answer_message_id: str | None
    details_sealed: bytes | None
    outcome_sealed: bytes | None
    handler: str | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class NewRequest:
    """A rights request as received."""

    id: str
    kind: str
    status: str
    subject_id: str
    touchpoint_key: str
    channel: str
    language: str
    contact_blind: str | None
    received_at: datetime
    due_on: date
    due_at: datetime
    details_sealed: bytes | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class NewCode:
    """A verification code sent for a request (only its keyed hash is kept)."""

    id: str
    request_id: str
    code_hash: str
    method: str
    attempts: int
    sent_at: datetime
    expires_at: datetime
    used_at: datetime | None = None


@dataclass(frozen=True)
class RequestChange:
    """What a step changes on a request; a field left None keeps its stored value."""

    status: str | None = None
    updated_at: datetime | None = None
    closed_at: datetime | None = None
    handler: str | None = None
    outcome_sealed: bytes | None = None
    due_on: date | None = None
    due_at: datetime | None = None
    extended_at: datetime | None = None
    extension_sealed: bytes | None = None
    answer_message_id: str | None = None
    extension_message_id: str | None = None


@dataclass(frozen=True)
class Step:
    position: int
    status: str
    event_id: str
    actor: str
    at: datetime


@dataclass(frozen=True)
class StoredCode:
    id: str
    request_id: str
    code_hash: str
    method: str
    attempts: int
    sent_at: datetime
    expires_at: datetime
    used_at: datetime | None


def _request(row: Any) -> StoredRequest:
    values = dict(row._mapping)
    for name in ("extension_sealed", "details_sealed", "outcome_sealed"):
        if values[name] is not None:
            values[name] = bytes(values[name])
    return StoredRequest(**values)


class RightsRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, request: NewRequest) -> None:
        self._c.execute(insert(t.rights_requests).values(**vars(request)))

    def get(self, request_id: str, *, lock: bool = False) -> StoredRequest | None:
        query = select(t.rights_requests).where(t.rights_requests.c.id == request_id)
        if lock:
            query = query.with_for_update()
        row = self._c.execute(query).first()
        return None if row is None else _request(row)

    def update(self, request_id: str, change: RequestChange) -> None:
        values = {name: v for name, v in vars(change).items() if v is not None}
        if values:
            self._c.execute(
                update(t.rights_requests)
                .where(t.rights_requests.c.id == request_id)
                .values(**values)
            )

    def listing(
        self,
        *,
        statuses: Sequence[str] | None = None,
        due_before: datetime | None = None,
        subject_id: str | None = None,
        touchpoint: str | None = None,
        after: tuple[datetime, str] | None = None,
        limit: int = 100,
    ) -> list[StoredRequest]:
        """Requests ordered by deadline (the most urgent first), filtered."""
        c = t.rights_requests.c
        query = select(t.rights_requests)
        if statuses is not None:
            query = query.where(c.status.in_(list(statuses)))
        if due_before is not None:
            query = query.where(c.due_at <= due_before)
        if subject_id is not None:
            query = query.where(c.subject_id == subject_id)
        if touchpoint is not None:
            query = query.where(c.touchpoint_key == touchpoint)
        if after is not None:
            query = query.where(
                (c.due_at > after[0]) | ((c.due_at == after[0]) & (c.id > after[1]))
            )
        rows = self._c.execute(query.order_by(c.due_at, c.id).limit(limit))
        return [_request(r) for r in rows]

    def add_step(
        self, request_id: str, status: str, event_id: str, actor: str, at: datetime
    ) -> None:
        c = t.rights_request_steps.c
        position = self._c.execute(
            select(func.coalesce(func.max(c.position), -1)).where(c.request_id == request_id)
        ).scalar_one()
        self._c.execute(
            insert(t.rights_request_steps).values(
                request_id=request_id,
                position=int(position) + 1,
                status=status,
                event_id=event_id,
                actor=actor,
                at=at,
            )
        )

    def steps(self, request_id: str) -> list[Step]:
        c = t.rights_request_steps.c
        rows = self._c.execute(
            select(c.position, c.status, c.event_id, c.actor, c.at)
            .where(c.request_id == request_id)
            .order_by(c.position)
        )
        return [Step(r.position, r.status, r.event_id, r.actor, r.at) for r in rows]

    def by_step_event(self, event_id: str) -> str | None:
        """The request one of whose steps is this event."""
        c = t.rights_request_steps.c
        found = self._c.execute(select(c.request_id).where(c.event_id == event_id)).first()
        return None if found is None else str(found.request_id)

    def steps_of(self, request_ids: Sequence[str]) -> dict[str, list[Step]]:
        """The steps of many requests in one query."""
        if not request_ids:
            return {}
        c = t.rights_request_steps.c
        rows = self._c.execute(
            select(c.request_id, c.position, c.status, c.event_id, c.actor, c.at)
            .where(c.request_id.in_(list(request_ids)))
            .order_by(c.request_id, c.position)
        )
        found: dict[str, list[Step]] = {}
        for r in rows:
            found.setdefault(r.request_id, []).append(
                Step(r.position, r.status, r.event_id, r.actor, r.at)
            )
        return found

    def add_code(self, code: NewCode) -> None:
        self._c.execute(insert(t.verification_codes).values(**vars(code)))

    def latest_code(self, request_id: str) -> StoredCode | None:
        c = t.verification_codes.c
        row = self._c.execute(
            select(t.verification_codes)
            .where(c.request_id == request_id)
            .order_by(c.sent_at.desc(), c.id.desc())
            .limit(1)
        ).first()
        return None if row is None else StoredCode(**row._mapping)

    def codes_sent(self, request_id: str) -> int:
        c = t.verification_codes.c
        return int(
            self._c.execute(select(func.count()).where(c.request_id == request_id)).scalar_one()
        )

    def codes_to_contact_since(self, contact_blind: str, since: datetime) -> int:
        """Codes sent to one address or number since an instant, whatever the request."""
        v, r = t.verification_codes.c, t.rights_requests.c
        query = (
            select(func.count())
            .select_from(t.verification_codes.join(t.rights_requests))
            .where(r.contact_blind == contact_blind, v.sent_at >= since)
        )
        return int(self._c.execute(query).scalar_one())

    def links_since(self, subject_id: str, kind: str, since: datetime) -> int:
        c = t.link_tokens.c
        query = select(func.count()).where(
            c.subject_id == subject_id, c.kind == kind, c.created_at >= since
        )
        return int(self._c.execute(query).scalar_one())

    def count_attempt(self, code_id: str) -> None:
        c = t.verification_codes.c
        self._c.execute(
            update(t.verification_codes).where(c.id == code_id).values(attempts=c.attempts + 1)
        )

    def use_code(self, code_id: str, at: datetime) -> None:
        self._c.execute(
            update(t.verification_codes)
            .where(t.verification_codes.c.id == code_id)
            .values(used_at=at)
        )

    def event_data(self, seqs: Sequence[int]) -> dict[int, bytes]:
        """The sealed data of the events that carry some."""
        if not seqs:
            return {}
        c = t.events.c
        rows = self._c.execute(
            select(c.seq, c.data_sealed).where(c.seq.in_(list(seqs)), c.data_sealed.is_not(None))
        )
        return {int(r.seq): bytes(r.data_sealed) for r in rows}

    def revoke_subject_links(self, subject_id: str, at: datetime) -> int:
        """Revokes every live link of a subject (on erasure); returns how many."""
        c = t.link_tokens.c
        result = self._c.execute(
            update(t.link_tokens)
            .where(c.subject_id == subject_id, c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return int(result.rowcount or 0)

    def sale_sharing(self) -> set[str]:
        """Keys of the purposes flagged as selling or sharing personal data."""
        c = t.purpose_flags.c
        return set(self._c.execute(select(c.purpose_key).where(c.sale_sharing)).scalars())

    def set_sale_sharing(self, purpose_key: str, value: bool, at: datetime) -> None:
        c = t.purpose_flags.c
        found = self._c.execute(select(c.purpose_key).where(c.purpose_key == purpose_key)).first()
        if found is None:
            self._c.execute(
                insert(t.purpose_flags).values(
                    purpose_key=purpose_key, sale_sharing=value, updated_at=at
                )
            )
        else:
            self._c.execute(
                update(t.purpose_flags)
                .where(c.purpose_key == purpose_key)
                .values(sale_sharing=value, updated_at=at)
            )
