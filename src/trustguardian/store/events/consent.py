"""Repository for consent state, one row per subject x purpose x channel."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Row, delete, select

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
        # By subject (the primary key's first column, so an index range per subject); a row-value
        # IN list would not use the index on SQLite.
        wanted = set(keys)
        found = self.get_many_by_subjects(list({k[0] for k in wanted}))
        return {key: state for key, state in found.items() if key in wanted}

    def get_many_by_subjects(self, subjects: Sequence[str]) -> dict[StateKey, ConsentState]:
        """Every state of these subjects."""
        found: dict[StateKey, ConsentState] = {}
        for start in range(0, len(subjects), CHUNK):
            chunk = subjects[start : start + CHUNK]
            for row in self._c.execute(
                select(t.consent_states).where(t.consent_states.c.subject_id.in_(chunk))
            ):
                state = state_of(row)
                found[state.key] = state
        return found

    def put_many(self, states: Sequence[ConsentState]) -> None:
        """Writes these states, replacing the stored row of each subject x purpose x channel."""
        bulk_insert(
            self._c,
            t.consent_states,
            [_columns(s) for s in states],
            replace_on=("subject_id", "purpose_key", "channel"),
        )

    def delete_subject_purpose(self, subject_id: str, purpose: str) -> None:
        """Removes every channel's state of one subject for one purpose (before a refold)."""
        self._c.execute(
            delete(t.consent_states).where(
                t.consent_states.c.subject_id == subject_id,
                t.consent_states.c.purpose_key == purpose,
            )
        )

    def for_subject(self, subject_id: str) -> list[ConsentState]:
        rows = self._c.execute(
            select(t.consent_states)
            .where(t.consent_states.c.subject_id == subject_id)
            .order_by(t.consent_states.c.purpose_key, t.consent_states.c.channel)
        )
        return [state_of(row) for row in rows]

    def for_subject_purpose(self, subject_id: str, purpose: str) -> list[ConsentState]:
        rows = self._c.execute(
            select(t.consent_states).where(
                t.consent_states.c.subject_id == subject_id,
                t.consent_states.c.purpose_key == purpose,
            )
        )
        return [state_of(row) for row in rows]

    def iter_all(self) -> Iterator[ConsentState]:
        rows = self._c.execution_options(yield_per=10_000).execute(select(t.consent_states))
        for row in rows:
            yield state_of(row)


def _key(s: ConsentState) -> tuple[str, str, str]:
    return (s.subject_id, s.purpose, str(s.channel))


def _columns(s: ConsentState) -> dict[str, Any]:
    return {
        "subject_id": s.subject_id,
        "purpose_key": s.purpose,
        "channel": str(s.channel),
        "status": str(s.status),
        "since": s.since,
        "event_id": s.event_id,
        "event_seq": s.event_seq,
        "purpose_version": s.purpose_version,
        "notice_key": s.notice,
        "notice_version": s.notice_version,
        "expires_at": s.expires_at,
    }


def state_of(row: Row[Any]) -> ConsentState:
    """The consent state one consent_states row holds."""
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
