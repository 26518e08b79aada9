"""Erasure with a defence retention (art. 17(3)(e)): contact data unreadable at once, the proofs
of consent and withdrawal readable only through the DPO's logged opening, destroyed (and
unreadable) when the retention ends, never while a legal hold stands; `verify` passes
throughout. On SQLite and PostgreSQL, with the clock moved ten years forward."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update
from tests.conftest import BACKENDS, bound_context
from tests.factories.defence import DESK, REASON, TEN_YEARS, defence_world
from tests.factories.events import (
    LUIGI,
    MARIO,
    PURPOSE,
    SCAN,
    TP,
    assert_verifies,
    email,
    make_draft,
    record,
)

from trustguardian.domain.errors import Erased, Forbidden, InvalidInput, NotFound
from trustguardian.service.access.users import access_log
from trustguardian.service.collect.proofs import read_proof
from trustguardian.service.context import Context
from trustguardian.service.defence.holds import place_legal_hold, release_legal_hold
from trustguardian.service.defence.purge import purge_defence_copies
from trustguardian.service.defence.reading import open_defence_copy
from trustguardian.service.events.subjects import get_subject
from trustguardian.service.ops.rotation import finish_master_rotation, rotate_master_key
from trustguardian.service.registry.purposes import set_defence_retention
from trustguardian.service.rights.erasure import erase_subject
from trustguardian.service.verify import verify_ledger
from trustguardian.settings import Settings
from trustguardian.store import tables as t
from trustguardian.sync.dispatcher import Dispatcher


def _open(ctx: Context, subject_id: str, by: str = "dpo") -> dict[str, object]:
    opened = open_defence_copy(ctx, subject_id=subject_id, by=by, reason=REASON, via="test")
    return opened.as_json()


def _stored_copy(ctx: Context, subject_id: str) -> tuple[bytes | None, bytes | None]:
    d = t.defence_copies
    with ctx.engine.connect() as conn:
        row = conn.execute(
            select(d.c.wrapped_key, d.c.sealed).where(d.c.subject_id == subject_id)
        ).one()
    return row.wrapped_key, row.sealed


def test_erasure_keeps_the_proofs_for_the_dpo_until_the_retention_ends(ctx: Context) -> None:
    ctx, clock, subject = defence_world(ctx)
    events = [e.id for e in get_events(ctx, subject)]
    erase_subject(ctx, subject_id=subject, touchpoint=DESK, actor="dpo")
    assert_verifies(ctx)

    # Contact data: gone at once, and the proofs are no longer readable the ordinary way.
    assert [i.value for i in get_subject(ctx, subject_id=subject).identifiers] == [None]
    with pytest.raises(Erased):
        read_proof(ctx, event_id=events[0], position=0)

    # Only the DPO opens the copy; the others are refused and nothing is logged for them.
    for who in ("marketer", "lawyer", "nobody"):
        with pytest.raises(Forbidden):
            _open(ctx, subject, by=who)
    with pytest.raises(InvalidInput):
        open_defence_copy(ctx, subject_id=subject, by="dpo", reason="  ", via="test")
    assert access_log(ctx, subject_id=subject) == []

    opened = _open(ctx, subject)
    kinds = [(e["kind"], e["purpose"]) for e in opened["events"]]  # type: ignore[index]
    assert kinds == [("consent.given", PURPOSE), ("consent.withdrawn", PURPOSE)]
    [scan] = opened["events"][0]["proofs"]  # type: ignore[index]
    assert scan["matches"] is True
    assert scan["content"]["form_reference"] == "PF-2024-0042"
    assert scan["file"]["media_type"] == "application/pdf"
    assert MARIO not in str(opened)  # the contact data is not part of the proofs kept
    assert opened["retain_until"] == (clock.now() + timedelta(days=TEN_YEARS)).isoformat()

    # The opening is in the access log and is a ledger leaf naming the DPO.
    [logged] = access_log(ctx, subject_id=subject)
    assert (logged.username, logged.what) == ("dpo", "defence copy")
    with ctx.uow(write=False) as uow:
        [read] = uow.records.latest("defence_read").values()
    assert read.actor == "dpo"
    assert read.kind == "registry.defence_read.opened"
    assert_verifies(ctx)

    # A day before the end nothing goes; after it, the purge destroys the copy for good.
    clock.moment += timedelta(days=TEN_YEARS - 1)
    assert purge_defence_copies(ctx).destroyed == ()
    clock.moment += timedelta(days=2)
    assert purge_defence_copies(ctx).destroyed == (subject,)
    assert _stored_copy(ctx, subject) == (None, None)
    with pytest.raises(Erased):
        _open(ctx, subject)
    assert purge_defence_copies(ctx).destroyed == ()
    assert_verifies(ctx)


def get_events(ctx: Context, subject_id: str) -> list[object]:
    with ctx.uow(write=False) as uow:
        return list(uow.events.for_subject(subject_id))


@pytest.mark.parametrize("on", ["subject", "touchpoint"])
def test_a_legal_hold_suspends_the_destruction_until_released(ctx: Context, on: str) -> None:
    ctx, clock, subject = defence_world(ctx)
    erase_subject(ctx, subject_id=subject, touchpoint=DESK, actor="dpo")
    where = {"subject_id": subject} if on == "subject" else {"touchpoint": TP}
    with pytest.raises(Forbidden):
        place_legal_hold(ctx, reason="claim", by="marketer", **where)
    hold = place_legal_hold(ctx, reason="claim 2026/17 pending", by="lawyer", **where)
    assert_verifies(ctx)

    clock.moment += timedelta(days=TEN_YEARS + 30)
    report = purge_defence_copies(ctx)
    assert report.destroyed == ()
    assert report.held == {subject: (hold.id,)}
    assert _open(ctx, subject)["events"]  # still readable by the DPO under the hold
    assert_verifies(ctx)

    release_legal_hold(ctx, hold_id=hold.id, by="dpo")
    dispatcher = Dispatcher(ctx)  # its periodic work purges (once an hour)
    try:
        assert dispatcher.periodic() == 1
        assert dispatcher.periodic() == 0
    finally:
        dispatcher.client.close()
    assert _stored_copy(ctx, subject) == (None, None)
    with pytest.raises(Erased):
        _open(ctx, subject)
    assert_verifies(ctx)


def test_no_retention_keeps_nothing_unless_a_hold_stands(ctx: Context) -> None:
    ctx, _, subject = defence_world(ctx)
    set_defence_retention(ctx, key=PURPOSE, days=None)
    erase_subject(ctx, subject_id=subject, touchpoint=DESK, actor="dpo")
    with pytest.raises(NotFound):
        _open(ctx, subject)

    # Luigi, under a hold when erased: his proofs are kept though the purpose keeps none.
    [given] = record(ctx, make_draft(identifiers=(email(LUIGI),), proofs=(SCAN,)))
    held = given.subject_id
    place_legal_hold(ctx, reason="claim", by="dpo", subject_id=held)
    erase_subject(ctx, subject_id=held, touchpoint=DESK, actor="dpo")
    assert _open(ctx, held)["purposes"] == [PURPOSE]
    assert_verifies(ctx)


def test_verify_finds_a_defence_copy_changed_or_destroyed_without_its_leaf(ctx: Context) -> None:
    ctx, _, subject = defence_world(ctx)
    erase_subject(ctx, subject_id=subject, touchpoint=DESK, actor="dpo")
    _, sealed = _stored_copy(ctx, subject)
    assert sealed is not None
    with ctx.engine.begin() as conn:
        conn.execute(update(t.defence_copies).values(sealed=sealed[:-1] + bytes([sealed[-1] ^ 1])))
    problems = verify_ledger(ctx).problems
    assert problems == [f"defence copy {subject}: sealed_sha256 differs from leaf {_leaf(ctx)}"]
    with ctx.engine.begin() as conn:
        conn.execute(update(t.defence_copies).values(sealed=sealed, wrapped_key=None))
    problems = verify_ledger(ctx).problems
    assert problems == [f"defence copy {subject}: kept differs from leaf {_leaf(ctx)}"]


def _leaf(ctx: Context) -> int:
    with ctx.uow(write=False) as uow:
        [record] = uow.records.latest("defence_copy").values()
    return record.seq


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_master_key_rotation_rewraps_the_defence_copies(
    backend: str, make_db: Callable[[str], str], tmp_path: Path
) -> None:
    # Keys from a key file, as in production (a key from the environment is rotated by hand).
    settings = Settings(database_url=make_db(backend), keys_file=tmp_path / "tg.keys")
    ctx, _, subject = defence_world(bound_context(settings))
    erase_subject(ctx, subject_id=subject, touchpoint=DESK, actor="dpo")
    before, _ = _stored_copy(ctx, subject)
    rotation = rotate_master_key(ctx)
    _, dropped = finish_master_rotation(ctx)
    assert dropped == [rotation.old_key_id]  # the old master key can no longer open anything
    after, _ = _stored_copy(ctx, subject)
    assert after is not None
    assert after != before
    assert _open(ctx, subject)["events"]
    assert_verifies(ctx)
    ctx.engine.dispose()
