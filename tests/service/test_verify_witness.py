"""A checkpoint kept outside the database catches a log whose newest part was cut off."""

from __future__ import annotations

from sqlalchemy import text
from tests.factories.events import make_draft, record, setup_registry

from trustguardian.service.context import Context
from trustguardian.service.events.ledger import latest_checkpoint
from trustguardian.service.verify.full import verify_ledger
from trustguardian.store.engine import make_engine


def cut_off_after(ctx: Context, size: int) -> None:
    """Removes every trace of the events from `size` on, as a careful attacker would."""
    engine = make_engine(ctx.settings.database_url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM consent_states"))
        conn.execute(text("DELETE FROM event_proofs WHERE event_seq >= :n"), {"n": size})
        conn.execute(text("DELETE FROM outbox WHERE seq >= :n"), {"n": size})
        conn.execute(text("DELETE FROM events WHERE seq >= :n"), {"n": size})
        conn.execute(text("DELETE FROM registry_records WHERE seq >= :n"), {"n": size})
        conn.execute(text("DELETE FROM checkpoints WHERE tree_size > :n"), {"n": size})
        conn.execute(text("UPDATE ledger_head SET size = :n"), {"n": size})
        # Leave only the nodes of complete subtrees inside the shorter log.
        conn.execute(
            text("DELETE FROM tree_nodes WHERE (idx + 1) * (1 << level) > :n"), {"n": size}
        )
    engine.dispose()


def test_a_truncated_log_is_caught_by_a_witnessed_checkpoint(ctx: Context) -> None:
    setup_registry(ctx)
    record(ctx, make_draft())
    record(ctx, make_draft(occurred_at=make_draft().occurred_at))
    witnessed = latest_checkpoint(ctx)
    assert verify_ledger(ctx, witnessed=[witnessed.note]).ok
    cut_off_after(ctx, witnessed.tree_size - 1)
    # The database is consistent with itself, except for the consent state we rebuild below.
    report = verify_ledger(ctx, witnessed=[witnessed.note])
    assert not report.ok
    assert any(f"witnessed checkpoint {witnessed.tree_size}" in p for p in report.problems)


def test_a_forged_witness_is_refused(ctx: Context) -> None:
    setup_registry(ctx)
    record(ctx, make_draft())
    latest = latest_checkpoint(ctx)
    note = latest.note.replace(f"\n{latest.tree_size}\n", f"\n{latest.tree_size + 6}\n", 1)
    report = verify_ledger(ctx, witnessed=[note])
    assert any("not signed by this instance" in p for p in report.problems)
