"""A retry with the same idempotency key returns the original result and writes nothing new."""

from __future__ import annotations

import dataclasses

import pytest
from tests.factories.events import (
    ENGAGE_TP,
    LUIGI,
    ago,
    email,
    footprint,
    make_draft,
    record_one,
    setup_registry,
)

from trustguardian.domain.errors import InvalidInput
from trustguardian.domain.events import EventKind
from trustguardian.service.context import Context
from trustguardian.service.events.recording import IdempotencyKeyReused, record_events


def test_a_retry_with_the_same_key_and_content_returns_the_original_event(ctx: Context) -> None:
    setup_registry(ctx)
    draft = make_draft(idempotency_key="order-1001", occurred_at=ago(days=1))
    [first] = record_events(ctx, drafts=[draft])
    before = footprint(ctx)
    [again] = record_events(ctx, drafts=[draft])
    assert first.replayed is False
    assert again.replayed is True
    assert again.event == first.event
    assert footprint(ctx) == before


def test_the_same_key_with_different_content_is_refused_and_writes_nothing(ctx: Context) -> None:
    setup_registry(ctx)
    original = record_one(ctx, make_draft(idempotency_key="order-1001", occurred_at=ago(days=1)))
    before = footprint(ctx)
    changed = make_draft(EventKind.CONSENT_WITHDRAWN, idempotency_key="order-1001")
    with pytest.raises(IdempotencyKeyReused) as caught:
        record_events(ctx, drafts=[changed])
    assert caught.value.code == "idempotency-key-reused"
    assert footprint(ctx) == before
    [retry] = record_events(
        ctx, drafts=[make_draft(idempotency_key="order-1001", occurred_at=original.occurred_at)]
    )
    assert retry.event.id == original.id


def test_keys_are_scoped_by_touchpoint(ctx: Context) -> None:
    setup_registry(ctx)
    web = record_one(ctx, make_draft(idempotency_key="k-1", occurred_at=ago(days=2)))
    footer = record_one(
        ctx, make_draft(EventKind.CONSENT_WITHDRAWN, touchpoint=ENGAGE_TP, idempotency_key="k-1")
    )
    assert footer.id != web.id
    assert footprint(ctx)["events"] == 2


def test_a_refused_attempt_does_not_use_up_its_key(ctx: Context) -> None:
    setup_registry(ctx)
    with pytest.raises(InvalidInput):
        record_events(ctx, drafts=[make_draft(purpose="ghost", idempotency_key="k-1")])
    [result] = record_events(ctx, drafts=[make_draft(idempotency_key="k-1")])
    assert result.replayed is False


def test_a_batch_mixing_retries_and_new_events_keeps_the_order(ctx: Context) -> None:
    setup_registry(ctx)
    known = make_draft(idempotency_key="k-1", occurred_at=ago(days=2))
    [first] = record_events(ctx, drafts=[known])
    fresh = make_draft(EventKind.CONSENT_WITHDRAWN, idempotency_key="k-2")
    results = record_events(ctx, drafts=[fresh, known])
    assert [r.replayed for r in results] == [False, True]
    assert results[1].event == first.event
    assert results[0].event.seq == first.event.seq + 1
    assert footprint(ctx)["events"] == 2


def test_the_same_key_twice_in_one_batch_is_refused_and_writes_nothing(ctx: Context) -> None:
    setup_registry(ctx)
    before = footprint(ctx)
    with pytest.raises(InvalidInput) as caught:
        record_events(
            ctx,
            drafts=[
                make_draft(idempotency_key="k-1"),
                make_draft(identifiers=(email(LUIGI),), idempotency_key="k-1"),
            ],
        )
    assert [e.loc for e in caught.value.errors] == ["events.1.idempotency_key"]
    assert footprint(ctx) == before


def test_a_batch_retried_with_its_key_returns_the_same_events_and_writes_nothing(
    ctx: Context,
) -> None:
    setup_registry(ctx)
    drafts = [
        make_draft(occurred_at=ago(days=2)),
        make_draft(identifiers=(email(LUIGI),), occurred_at=ago(days=1)),
    ]
    first = record_events(ctx, drafts=drafts, batch_key="upload-7")
    before = footprint(ctx)
    again = record_events(ctx, drafts=drafts, batch_key="upload-7")
    assert [r.event for r in again] == [r.event for r in first]
    assert [r.replayed for r in first] == [False, False]
    assert [r.replayed for r in again] == [True, True]
    assert footprint(ctx) == before


def test_a_batch_key_reused_for_other_events_is_refused_and_writes_nothing(ctx: Context) -> None:
    setup_registry(ctx)
    drafts = [make_draft(occurred_at=ago(days=2))]
    record_events(ctx, drafts=drafts, batch_key="upload-7")
    before = footprint(ctx)
    other = [dataclasses.replace(drafts[0], fingerprint="something else")]
    with pytest.raises(IdempotencyKeyReused):
        record_events(ctx, drafts=other, batch_key="upload-7")
    assert footprint(ctx) == before


def test_batch_keys_are_scoped(ctx: Context) -> None:
    setup_registry(ctx)
    drafts = [make_draft(occurred_at=ago(days=2))]
    [first] = record_events(ctx, drafts=drafts, batch_key="upload-7", batch_scope="batch:a")
    [second] = record_events(ctx, drafts=drafts, batch_key="upload-7", batch_scope="batch:b")
    assert second.replayed is False
    assert second.event.id != first.event.id
