"""The log's side, on both backends, against real witness servers on loopback: the sender
collects cosignatures from two witnesses (one down at first), served checkpoints and tlog-proofs
carry them, and a forked copy of the database is refused by a witness that cosigned the
original."""

from __future__ import annotations

import math
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, update
from tests.conftest import bound_context, make_settings
from tests.factories.events import email, make_draft, record, setup_registry
from tests.factories.tamper import re_sign_every_checkpoint, rebuild_tree, rewrite_event
from tests.factories.witness import RunningWitness, make_witness

from trustguardian.domain.events import EventKind, PrivacyEvent
from trustguardian.ledger import leaf_hash
from trustguardian.ledger.cosignature import verify_cosignatures
from trustguardian.ledger.policy import PolicyError, parse_policy
from trustguardian.ledger.tlog_proof import verify_tlog_proof
from trustguardian.service.context import Context
from trustguardian.service.events.ledger import latest_checkpoint
from trustguardian.service.events.witnessing import tlog_proof, trust_policy
from trustguardian.service.verify.full import verify_ledger
from trustguardian.store import tables as t
from trustguardian.sync.witnesses import WitnessSender


def add_events(ctx: Context, count: int, start: int = 0) -> list[PrivacyEvent]:
    drafts = [
        make_draft(identifiers=(email(f"person{n}@example.com"),))
        for n in range(start, start + count)
    ]
    return record(ctx, *drafts)


@pytest.fixture
def pair(ctx: Context, tmp_path: Path) -> Iterator[tuple[RunningWitness, RunningWitness]]:
    log_key = ctx.keys.signer.verifier_key
    first = make_witness(tmp_path / "w", "w1.example", [log_key])
    second = make_witness(tmp_path / "w", "w2.example", [log_key])
    ctx.settings.witnesses = f"{first.setting}, {second.setting}"
    ctx.settings.outbound_allow_hosts = "127.0.0.1"
    yield first, second
    first.stop()
    second.stop()


def test_sender_collects_two_cosignatures_retrying_the_witness_that_was_down(
    ctx: Context, pair: tuple[RunningWitness, RunningWitness]
) -> None:
    first, second = pair
    setup_registry(ctx)
    events = add_events(ctx, 3)
    first.start()  # the second is down
    sender = WitnessSender(ctx)
    began = time.monotonic()
    assert sender.run_once() == 1
    down = sender.progress[f"w2.example+{second.verifier.key_id.hex()}"]
    assert down.failures == 1
    assert down.last_error
    assert down.retry_at >= began + 0.5  # backing off
    note = latest_checkpoint(ctx).note
    assert [c.name for c in verify_cosignatures(note, [first.verifier, second.verifier])] == [
        "w1.example"
    ]
    # A tlog-proof now is against that checkpoint, one cosignature short of the quorum (2).
    policy = parse_policy(trust_policy(ctx))
    leaf = _leaf(ctx, events[0].id)
    with pytest.raises(PolicyError, match="quorum"):
        verify_tlog_proof(tlog_proof(ctx, event_id=events[0].id), leaf, policy)
    second.start()
    down.retry_at = math.inf
    assert sender.run_once() == 0  # not before its time
    down.retry_at = 0  # the backoff elapsed
    assert sender.run_once() == 1
    assert down.failures == 0
    assert down.last_error is None
    # More events: each witness is sent a consistency proof from the size it cosigned.
    later = add_events(ctx, 4, start=3)
    assert sender.run_once() == 2
    checkpoint = latest_checkpoint(ctx)
    cosigners = verify_cosignatures(checkpoint.note, [first.verifier, second.verifier])
    assert sorted(c.name for c in cosigners) == ["w1.example", "w2.example"]
    for event in [*events, *later]:
        proved = verify_tlog_proof(tlog_proof(ctx, event_id=event.id), _leaf(ctx, event.id), policy)
        assert proved.size == checkpoint.tree_size
    # One cosignature line removed: the quorum fails.
    text = tlog_proof(ctx, event_id=later[0].id)
    cut = "".join(line for line in text.splitlines(keepends=True) if "w2.example" not in line)
    with pytest.raises(PolicyError, match="quorum witnesses not met"):
        verify_tlog_proof(cut, _leaf(ctx, later[0].id), policy)
    # `verify` checks the stored cosignatures; one changed in the database is named.
    report = verify_ledger(ctx, evidence=False)
    assert report.ok, report.problems
    assert report.cosignatures == 4
    with ctx.engine.begin() as conn:
        row = conn.execute(select(t.checkpoint_cosignatures).limit(1)).one()
        forged = row.line[:-6] + ("AAAA" if row.line[-6:-2] != "AAAA" else "BBBB") + "=\n"
        conn.execute(
            update(t.checkpoint_cosignatures)
            .where(
                t.checkpoint_cosignatures.c.tree_size == row.tree_size,
                t.checkpoint_cosignatures.c.witness == row.witness,
            )
            .values(line=forged)
        )
    problems = [p for p in verify_ledger(ctx, evidence=False).problems if "cosignature" in p]
    assert len(problems) == 1
    assert problems[0].startswith(f"cosignature of checkpoint {row.tree_size} by {row.witness}")
    with ctx.engine.begin() as conn:
        conn.execute(
            update(t.checkpoint_cosignatures)
            .where(t.checkpoint_cosignatures.c.line == forged)
            .values(line=row.line)
        )
    # A sender that forgot the witnesses' sizes learns them from a 409 and goes on.
    add_events(ctx, 1, start=7)
    fresh = WitnessSender(ctx)
    for state in fresh.progress.values():
        state.size = 0
    assert fresh.run_once() == 2
    fresh.close()
    sender.close()


def _leaf(ctx: Context, event_id: str) -> bytes:
    with ctx.uow(write=False) as uow:
        found = uow.events.get(event_id)
    assert found is not None
    return leaf_hash(found[1])


def test_a_witness_refuses_a_forked_copy_after_cosigning_the_original(
    sqlite_ctx: Context, tmp_path: Path
) -> None:
    ctx = sqlite_ctx
    ctx.settings.outbound_allow_hosts = "127.0.0.1"
    witness = make_witness(tmp_path / "w", "w1.example", [ctx.keys.signer.verifier_key])
    ctx.settings.witnesses = witness.setting
    setup_registry(ctx)
    events = add_events(ctx, 4)
    witness.start()
    try:
        # The fork: a copy of the database, one event rewritten, tree and checkpoints re-signed
        # with the instance key (an insider with the database and the key file).
        source = Path(ctx.engine.url.database or "")
        copy = tmp_path / "fork.db"
        with sqlite3.connect(source) as live, sqlite3.connect(copy) as target:
            live.backup(target)  # WAL included
        fork = bound_context(
            make_settings(
                f"sqlite:///{copy}",
                tmp_path,
                witnesses=witness.setting,
                outbound_allow_hosts="127.0.0.1",
            )
        )
        original = WitnessSender(ctx)
        assert original.run_once() == 1
        rewrite_event(fork, events[1].seq, kind=EventKind.CONSENT_WITHDRAWN.value)
        rebuild_tree(fork)
        re_sign_every_checkpoint(fork, ctx.keys.signer)
        forked = WitnessSender(fork)
        assert forked.run_once() == 0
        state = next(iter(forked.progress.values()))
        assert "422" in (state.last_error or "")
        with fork.uow(write=False) as uow:
            assert uow.ledger.cosignature_rows() == []
        # The original goes on being cosigned.
        add_events(ctx, 2, start=4)
        assert original.run_once() == 1
        original.close()
        forked.close()
        fork.engine.dispose()
    finally:
        witness.stop()
