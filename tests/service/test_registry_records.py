"""Registry records share the one tree and the one sequencer with the events, on both backends."""

from __future__ import annotations

from sqlalchemy import delete, update
from tests.factories.events import make_draft, record_one, setup_registry

from trustguardian.ledger import leaf_hash
from trustguardian.service.context import Context
from trustguardian.service.events.ledger import prove_inclusion
from trustguardian.service.events.records import RegistryChange, record_registry_changes
from trustguardian.service.verify.full import verify_ledger
from trustguardian.store import tables as t
from trustguardian.store.records import StoredRecord


def _record(ctx: Context, *changes: RegistryChange) -> list[StoredRecord]:
    with ctx.uow() as uow:
        stored = record_registry_changes(ctx, uow, list(changes))
        uow.commit()
    return stored


def _change(key: str, **content: object) -> RegistryChange:
    return RegistryChange("registry.test.changed", "test", key, content, "tester")


def _size(ctx: Context) -> int:
    with ctx.uow(write=False) as uow:
        return uow.ledger.size()


def test_records_and_events_take_turns_in_one_tree(ctx: Context) -> None:
    setup_registry(ctx)
    start = _size(ctx)
    (first,) = _record(ctx, _change("a", n=1))
    event = record_one(ctx, make_draft())
    second, third = _record(ctx, _change("a", n=2), _change("b", text="é\n"))
    assert (first.seq, event.seq, second.seq, third.seq) == (start, start + 1, start + 2, start + 3)
    with ctx.uow(write=False) as uow:
        assert uow.ledger.size() == start + 4
        assert uow.ledger.latest_checkpoint().tree_size == start + 4  # type: ignore[union-attr]
        assert uow.records.latest("test")[("test", "a")].seq == second.seq
        assert [r.seq for r in uow.records.history("test", "a")] == [first.seq, second.seq]
        assert uow.ledger.nodes([(0, third.seq)])[(0, third.seq)] == leaf_hash(third.leaf)
    report = verify_ledger(ctx, evidence=False)
    assert report.ok, report.problems
    assert (report.tree_size, report.records) == (start + 4, start + 3)
    assert report.events == 1
    # The event's own proof still holds at its index among the records.
    assert prove_inclusion(ctx, event_id=event.id).leaf_index == event.seq


def test_a_record_changed_in_place_is_named(ctx: Context) -> None:
    setup_registry(ctx)
    (stored,) = _record(ctx, _change("a", legal_basis="consent"))
    record_one(ctx, make_draft())
    with ctx.engine.begin() as c:
        c.execute(
            update(t.registry_records)
            .where(t.registry_records.c.seq == stored.seq)
            .values(content='{"legal_basis":"legitimate_interest"}')
        )
    problems = verify_ledger(ctx, evidence=False).problems
    assert problems == [
        f"registry record seq {stored.seq} (test a): stored record differs from its ledger leaf"
        " (content)"
    ]


def test_a_record_leaf_rewritten_is_named_by_the_tree(ctx: Context) -> None:
    setup_registry(ctx)
    (stored,) = _record(ctx, _change("a", n=1))
    forged = stored.leaf.replace(b'"n":1', b'"n":2')
    with ctx.engine.begin() as c:
        c.execute(
            update(t.registry_records)
            .where(t.registry_records.c.seq == stored.seq)
            .values(leaf=forged, content='{"n":2}')
        )
    problems = verify_ledger(ctx, evidence=False).problems
    assert any(f"tree node (0, {stored.seq})" in p for p in problems), problems


def test_a_record_deleted_leaves_a_hole_that_is_named(ctx: Context) -> None:
    setup_registry(ctx)
    (stored,) = _record(ctx, _change("a", n=1))
    record_one(ctx, make_draft())
    with ctx.engine.begin() as c:
        c.execute(delete(t.registry_records).where(t.registry_records.c.seq == stored.seq))
    problems = verify_ledger(ctx, evidence=False).problems
    assert f"seq {stored.seq}..{stored.seq}: no event or registry record" in problems


def test_a_record_moved_onto_an_event_index_is_named(ctx: Context) -> None:
    setup_registry(ctx)
    (stored,) = _record(ctx, _change("a", n=1))
    event = record_one(ctx, make_draft())
    with ctx.engine.begin() as c:
        c.execute(
            update(t.registry_records)
            .where(t.registry_records.c.seq == stored.seq)
            .values(seq=event.seq)
        )
    problems = verify_ledger(ctx, evidence=False).problems
    assert f"seq {event.seq}: both an event and a registry record" in problems
    assert f"seq {stored.seq}..{stored.seq}: no event or registry record" in problems


def test_no_change_appends_nothing(ctx: Context) -> None:
    setup_registry(ctx)
    size = _size(ctx)
    assert _record(ctx) == []
    assert _size(ctx) == size
