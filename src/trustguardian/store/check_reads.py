"""Reads for one contact check: a handful of small statements, each built once per process.

A single check is answered on the hot path of every call centre and campaign tool, so these
reads join what the batch reader asks in separate statements (a subject with its shredding,
identifiers with their suppression) and never re-build a statement per call.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, exists, func, select

from trustguardian.domain.consent import ConsentState
from trustguardian.store import tables as t
from trustguardian.store.consent import state_of

_s, _si, _se = t.subjects, t.subject_identifiers, t.suppression_entries

STAMP = select(t.stamps.c.value).where(t.stamps.c.name == bindparam("name"))
BY_ID = select(_s.c.id, _s.c.shredded_at).where(_s.c.id == bindparam("subject"))
BY_BLIND = (
    select(_s.c.id, _s.c.shredded_at)
    .join(_si, _si.c.subject_id == _s.c.id)
    .where(_si.c.blind == bindparam("blind"))
)
IDENTIFIERS = (
    select(_si.c.blind, _si.c.kind, _se.c.blind.is_not(None).label("suppressed"))
    .outerjoin(_se, _se.c.blind == _si.c.blind)
    .where(_si.c.subject_id == bindparam("subject"))
)
SUPPRESSED = select(_se.c.blind).where(_se.c.blind == bindparam("blind"))
STATE = select(t.consent_states).where(
    t.consent_states.c.subject_id == bindparam("subject"),
    t.consent_states.c.purpose_key == bindparam("purpose"),
    t.consent_states.c.channel == bindparam("channel"),
)
ANY_EVENT = select(
    exists().where(
        t.events.c.subject_id == bindparam("subject"),
        t.events.c.purpose_key.in_(bindparam("purposes", expanding=True)),
    )
)
LISTED = (
    select(func.max(t.opposition_registers.c.register_date))
    .select_from(t.opposition_entries)
    .join(t.opposition_registers)
    .where(
        t.opposition_entries.c.register_id.in_(bindparam("registers", expanding=True)),
        t.opposition_entries.c.blind.in_(bindparam("blinds", expanding=True)),
    )
)
CONTACTS = select(func.count()).where(
    t.contacts.c.subject_id == bindparam("subject"),
    t.contacts.c.channel == bindparam("channel"),
    t.contacts.c.occurred_at >= bindparam("since", type_=t.contacts.c.occurred_at.type),
)


class CheckReads:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def stamp(self, name: str) -> int | None:
        """The current value of a stamp that triggers move (None if it is missing)."""
        value = self._c.execute(STAMP, {"name": name}).scalar()
        return None if value is None else int(value)

    def subject(self, *, subject_id: str | None, blind: str | None) -> tuple[str, bool] | None:
        """The known subject named by id (or else by keyed hash), and whether it is shredded."""
        if subject_id is not None:
            row = self._c.execute(BY_ID, {"subject": subject_id}).first()
        elif blind is not None:
            row = self._c.execute(BY_BLIND, {"blind": blind}).first()
        else:
            return None
        return None if row is None else (row.id, row.shredded_at is not None)

    def identifiers(self, subject_id: str) -> list[tuple[str, str, bool]]:
        """Each keyed hash of a subject with its kind and whether it is on the suppression list."""
        rows = self._c.execute(IDENTIFIERS, {"subject": subject_id})
        return [(r.blind, r.kind, bool(r.suppressed)) for r in rows]

    def suppressed(self, blind: str) -> bool:
        return self._c.execute(SUPPRESSED, {"blind": blind}).first() is not None

    def state(self, subject_id: str, purpose: str, channel: str) -> ConsentState | None:
        params = {"subject": subject_id, "purpose": purpose, "channel": channel}
        row = self._c.execute(STATE, params).first()
        return None if row is None else state_of(row)

    def has_events(self, subject_id: str, purposes: Sequence[str]) -> bool:
        """Whether the subject has any event for one of these purposes."""
        if not purposes:
            return False
        params: dict[str, Any] = {"subject": subject_id, "purposes": list(purposes)}
        return bool(self._c.execute(ANY_EVENT, params).scalar())

    def listed_since(self, registers: Sequence[str], blinds: Sequence[str]) -> date | None:
        """The latest date of these registers that lists one of these keyed hashes."""
        if not registers or not blinds:
            return None
        params = {"registers": list(registers), "blinds": list(blinds)}
        found: date | None = self._c.execute(LISTED, params).scalar()
        return found

    def contacts(self, subject_id: str, channel: str, since: datetime) -> int:
        """Contacts made with a subject on a channel since an instant."""
        params = {"subject": subject_id, "channel": channel, "since": since}
        return int(self._c.execute(CONTACTS, params).scalar() or 0)
