"""A consent awaiting confirmation: its deadline is in the leaf, the fold makes it pending and
then expired, other leaves keep their bytes, and verification catches a changed deadline."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import update
from tests.collect.helpers import NEWSLETTER, TP, setup_collect
from tests.factories.events import email, make_draft, record_one

from trustguardian.domain.collect import Confirmation
from trustguardian.domain.consent import ConsentFact, ConsentStatus, fold
from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import Channel
from trustguardian.service.context import Context
from trustguardian.service.verify.full import verify_ledger
from trustguardian.store import tables as t

T0 = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)


def fact(
    kind: EventKind, at: datetime, seq: int, confirm_by: datetime | None = None
) -> ConsentFact:
    return ConsentFact(
        seq=seq, event_id=f"evt_{seq}", kind=kind, subject_id="sub_1", purpose="newsletter",
        purpose_version=1, channels=(Channel.EMAIL,), notice=None, notice_version=None,
        occurred_at=at, corrects=None, lifetime_days=730, confirm_by=confirm_by,
    )  # fmt: skip


def test_the_fold_makes_an_unconfirmed_consent_pending_then_expired() -> None:
    deadline = T0 + timedelta(hours=72)
    [state] = fold([fact(EventKind.CONSENT_GIVEN, T0, 1, deadline)]).values()
    assert state.status is ConsentStatus.PENDING_CONFIRMATION
    assert state.expires_at == deadline
    assert state.at(deadline - timedelta(seconds=1)) is ConsentStatus.PENDING_CONFIRMATION
    assert state.at(deadline) is ConsentStatus.EXPIRED


def test_a_confirmation_makes_it_given_with_the_purpose_lifetime() -> None:
    deadline = T0 + timedelta(hours=72)
    confirmed = T0 + timedelta(hours=2)
    [state] = fold(
        [
            fact(EventKind.CONSENT_CONFIRMED, confirmed, 2),
            fact(EventKind.CONSENT_GIVEN, T0, 1, deadline),
        ]
    ).values()
    assert state.status is ConsentStatus.GIVEN
    assert state.expires_at == confirmed + timedelta(days=730)
    assert state.at(deadline + timedelta(days=1)) is ConsentStatus.GIVEN


def test_only_awaiting_leaves_carry_the_deadline(ctx: Context, tmp_path: Path) -> None:
    ctx = dataclasses.replace(
        ctx, settings=ctx.settings.model_copy(update={"outbox_dir": tmp_path})
    )
    setup_collect(ctx)
    plain = record_one(ctx, make_draft(touchpoint=TP, purpose=NEWSLETTER))
    assert "confirm_by" not in plain.envelope()
    from trustguardian.service.collect.admin import configure

    configure(ctx, touchpoint=TP, confirmation=Confirmation.DOUBLE_OPT_IN, within_minutes=30)
    awaiting = record_one(
        ctx,
        make_draft(touchpoint=TP, purpose=NEWSLETTER, identifiers=(email("b@example.com"),)),
    )
    assert awaiting.confirm_by is not None
    assert awaiting.envelope()["confirm_by"].endswith("Z")
    assert awaiting.confirm_by - awaiting.recorded_at == timedelta(minutes=30)
    assert verify_ledger(ctx).problems == []
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 1
    # The stored deadline must agree with the leaf: a changed one is found.
    with ctx.engine.begin() as conn:
        conn.execute(update(t.events).where(t.events.c.id == awaiting.id).values(confirm_by=None))
    problems = verify_ledger(ctx).problems
    assert any("confirm_by" in p for p in problems), problems
