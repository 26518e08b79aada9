"""Consent follows when things happened (`occurred_at`), never the order they reached us."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.factories.events import (
    BOTH,
    ENGAGE_TP,
    LUIGI,
    MARIO,
    SCAN,
    STORE_TP,
    ago,
    all_are,
    assert_verifies,
    email,
    make_draft,
    record,
    record_one,
    setup_registry,
    statuses,
    utcnow,
)

from trustguardian.domain.consent import (
    STATUS_OF,
    ConsentFact,
    ConsentState,
    correctable,
    fold,
)
from trustguardian.domain.events import EventKind, PrivacyEvent
from trustguardian.domain.registry import Channel
from trustguardian.service.context import Context
from trustguardian.service.events.consent import subject_consents, subject_timeline
from trustguardian.service.events.validate import EventDraft

DECIDING = [EventKind.CONSENT_GIVEN, EventKind.CONSENT_REFUSED, EventKind.CONSENT_WITHDRAWN]


def test_a_paper_consent_from_last_week_recorded_today_does_not_undo_yesterdays_withdrawal(
    ctx: Context,
) -> None:
    setup_registry(ctx)
    given_online = record_one(ctx, make_draft(occurred_at=ago(days=20)))
    withdrawal = record_one(
        ctx,
        make_draft(EventKind.CONSENT_WITHDRAWN, touchpoint=ENGAGE_TP, occurred_at=ago(days=1)),
    )
    paper = record_one(
        ctx, make_draft(touchpoint=STORE_TP, occurred_at=ago(days=7), proofs=(SCAN,))
    )

    assert paper.seq > withdrawal.seq > given_online.seq
    assert statuses(ctx, withdrawal.subject_id) == all_are("withdrawn")
    states = [s for s, _ in subject_consents(ctx, subject_id=withdrawal.subject_id)]
    assert {s.event_id for s in states} == {withdrawal.id}
    timeline = subject_timeline(ctx, subject_id=withdrawal.subject_id)
    assert [e.id for e in timeline] == [given_online.id, paper.id, withdrawal.id]
    assert_verifies(ctx)


def test_a_late_event_that_happened_last_wins_even_in_the_same_batch(ctx: Context) -> None:
    setup_registry(ctx)
    newest, oldest = record(
        ctx,
        make_draft(occurred_at=ago(days=1)),
        make_draft(EventKind.CONSENT_WITHDRAWN, occurred_at=ago(days=3)),
    )
    assert statuses(ctx, newest.subject_id) == all_are("given")
    states = [s for s, _ in subject_consents(ctx, subject_id=newest.subject_id)]
    assert {s.event_id for s in states} == {newest.id}
    assert oldest.seq == newest.seq + 1
    assert_verifies(ctx)


def test_at_the_same_instant_the_most_protective_event_decides(ctx: Context) -> None:
    setup_registry(ctx)
    moment = ago(days=1)
    record_one(ctx, make_draft(occurred_at=moment))
    second = record_one(ctx, make_draft(EventKind.CONSENT_WITHDRAWN, occurred_at=moment))
    assert statuses(ctx, second.subject_id) == all_are("withdrawn")
    # Recorded later at the same instant, a consent does not take the withdrawal back.
    record_one(ctx, make_draft(occurred_at=moment))
    assert statuses(ctx, second.subject_id) == all_are("withdrawn")
    # Between two consents of the same instant, recording order decides.
    later = record_one(ctx, make_draft(occurred_at=moment + timedelta(hours=1)))
    tie = record_one(ctx, make_draft(occurred_at=moment + timedelta(hours=1)))
    assert statuses(ctx, later.subject_id) == all_are("given")
    states = [s for s, _ in subject_consents(ctx, subject_id=later.subject_id)]
    assert {s.event_id for s in states} == {tie.id}
    assert_verifies(ctx)


# --- the property: any arrival order, any batch split, same state as the fold ----------------

Spec = tuple[EventKind, int, tuple[Channel, ...], int]
SPECS = st.tuples(
    st.sampled_from(DECIDING),
    st.integers(min_value=0, max_value=12),  # hours after the base instant: ties are likely
    st.sampled_from([(), (Channel.EMAIL,), (Channel.SMS,), BOTH]),
    st.integers(min_value=0, max_value=1),  # which of two people
)


def fact(event: PrivacyEvent) -> ConsentFact:
    assert event.purpose is not None
    assert event.purpose_version is not None
    return ConsentFact(
        seq=event.seq,
        event_id=event.id,
        kind=event.kind,
        subject_id=event.subject_id,
        purpose=event.purpose,
        purpose_version=event.purpose_version,
        channels=event.channels,
        notice=event.notice,
        notice_version=event.notice_version,
        occurred_at=event.occurred_at,
        corrects=event.corrects,
        lifetime_days=730,
    )


def last_word(events: list[PrivacyEvent]) -> dict[tuple[str, Channel], EventKind]:
    """An independent model: per subject and channel, the event that happened last decides;
    at one instant a withdrawal or refusal beats a consent, then the one recorded last."""
    refusing = {EventKind.CONSENT_WITHDRAWN, EventKind.CONSENT_REFUSED}

    def rank(e: PrivacyEvent) -> tuple[datetime, bool, int]:
        return (e.occurred_at, e.kind in refusing, e.seq)

    decided: dict[tuple[str, Channel], PrivacyEvent] = {}
    for e in events:
        for channel in e.channels:
            current = decided.get((e.subject_id, channel))
            if current is None or rank(e) > rank(current):
                decided[(e.subject_id, channel)] = e
    return {key: e.kind for key, e in decided.items()}


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_stored_consent_equals_the_fold_by_occurred_at_whatever_the_arrival_order(
    make_ctx: Callable[[str], Context], data: st.DataObject
) -> None:
    specs: list[Spec] = data.draw(st.lists(SPECS, min_size=1, max_size=10), label="events")
    arrival = data.draw(st.permutations(range(len(specs))), label="arrival")
    cuts = sorted(
        data.draw(st.sets(st.integers(min_value=1, max_value=max(1, len(specs) - 1))), "cuts")
        - {len(specs)}
    )
    ctx = make_ctx("sqlite")
    setup_registry(ctx)
    base = utcnow() - timedelta(days=2)
    people = (email(MARIO), email(LUIGI))
    drafts: list[EventDraft] = [
        make_draft(
            kind,
            occurred_at=base + timedelta(hours=hours),
            channels=channels,
            identifiers=(people[who],),
        )
        for kind, hours, channels, who in (specs[n] for n in arrival)
    ]
    events: list[PrivacyEvent] = []
    with ctx.uow(write=False) as uow:
        first = uow.ledger.size()  # the registry's own leaves come first
    for start, end in zip([0, *cuts], [*cuts, len(drafts)], strict=True):
        events += record(ctx, *drafts[start:end])

    assert [e.seq for e in events] == list(range(first, first + len(events)))
    stored: dict[tuple[str, str, Channel], ConsentState] = {}
    for subject_id in {e.subject_id for e in events}:
        stored.update({s.key: s for s, _ in subject_consents(ctx, subject_id=subject_id)})
    assert stored == fold([fact(e) for e in events])
    model = {(s.subject_id, s.channel): s.status for s in stored.values()}
    assert model == {key: STATUS_OF[kind] for key, kind in last_word(events).items()}
    assert_verifies(ctx)


CorrectionSpec = tuple[EventKind, int, tuple[Channel, ...], int, bool, int]
CORRECTION_SPECS = st.tuples(
    st.sampled_from(DECIDING),
    st.integers(min_value=0, max_value=12),
    st.sampled_from([(), (Channel.EMAIL,), (Channel.SMS,), BOTH]),
    st.integers(min_value=0, max_value=1),
    st.booleans(),  # whether this event corrects an earlier one of the same person
    st.integers(min_value=0, max_value=50),  # which earlier one
)


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(specs=st.lists(CORRECTION_SPECS, min_size=1, max_size=10))
def test_stored_consent_equals_the_fold_with_corrections_in_any_order(
    make_ctx: Callable[[str], Context], specs: list[CorrectionSpec]
) -> None:
    ctx = make_ctx("sqlite")
    setup_registry(ctx)
    base = utcnow() - timedelta(days=2)
    people = (email(MARIO), email(LUIGI))
    events: list[PrivacyEvent] = []
    owners: list[int] = []  # who each recorded event is about
    pending: list[tuple[int, EventDraft]] = []

    def flush() -> None:
        nonlocal pending
        if pending:
            events.extend(record(ctx, *(d for _, d in pending)))
            owners.extend(who for who, _ in pending)
            pending = []

    for kind, hours, channels, who, corrects, pick in specs:
        # Only corrections the service accepts: of a kind that may correct the target.
        own = [
            e
            for e, owner in zip(events, owners, strict=True)
            if owner == who and correctable(e.kind, kind)
        ]
        target = own[pick % len(own)].id if corrects and own else None
        draft = make_draft(
            kind,
            occurred_at=base + timedelta(hours=hours),
            channels=channels,
            identifiers=(people[who],),
            corrects=target,
        )
        if target is None:
            pending.append((who, draft))
        else:
            flush()
            pending.append((who, draft))
            flush()
    flush()

    stored: dict[tuple[str, str, Channel], ConsentState] = {}
    for subject_id in {e.subject_id for e in events}:
        stored.update({s.key: s for s, _ in subject_consents(ctx, subject_id=subject_id)})
    assert stored == fold([fact(e) for e in events])
    assert_verifies(ctx)
