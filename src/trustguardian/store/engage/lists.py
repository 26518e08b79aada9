"""Contact policies, suppression entries and opposition registers: listed, changed, removed, and
read as they stood at a past moment.

The current policies and entries stay in their own tables, which every check reads; what a
change or a removal replaces moves to a history table, read only by checks of a past moment.
A register import is never deleted: its removal is dated, so a past check still sees it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from trustguardian.domain.checks import Policy
from trustguardian.store import tables as t
from trustguardian.store.engage import NewPolicy, policy_of
from trustguardian.store.ledger import CHUNK

_se, _sh = t.suppression_entries, t.suppression_history
_cp, _ch = t.contact_policies, t.contact_policy_history
_or, _oe = t.opposition_registers, t.opposition_entries


@dataclass(frozen=True)
class DatedPolicy:
    """A policy and the span it was in force: from `since`, until `until` (None: still)."""

    policy: Policy
    since: datetime
    until: datetime | None


@dataclass(frozen=True)
class RegisterImport:
    """One import of an opposition register, and when it was removed (None: it stands)."""

    id: str
    name: str
    kind: str
    register_date: date
    entries: int
    file_sha256: str
    imported_at: datetime
    removed_at: datetime | None


# When a keyed hash was on the suppression list: from, until (None: still).
Span = tuple[datetime, datetime | None]


class EngageLists:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    # --- policies ------------------------------------------------------------------------------

    def policy_rows(self) -> list[NewPolicy]:
        """The policies in force, oldest first."""
        rows = self._c.execute(select(_cp).order_by(_cp.c.created_at, _cp.c.id))
        return [NewPolicy(**r._asdict()) for r in rows]

    def policy_row(self, policy_id: str) -> NewPolicy | None:
        row = self._c.execute(select(_cp).where(_cp.c.id == policy_id)).first()
        return None if row is None else NewPolicy(**row._asdict())

    def retire_policy(self, policy_id: str, at: datetime) -> NewPolicy | None:
        """Moves a policy to the history, ended at `at`; returns it (None if there is none)."""
        found = self.policy_row(policy_id)
        if found is None:
            return None
        self._c.execute(insert(_ch).values(**vars(found), removed_at=at))
        self._c.execute(delete(_cp).where(_cp.c.id == policy_id))
        return found

    def dated_policies(self) -> list[DatedPolicy]:
        """Every policy that was ever in force, with its span, oldest first."""
        current = [(r, None) for r in self._c.execute(select(_cp))]
        gone = [(r, r.removed_at) for r in self._c.execute(select(_ch))]
        spans = sorted([*current, *gone], key=lambda item: (item[0].created_at, item[0].id))
        return [DatedPolicy(policy_of(r), r.created_at, until) for r, until in spans]

    # --- suppression ---------------------------------------------------------------------------

    def suppression_page(self, *, after: str | None, limit: int) -> list[Any]:
        """Current entries by keyed hash (a page after `after`)."""
        query = select(_se).order_by(_se.c.blind).limit(limit)
        if after is not None:
            query = query.where(_se.c.blind > after)
        return list(self._c.execute(query))

    def suppression_entry(self, blind: str) -> Any:
        return self._c.execute(select(_se).where(_se.c.blind == blind)).first()

    def change_suppression(self, blind: str, reason: str) -> bool:
        """Changes the reason of an entry; False when the hash is not listed."""
        done = self._c.execute(update(_se).where(_se.c.blind == blind).values(reason=reason))
        return done.rowcount > 0

    def remove_suppression(self, blind: str, at: datetime) -> bool:
        """Takes a hash off the list, keeping when it was on it; False when it was not listed."""
        found = self.suppression_entry(blind)
        if found is None:
            return False
        self._c.execute(
            insert(_sh).values(
                blind=blind, added_at=found.added_at, reason=found.reason, removed_at=at
            )
        )
        self._c.execute(delete(_se).where(_se.c.blind == blind))
        return True

    def suppression_spans(self, blinds: Sequence[str]) -> dict[str, list[Span]]:
        """When each of these hashes was (and is) on the suppression list."""
        found: dict[str, list[Span]] = {}
        for start in range(0, len(blinds), CHUNK):
            chunk = blinds[start : start + CHUNK]
            for blind, added in self._c.execute(
                select(_se.c.blind, _se.c.added_at).where(_se.c.blind.in_(chunk))
            ):
                found.setdefault(blind, []).append((added, None))
            for blind, added, removed in self._c.execute(
                select(_sh.c.blind, _sh.c.added_at, _sh.c.removed_at).where(_sh.c.blind.in_(chunk))
            ):
                found.setdefault(blind, []).append((added, removed))
        return found

    def shredded_at(self, subject_ids: Sequence[str]) -> dict[str, datetime]:
        """When each of these subjects was erased (erased ones only)."""
        found: dict[str, datetime] = {}
        for start in range(0, len(subject_ids), CHUNK):
            rows = self._c.execute(
                select(t.subjects.c.id, t.subjects.c.shredded_at).where(
                    t.subjects.c.id.in_(subject_ids[start : start + CHUNK]),
                    t.subjects.c.shredded_at.is_not(None),
                )
            )
            found.update({r.id: r.shredded_at for r in rows})
        return found

    # --- registers -----------------------------------------------------------------------------

    def register_imports(self) -> list[RegisterImport]:
        """Every import of every register, removed ones too, newest first per register."""
        rows = self._c.execute(
            select(_or).order_by(_or.c.name, _or.c.kind, _or.c.imported_at.desc(), _or.c.id)
        )
        return [RegisterImport(**r._asdict()) for r in rows]

    def register_import(self, register_id: str) -> RegisterImport | None:
        row = self._c.execute(select(_or).where(_or.c.id == register_id)).first()
        return None if row is None else RegisterImport(**row._asdict())

    def remove_register(self, register_id: str, at: datetime) -> None:
        self._c.execute(update(_or).where(_or.c.id == register_id).values(removed_at=at))

    def redate_register(self, found: RegisterImport, register_date: date) -> None:
        """Corrects an import's date, and the first-seen date of the numbers it (and later
        imports of the same register carrying them on) first listed."""
        self._c.execute(update(_or).where(_or.c.id == found.id).values(register_date=register_date))
        later = select(_or.c.id).where(
            _or.c.name == found.name,
            _or.c.kind == found.kind,
            _or.c.imported_at >= found.imported_at,
        )
        self._c.execute(
            update(_oe)
            .where(_oe.c.register_id.in_(later), _oe.c.first_seen == found.register_date)
            .values(first_seen=register_date)
        )
