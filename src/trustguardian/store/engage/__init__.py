"""Repository for checks, contacts, contact policies, suppression and opposition registers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Connection, Row, func, insert, select

from trustguardian.domain.checks import ContactWindow, FrequencyCap, Policy
from trustguardian.domain.registry import Channel
from trustguardian.store import tables as t
from trustguardian.store.bulk import bulk_insert
from trustguardian.store.engage import check_log
from trustguardian.store.engine import WRITE_OPTION
from trustguardian.store.ledger import CHUNK


@dataclass(frozen=True)
class NewContact:
    """A contact made, for frequency caps; `flag` says why no allowed check stands behind it."""

    event_seq: int
    subject_id: str
    purpose_key: str | None
    channel: str
    touchpoint_key: str
    campaign: str | None
    check_id: str | None
    occurred_at: datetime
    flag: str | None


@dataclass(frozen=True)
class NewPolicy:
    """A contact policy: a frequency cap or a contact window, for a purpose and/or a channel."""

    id: str
    purpose_key: str | None
    channel: str | None
    max_contacts: int | None
    days: int | None
    window: dict[str, Any] | None
    created_at: datetime


@dataclass(frozen=True)
class SuppressionEntry:
    """An identifier's keyed hash on the internal suppression list."""

    blind: str
    reason: str
    added_at: datetime


@dataclass(frozen=True)
class NewRegister:
    """An import of an opposition register (its entries are keyed hashes)."""

    id: str
    name: str
    kind: str
    register_date: date
    entries: int
    file_sha256: str
    imported_at: datetime


class EngageRepository:
    """Checks, contacts, policies and registers.

    Checks answered by a server on a SQLite file may still sit in its journal
    (`store.check_log`): every read of checks here first moves every journal into the table, in
    the caller's transaction, which must therefore be a writer's. Callers never see the journal.
    """

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add_checks(self, rows: Sequence[dict[str, Any]]) -> None:
        bulk_insert(self._c, t.checks, rows)

    def settle_checks(self) -> int:
        """Moves the checks journalled by every process into the table (committed with the
        caller's transaction); returns how many rows the journals held."""
        directory = check_log.directory_for(self._c.engine)
        if directory is None:
            return 0
        if not self._c.get_execution_options().get(WRITE_OPTION, False):
            # Under the write lock no journal can be drained and deleted while it is read; a
            # reader's snapshot could miss rows that left the journal after it began.
            raise RuntimeError("checks on a SQLite file are read in a write unit of work")
        return check_log.absorb(self._c, directory)

    def checks(self, ids: Sequence[str]) -> dict[str, Any]:
        """Checks by id (absent ids are left out)."""
        if not ids:
            return {}
        self.settle_checks()
        found: dict[str, Any] = {}
        for start in range(0, len(ids), CHUNK):
            for row in self._c.execute(
                select(t.checks).where(t.checks.c.id.in_(ids[start : start + CHUNK]))
            ):
                found[row.id] = row
        return found

    def recent_checks(self, subject_id: str, limit: int) -> list[Row[Any]]:
        """A subject's latest checks, newest first."""
        self.settle_checks()
        c = t.checks.c
        return list(
            self._c.execute(
                select(t.checks)
                .where(c.subject_id == subject_id)
                .order_by(c.checked_at.desc())
                .limit(limit)
            )
        )

    def add_contacts(self, contacts: Sequence[NewContact]) -> None:
        bulk_insert(self._c, t.contacts, [vars(c) for c in contacts])

    def contact_counts(
        self, subjects: Sequence[str], channel: Channel, since: datetime
    ) -> dict[str, int]:
        """Contacts made per subject on a channel since an instant."""
        found: dict[str, int] = {}
        for start in range(0, len(subjects), CHUNK):
            rows = self._c.execute(
                select(t.contacts.c.subject_id, func.count())
                .where(
                    t.contacts.c.subject_id.in_(subjects[start : start + CHUNK]),
                    t.contacts.c.channel == channel.value,
                    t.contacts.c.occurred_at >= since,
                )
                .group_by(t.contacts.c.subject_id)
            )
            found.update({r[0]: int(r[1]) for r in rows})
        return found

    def flagged_contacts(self, touchpoint: str) -> dict[str, int]:
        """Contacts of an engage touchpoint made without an allowed check, by flag."""
        rows = self._c.execute(
            select(t.contacts.c.flag, func.count())
            .where(t.contacts.c.touchpoint_key == touchpoint, t.contacts.c.flag.is_not(None))
            .group_by(t.contacts.c.flag)
        )
        return {r[0]: int(r[1]) for r in rows}

    def add_policy(self, policy: NewPolicy) -> None:
        self._c.execute(insert(t.contact_policies).values(**vars(policy)))

    def policies(self) -> list[Policy]:
        rows = self._c.execute(select(t.contact_policies).order_by(t.contact_policies.c.created_at))
        return [_policy(r) for r in rows]

    def suppressed(self, blinds: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(blinds), CHUNK):
            rows = self._c.execute(
                select(t.suppression_entries.c.blind).where(
                    t.suppression_entries.c.blind.in_(blinds[start : start + CHUNK])
                )
            )
            found.update(rows.scalars())
        return found

    def add_suppression(self, entries: Sequence[SuppressionEntry]) -> int:
        """Adds entries not already on the list; returns how many were new."""
        known = self.suppressed([e.blind for e in entries])
        new = list({e.blind: vars(e) for e in entries if e.blind not in known}.values())
        bulk_insert(self._c, t.suppression_entries, new)
        return len(new)

    def add_register(self, register: NewRegister, blinds: Sequence[str]) -> None:
        self._c.execute(insert(t.opposition_registers).values(**vars(register)))
        for start in range(0, len(blinds), 50_000):
            bulk_insert(
                self._c,
                t.opposition_entries,
                [{"register_id": register.id, "blind": b} for b in blinds[start : start + 50_000]],
            )

    def registers(self) -> list[Any]:
        return list(
            self._c.execute(
                select(t.opposition_registers).order_by(
                    t.opposition_registers.c.name, t.opposition_registers.c.imported_at.desc()
                )
            )
        )

    def current_registers(self) -> list[Any]:
        """The latest import of each register (a name may hold a phone and a postal list)."""
        latest: dict[tuple[str, str], Any] = {}
        for row in self.registers():
            latest.setdefault((row.name, row.kind), row)
        return list(latest.values())

    def in_registers(self, register_ids: Sequence[str], blinds: Sequence[str]) -> dict[str, date]:
        """Maps each listed keyed hash to the date of the register that lists it."""
        if not register_ids or not blinds:
            return {}
        found: dict[str, date] = {}
        for start in range(0, len(blinds), CHUNK):
            rows = self._c.execute(
                select(t.opposition_entries.c.blind, t.opposition_registers.c.register_date)
                .join(t.opposition_registers)
                .where(
                    t.opposition_entries.c.register_id.in_(list(register_ids)),
                    t.opposition_entries.c.blind.in_(blinds[start : start + CHUNK]),
                )
            )
            for blind, when in rows:
                found[blind] = max(found.get(blind, when), when)
        return found


def _policy(row: Any) -> Policy:
    window = None
    if row.window is not None:
        w = row.window
        window = ContactWindow(
            weekdays=_bounds(w.get("weekdays")),
            saturday=_bounds(w.get("saturday")),
            sunday=_bounds(w.get("sunday")),
            on_holidays=bool(w.get("on_holidays", False)),
            time_zone=w.get("time_zone", "Europe/Rome"),
        )
    cap = FrequencyCap(row.max_contacts, row.days) if row.max_contacts is not None else None
    return Policy(row.purpose_key, Channel(row.channel) if row.channel else None, cap, window)


def _bounds(value: Any) -> tuple[time, time] | None:
    if not value:
        return None
    return (time.fromisoformat(value[0]), time.fromisoformat(value[1]))
