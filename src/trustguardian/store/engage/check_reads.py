"""Reads for one contact check: a handful of small statements, each built once per process.

A single check is answered on the hot path of every call centre and campaign tool, so these
reads join what the batch reader asks in separate statements (a subject with its shredding,
identifiers with their suppression) and never re-build a statement per call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Select, and_, bindparam, exists, func, select, true

from trustguardian.domain.consent import ConsentState
from trustguardian.store import tables as t
from trustguardian.store.events.consent import state_of

_s, _si, _se = t.subjects, t.subject_identifiers, t.suppression_entries

STAMP = select(t.stamps.c.value).where(t.stamps.c.name == bindparam("name"))
LISTED = (
    select(
        func.max(
            func.coalesce(t.opposition_entries.c.first_seen, t.opposition_registers.c.register_date)
        )
    )
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
    t.contacts.c.occurred_at < bindparam("until", type_=t.contacts.c.occurred_at.type),
)
PURPOSE_CONTACTS = CONTACTS.where(t.contacts.c.purpose_key == bindparam("purpose"))


_cs, _p, _v = t.consent_states, t.purposes, t.purpose_versions
_own = _si.alias("own")
_own_listed = _se.alias("own_listed")


def _one(by_blind: bool) -> Select[Any]:
    """Everything one check needs about one subject, with the stamp, in one statement.

    One row per identifier of the subject; one row with no subject when nobody is found (the
    stamp and the suppression of the checked identifier still come back).
    """
    customer = exists().where(
        t.events.c.subject_id == _s.c.id,
        t.events.c.purpose_key == _p.c.key,
        _p.c.key == _v.c.purpose_key,
        _p.c.current_version == _v.c.version,
        _v.c.legal_basis == "contract",
    )
    found = (
        select(
            _s.c.id.label("subject"),
            _s.c.shredded_at,
            *_cs.c,
            customer.label("customer"),
            _own.c.blind.label("own_blind"),
            _own.c.kind.label("own_kind"),
            _own_listed.c.blind.is_not(None).label("own_suppressed"),
        )
        .select_from(_s)
        .outerjoin(
            _cs,
            and_(
                _cs.c.subject_id == _s.c.id,
                _cs.c.purpose_key == bindparam("purpose"),
                _cs.c.channel == bindparam("channel"),
            ),
        )
        .outerjoin(_own, _own.c.subject_id == _s.c.id)
        .outerjoin(_own_listed, _own_listed.c.blind == _own.c.blind)
    )
    if by_blind:
        found = found.join(_si, _si.c.subject_id == _s.c.id).where(
            _si.c.blind == bindparam("blind")
        )
    else:
        found = found.where(_s.c.id == bindparam("subject_id"))
    subject = found.subquery("found")
    listed = exists().where(_se.c.blind == bindparam("blind"))
    return (
        select(t.stamps.c.value.label("stamp"), listed.label("blind_suppressed"), subject)
        .select_from(t.stamps)
        .outerjoin(subject, true())
        .where(t.stamps.c.name == bindparam("stamp_name"))
    )


ONE_BY_BLIND = _one(by_blind=True)
ONE_BY_ID = _one(by_blind=False)


@dataclass(frozen=True)
class OneSubject:
    """What one check reads about its subject (subject None: nobody known by that name)."""

    stamp: int | None
    blind_suppressed: bool
    subject: str | None
    shredded: bool
    state: ConsentState | None
    customer: bool
    identifiers: list[tuple[str, str, bool]]


class CheckReads:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def one(
        self, *, stamp: str, subject_id: str | None, blind: str | None, purpose: str, channel: str
    ) -> OneSubject:
        """The stamp, the subject named by id (else by keyed hash), its state for a purpose and
        channel, whether it is a customer, its identifiers with their suppression, and whether
        the keyed hash itself is on the suppression list: one statement."""
        params: dict[str, Any] = {
            "stamp_name": stamp,
            "blind": blind,
            "purpose": purpose,
            "channel": channel,
        }
        if subject_id is not None:
            rows = self._c.execute(ONE_BY_ID, {**params, "subject_id": subject_id}).all()
        elif blind is not None:
            rows = self._c.execute(ONE_BY_BLIND, params).all()
        else:
            rows = []
        first = rows[0] if rows else None
        if first is None or first.subject is None:
            return OneSubject(
                stamp=None if first is None else int(first.stamp),
                blind_suppressed=bool(first is not None and first.blind_suppressed),
                subject=None,
                shredded=False,
                state=None,
                customer=False,
                identifiers=[],
            )
        return OneSubject(
            stamp=int(first.stamp),
            blind_suppressed=bool(first.blind_suppressed),
            subject=first.subject,
            shredded=first.shredded_at is not None,
            state=None if first.status is None else state_of(first),
            customer=bool(first.customer),
            identifiers=[
                (r.own_blind, r.own_kind, bool(r.own_suppressed))
                for r in rows
                if r.own_blind is not None
            ],
        )

    def stamp(self, name: str) -> int | None:
        """The current value of a stamp that triggers move (None if it is missing)."""
        value = self._c.execute(STAMP, {"name": name}).scalar()
        return None if value is None else int(value)

    def listed_since(self, registers: Sequence[str], blinds: Sequence[str]) -> date | None:
        """The latest date one of these keyed hashes was first seen on one of these registers."""
        if not registers or not blinds:
            return None
        params = {"registers": list(registers), "blinds": list(blinds)}
        found: date | None = self._c.execute(LISTED, params).scalar()
        return found

    def contacts(
        self,
        subject_id: str,
        channel: str,
        since: datetime,
        until: datetime,
        purpose: str | None = None,
    ) -> int:
        """Contacts made with a subject on a channel from `since` up to (not at) `until`; only
        those for `purpose` when one is named."""
        params = {"subject": subject_id, "channel": channel, "since": since, "until": until}
        if purpose is None:
            return int(self._c.execute(CONTACTS, params).scalar() or 0)
        return int(self._c.execute(PURPOSE_CONTACTS, {**params, "purpose": purpose}).scalar() or 0)
