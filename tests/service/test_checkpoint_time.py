"""The signing time as a checkpoint extension line: signed, checked against the stored time by
`verify`, and absent from checkpoints written before it (which still verify)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text
from tests.reports.helpers import mario_history

from trustguardian.ledger import Checkpoint, parse_checkpoint, sign_checkpoint
from trustguardian.service.context import Context
from trustguardian.service.verify.full import verify_ledger


def _checkpoints(ctx: Context) -> list[tuple[int, str]]:
    with ctx.engine.connect() as c:
        rows = c.execute(text("SELECT tree_size, note FROM checkpoints ORDER BY tree_size"))
        return [(int(size), str(note)) for size, note in rows]


def test_every_new_checkpoint_signs_its_time_and_verify_checks_it(ctx: Context) -> None:
    history = mario_history(ctx)
    notes = _checkpoints(ctx)
    for size, note in notes:
        cp = parse_checkpoint(note, ctx.keys.verifiers)
        with ctx.uow(write=False) as uow:
            stored = uow.ledger.checkpoint(size)
        assert stored is not None
        assert cp.signing_time() == stored.created_at
        assert [line.split(" ")[0] for line in cp.extensions] == ["time"]
    assert verify_ledger(history.ctx).problems == []

    size = notes[-1][0]
    with ctx.engine.begin() as c:
        c.execute(
            text("UPDATE checkpoints SET created_at = :t WHERE tree_size = :s"),
            {"t": history.ctx.clock.now() + timedelta(days=1), "s": size},
        )
    problems = verify_ledger(history.ctx).problems
    assert any(p.startswith(f"checkpoint {size}: stored time") for p in problems), problems


def test_checkpoints_from_before_the_time_line_still_verify(ctx: Context) -> None:
    history = mario_history(ctx)
    for size, note in _checkpoints(ctx):
        cp = parse_checkpoint(note, ctx.keys.verifiers)
        old = sign_checkpoint(Checkpoint(cp.origin, cp.size, cp.root_hash), ctx.keys.signer)
        with ctx.engine.begin() as c:
            c.execute(
                text("UPDATE checkpoints SET note = :n WHERE tree_size = :s"), {"n": old, "s": size}
            )
    assert all("\ntime " not in note for _, note in _checkpoints(ctx))
    assert verify_ledger(history.ctx).problems == []
