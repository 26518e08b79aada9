"""Time-ordered ids: new events and subjects get UUIDv7 ids, and a ledger written before the
change (random ids, migration state of the previous release) keeps verifying once the new code
adds to it, with the same people found again under their old ids."""

from __future__ import annotations

import dataclasses
import uuid

from sqlalchemy import select
from tests.factories.events import (
    assert_verifies,
    email,
    make_draft,
    record,
    setup_registry,
    statuses,
)

from trustguardian.domain.common import RandomIds, TimeOrderedIds
from trustguardian.domain.events import EventKind
from trustguardian.service.context import Context
from trustguardian.store import tables as t
from trustguardian.store.migrate import current_revision, head_revision, upgrade


def _hex(value: str) -> uuid.UUID:
    return uuid.UUID(value.split("_", 1)[1])


def test_ids_are_uuid7_in_the_order_they_were_made() -> None:
    ids = TimeOrderedIds()
    made = [ids.new_id("evt") for _ in range(2000)]
    assert len(set(made)) == len(made)
    assert all(len(m) == len("evt_") + 32 for m in made)
    assert {(_hex(m).version, _hex(m).variant) for m in made} == {(7, uuid.RFC_4122)}
    # Ordered by their millisecond: a later id never sorts before one of an earlier millisecond.
    stamps = [_hex(m).int >> 80 for m in made]
    assert stamps == sorted(stamps)
    assert sorted(made, key=lambda m: _hex(m).int >> 80) == made


class OldIds(RandomIds):
    """The previous release's random ids, remembered so the test can tell them apart."""

    def __init__(self) -> None:
        self.made: set[str] = set()

    def new_id(self, prefix: str) -> str:
        made = super().new_id(prefix)
        self.made.add(made)
        return made


def test_a_ledger_with_random_ids_verifies_after_new_code_adds_time_ordered_ones(
    ctx: Context,
) -> None:
    previous = OldIds()
    before = dataclasses.replace(ctx, ids=previous)
    setup_registry(before)
    people = [f"person{n}@example.com" for n in range(6)]
    old = record(before, *[make_draft(identifiers=(email(p),)) for p in people])
    assert_verifies(before)
    assert {e.id for e in old} | {e.subject_id for e in old} <= previous.made

    upgrade(ctx.engine)  # whatever the previous release's migration state, then the new code
    assert current_revision(ctx.engine) == head_revision()
    assert isinstance(ctx.ids, TimeOrderedIds)
    new = record(
        ctx,
        *[make_draft(EventKind.CONSENT_WITHDRAWN, identifiers=(email(p),)) for p in people[:3]],
        *[make_draft(identifiers=(email(f"new{n}@example.com"),)) for n in range(3)],
    )

    # The same people are found under their old, random subject ids; new ones get UUIDv7 ids.
    assert [e.subject_id for e in new[:3]] == [e.subject_id for e in old[:3]]
    assert all(_hex(e.id).version == 7 and e.id not in previous.made for e in new)
    assert all(_hex(e.subject_id).version == 7 for e in new[3:])
    assert set(statuses(ctx, old[0].subject_id).values()) == {"withdrawn"}
    with ctx.engine.connect() as conn:
        stored = conn.execute(select(t.events.c.id).order_by(t.events.c.seq)).scalars().all()
    assert stored[-6:] == [e.id for e in new]
    assert_verifies(ctx)
