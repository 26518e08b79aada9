"""Repository for checks, contacts, contact policies, suppression and opposition registers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Connection, Row, and_, func, insert, select, update

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
        self,
        subjects: Sequence[str],
        channel: Channel,
        since: datetime,
        until: datetime,
        purpose: str | None = None,
    ) -> dict[str, int]:
        """Contacts made per subject on a channel from `since` up to (not at) `until`; only
        those for `purpose` when one is named."""
        c = t.contacts.c
        found: dict[str, int] = {}
        for start in range(0, len(subjects), CHUNK):
            query = (
                select(c.subject_id, func.count())
                .where(
                    c.subject_id.in_(subjects[start : start + CHUNK]),
                    c.channel == channel.value,
                    c.occurred_at >= since,
                    c.occurred_at < until,
                )
                .group_by(c.subject_id)
            )
            if purpose is not None:
                query = query.where(c.purpose_key == purpose)
            found.update({r[0]: int(r[1]) for r in self._c.execute(query)})
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
        return [policy_of(r) for r in rows]

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

    def add_suppression(self, entries: Sequence[SuppressionEntry]) -> list[SuppressionEntry]:
        """Adds entries not already on the list; returns those that were new."""
        known = self.suppressed([e.blind for e in entries])
        new = list({e.blind: e for e in entries if e.blind not in known}.values())
        bulk_insert(self._c, t.suppression_entries, [vars(e) for e in new])
        return new

    def add_register(self, register: NewRegister, blinds: Sequence[str]) -> None:
        """Adds an import; a number the previous import of the same register listed keeps the
        date it was first seen there, any other is first seen on this import's date."""
        previous = self.current_registers(name=register.name, kind=register.kind)
        self._c.execute(insert(t.opposition_registers).values(**vars(register)))
        for start in range(0, len(blinds), 50_000):
            bulk_insert(
                self._c,
                t.opposition_entries,
                [
                    {"register_id": register.id, "blind": b, "first_seen": register.register_date}
                    for b in blinds[start : start + 50_000]
                ],
            )
        if previous:
            self._carry_first_seen(register.id, previous[0].id)

    def registers(self) -> list[Any]:
        """Imports not removed, newest first per register."""
        return list(
            self._c.execute(
                select(t.opposition_registers)
                .where(t.opposition_registers.c.removed_at.is_(None))
                .order_by(
                    t.opposition_registers.c.name, t.opposition_registers.c.imported_at.desc()
                )
            )
        )

    def current_registers(self, *, name: str | None = None, kind: str | None = None) -> list[Any]:
        """The latest import of each register (a name may hold a phone and a postal list)."""
        latest: dict[tuple[str, str], Any] = {}
        for row in self.registers():
            if (name is None or row.name == name) and (kind is None or row.kind == kind):
                latest.setdefault((row.name, row.kind), row)
        return list(latest.values())

    def _carry_first_seen(self, register_id: str, previous: str) -> None:
        """Gives the numbers an import shares with the previous import of its register the
        date they were first seen there (the others keep the import's own date)."""
        entries = t.opposition_entries
        prior = entries.alias("prior")
        same = and_(prior.c.register_id == previous, prior.c.blind == entries.c.blind)
        self._c.execute(
            update(entries)
            .where(entries.c.register_id == register_id, select(prior.c.blind).where(same).exists())
            .values(first_seen=select(prior.c.first_seen).where(same).scalar_subquery())
        )


def policy_of(row: Any) -> Policy:
    """The policy a row of contact_policies (or of its history) holds."""
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
