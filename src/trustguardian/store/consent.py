"""Repository for consent state, one row per subject x purpose x channel."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Row, delete, select, tuple_

from trustguardian.domain.consent import ConsentState, ConsentStatus
from trustguardian.domain.registry import Channel
from trustguardian.store import tables as t
from trustguardian.store.bulk import bulk_insert
from trustguardian.store.ledger import CHUNK

StateKey = tuple[str, str, Channel]
_KEY = (t.consent_states.c.subject_id, t.consent_states.c.purpose_key, t.consent_states.c.channel)


class ConsentRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def get_many(self, keys: Sequence[StateKey]) -> dict[StateKey, ConsentState]:
        found: dict[StateKey, ConsentState] = {}
        wanted = [(s, p, c.value) for s, p, c in dict.fromkeys(keys)]
        for start in range(0, len(wanted), CHUNK):
            rows = self._c.execute(
                select(t.consent_states).where(tuple_(*_KEY).in_(wanted[start : start + CHUNK]))
            )
            for row in rows:
                state = _state(row)
                found[state.key] = state
        return found

    def put_many(self, states: Sequence[ConsentState]) -> None:
        """Replaces the rows of these states (delete then insert: the same SQL on both backends)."""
        for start in range(0, len(states), CHUNK):
            chunk = states[start : start + CHUNK]
            self._c.execute(
                delete(t.consent_states).where(tuple_(*_KEY).in_([_key(s) for s in chunk]))
            )
        bulk_insert(self._c, t.consent_states, [_columns(s) for s in states])

    def delete_many(self, keys: Sequence[StateKey]) -> None:
        wanted = [(s, p, c.value) for s, p, c in keys]
        for start in range(0, len(wanted), CHUNK):
            self._c.execute(
                delete(t.consent_states).where(tuple_(*_KEY).in_(wanted[start : start + CHUNK]))
            )

    def for_subject(self, subject_id: str) -> list[ConsentState]:
        rows = self._c.execute(
            select(t.consent_states)
            .where(t.consent_states.c.subject_id == subject_id)
            .order_by(t.consent_states.c.purpose_key, t.consent_states.c.channel)
        )
        return [_state(row) for row in rows]

    def for_subject_purpose(self, subject_id: str, purpose: str) -> list[ConsentState]:
        rows = self._c.execute(
            select(t.consent_states).where(
                t.consent_states.c.subject_id == subject_id,
                t.consent_states.c.purpose_key == purpose,
            )
        )
        return [_state(row) for row in rows]

    def iter_all(self) -> Iterator[ConsentState]:
        rows = self._c.execution_options(yield_per=10_000).execute(select(t.consent_states))
        for row in rows:
            yield _state(row)


def _key(s: ConsentState) -> tuple[str, str, str]:
    return (s.subject_id, s.purpose, s.channel.value)


def _columns(s: ConsentState) -> dict[str, Any]:
    return {
        "subject_id": s.subject_id,
        "purpose_key": s.purpose,
        "channel": s.channel.value,
        "status": s.status.value,
        "since": s.since,
        "event_id": s.event_id,
        "event_seq": s.event_seq,
        "purpose_version": s.purpose_version,
        "notice_key": s.notice,
        "notice_version": s.notice_version,
        "expires_at": s.expires_at,
    }


def _state(row: Row[Any]) -> ConsentState:
    return ConsentState(
        subject_id=row.subject_id,
        purpose=row.purpose_key,
        channel=Channel(row.channel),
        status=ConsentStatus(row.status),
        since=row.since,
        event_id=row.event_id,
        event_seq=row.event_seq,
        purpose_version=row.purpose_version,
        notice=row.notice_key,
        notice_version=row.notice_version,
        expires_at=row.expires_at,
    )
