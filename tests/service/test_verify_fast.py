"""The fast path of verification: taken on a sound ledger, and it never changes the report.

`clean_events` must accept every event the service writes (else every verification would fall
back to the field-by-field pass), the consent check run in a second process must report exactly
what the one in this process reports, and a tampered ledger must get the same report as before.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url
from tests.collect.helpers import NEWSLETTER, TP, setup_collect
from tests.conftest import BACKENDS, PG_URL
from tests.factories.events import email, make_draft, record_one
from tests.factories.retail import build_ledger

from trustguardian.domain.collect import Confirmation
from trustguardian.service.collect.admin import configure
from trustguardian.service.context import Context
from trustguardian.service.verify.consent import can_run_beside, start_beside
from trustguardian.service.verify.fast import clean_events
from trustguardian.service.verify.full import Report, _events, verify_ledger
from trustguardian.store.engine import make_engine


def _reports_agree(ctx: Context) -> Report:
    """Verifies with and without the second process; both reports must be the same."""
    alone = verify_ledger(ctx, beside=False)
    beside = verify_ledger(ctx, beside=True)
    assert dataclasses.asdict(beside) == dataclasses.asdict(alone)
    return alone


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_varied_ledger_takes_the_fast_path(
    make_ctx: Callable[[str], Context], backend: str
) -> None:
    ctx = make_ctx(backend)
    built = build_ledger(ctx)
    with ctx.uow(write=False) as uow:
        clean = clean_events(uow.scans, built.size, None)
        assert clean is not None, "a sound ledger fell back to the field-by-field pass"
        leaves, _, _ = _events(uow, Report(), None)
    assert clean.leaf_hashes == leaves
    assert clean.events + clean.records == built.size
    assert clean.events == len(built.event_ids)
    report = _reports_agree(ctx)
    assert report.ok, report.problems
    assert (report.events, report.proofs) == (clean.events, clean.proofs)
    assert report.consent_states > 0


def test_leaves_with_a_deadline_and_a_campaign_take_the_fast_path(
    ctx: Context, tmp_path: Path
) -> None:
    ctx = dataclasses.replace(
        ctx, settings=ctx.settings.model_copy(update={"outbox_dir": tmp_path})
    )
    setup_collect(ctx)
    record_one(ctx, make_draft(touchpoint=TP, purpose=NEWSLETTER, campaign="autumn-2026"))
    configure(ctx, touchpoint=TP, confirmation=Confirmation.DOUBLE_OPT_IN, within_minutes=30)
    awaiting = record_one(
        ctx, make_draft(touchpoint=TP, purpose=NEWSLETTER, identifiers=(email("b@example.com"),))
    )
    assert awaiting.confirm_by is not None
    with ctx.uow(write=False) as uow:
        size = uow.ledger.size()
        assert clean_events(uow.scans, size, None) is not None
    assert _reports_agree(ctx).ok


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_changed_consent_state_is_reported_alike_from_the_second_process(
    make_ctx: Callable[[str], Context], backend: str
) -> None:
    ctx = make_ctx(backend)
    build_ledger(ctx)
    with ctx.engine.begin() as conn:
        # Subject ids are random: pick a state the update really changes.
        subject, purpose, channel = conn.execute(
            text(
                "SELECT subject_id, purpose_key, channel FROM consent_states "
                "WHERE status <> 'refused' ORDER BY subject_id LIMIT 1"
            )
        ).one()
        conn.execute(
            text(
                "UPDATE consent_states SET status = 'refused' "
                "WHERE subject_id = :s AND purpose_key = :p AND channel = :c"
            ),
            {"s": subject, "p": purpose, "c": channel},
        )
    report = _reports_agree(ctx)
    assert report.problems
    assert all(p.startswith(f"consent state {subject}/{purpose}/") for p in report.problems)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_changed_event_leaves_the_fast_path_and_is_named(
    make_ctx: Callable[[str], Context], backend: str
) -> None:
    ctx = make_ctx(backend)
    built = build_ledger(ctx)
    seq = built.size // 2
    with ctx.engine.begin() as conn:
        for changed in (seq, seq + 1):
            conn.execute(
                text("UPDATE events SET corrects = 'evt_x' WHERE seq = :s"), {"s": changed}
            )
    with ctx.uow(write=False) as uow:
        assert clean_events(uow.scans, built.size, None) is None
    report = _reports_agree(ctx)
    named = [p for p in report.problems if p.startswith("seq ")]
    assert named == [
        f"seq {seq}: stored event differs from its ledger leaf (corrects)",
        f"seq {seq + 1}: stored event differs from its ledger leaf (corrects)",
    ], report.problems


@pytest.mark.postgres
def test_a_second_process_that_cannot_read_the_database_answers_nothing() -> None:
    missing = make_url(PG_URL).set(database=f"tg_missing_{uuid.uuid4().hex[:8]}")
    engine = make_engine(missing.render_as_string(hide_password=False))
    try:
        # The caller then checks that share of the events and consent itself.
        beside = start_beside(engine, 10, 5, {})
        assert beside.events() is None
        assert beside.consent() is None
    finally:
        engine.dispose()


def test_only_a_database_on_disk_or_a_server_is_opened_twice(tmp_path: Path) -> None:
    assert can_run_beside(make_engine(f"sqlite:///{tmp_path / 'ledger.db'}"))
    assert can_run_beside(make_engine(PG_URL))
    assert not can_run_beside(make_engine("sqlite://"))
    assert not can_run_beside(make_engine("sqlite:///:memory:"))


@pytest.mark.parametrize("backend", BACKENDS)
def test_evidence_shared_between_two_processes_finds_what_one_finds(
    make_ctx: Callable[[str], Context], backend: str
) -> None:
    """Each process opens the evidence of one half of the subjects: tampered proofs, data and
    identifiers of subjects on both sides of the pivot are all named, and counted alike."""
    ctx = make_ctx(backend)
    build_ledger(ctx)
    with ctx.uow(write=False) as uow:
        parted = uow.scans.pivot()
    with ctx.engine.connect() as conn:
        owners = [
            row[0]
            for row in conn.execute(
                text(
                    "SELECT DISTINCT e.subject_id FROM events e "
                    "JOIN event_proofs p ON p.event_seq = e.seq ORDER BY e.subject_id"
                )
            )
        ]
    assert parted is not None
    low, high = owners[0], owners[-1]
    assert low < parted <= high  # one tampered subject in each half
    with ctx.engine.begin() as conn:
        for subject in (low, high):
            seq = conn.execute(
                text(
                    "SELECT min(p.event_seq) FROM event_proofs p JOIN events e "
                    "ON e.seq = p.event_seq WHERE e.subject_id = :s"
                ),
                {"s": subject},
            ).scalar_one()
            _flip_last_byte(conn, "event_proofs", "event_seq = :k AND position = 0", seq)
            _flip_last_byte(conn, "subject_identifiers", "subject_id = :k", subject)
    alone = verify_ledger(ctx, beside=False)
    shared = verify_ledger(ctx, beside=True)
    named = [p for p in alone.problems if "cannot be opened" in p]
    assert len(named) >= 4, alone.problems
    assert sorted(shared.problems) == sorted(alone.problems)
    assert (shared.evidence_opened, shared.evidence_erased) == (
        alone.evidence_opened,
        alone.evidence_erased,
    )
    assert shared.evidence_opened > 0


def _flip_last_byte(conn: Connection, table: str, where: str, key: object) -> None:
    """Flips the last byte of the sealed values of the rows `where` picks (`:k` is `key`)."""
    sql = f"SELECT sealed FROM {table} WHERE {where}"  # noqa: S608 - the test's own constants
    rows = conn.execute(text(sql), {"k": key}).all()
    assert rows
    for (sealed,) in rows:
        flipped = bytes(sealed[:-1]) + bytes([sealed[-1] ^ 1])
        conn.execute(
            text(f"UPDATE {table} SET sealed = :b WHERE {where} AND sealed = :old"),  # noqa: S608
            {"b": flipped, "k": key, "old": bytes(sealed)},
        )
