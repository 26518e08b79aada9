"""The consent fold: pure rules, no storage. State follows `occurred_at`, not arrival."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from trustguardian.domain.consent import (
    ConsentFact,
    ConsentState,
    ConsentStatus,
    correctable,
    fold,
    newer,
    order,
    state_of,
)
from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import Channel

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
EMAIL, SMS = Channel.EMAIL, Channel.SMS
GIVEN, REFUSED, WITHDRAWN = (
    EventKind.CONSENT_GIVEN,
    EventKind.CONSENT_REFUSED,
    EventKind.CONSENT_WITHDRAWN,
)


def fact(
    seq: int,
    kind: EventKind,
    *,
    hours: float = 0,
    channels: tuple[Channel, ...] = (EMAIL,),
    subject: str = "sub_a",
    purpose: str = "newsletter",
    corrects: str | None = None,
    lifetime_days: int | None = None,
) -> ConsentFact:
    return ConsentFact(
        seq=seq,
        event_id=f"evt_{seq}",
        kind=kind,
        subject_id=subject,
        purpose=purpose,
        purpose_version=1,
        channels=channels,
        notice=None,
        notice_version=None,
        occurred_at=T0 + timedelta(hours=hours),
        corrects=corrects,
        lifetime_days=lifetime_days,
    )


def status(states: dict[tuple[str, str, Channel], ConsentState], channel: Channel = EMAIL) -> str:
    return states[("sub_a", "newsletter", channel)].status.value


def test_the_event_that_happened_last_decides_not_the_one_recorded_last() -> None:
    withdrawal_yesterday = fact(0, WITHDRAWN, hours=24)
    paper_form_last_week = fact(1, GIVEN, hours=0)
    states = fold([withdrawal_yesterday, paper_form_last_week])
    assert status(states) == "withdrawn"
    assert states[("sub_a", "newsletter", EMAIL)].event_id == "evt_0"


def test_at_the_same_instant_the_most_protective_event_decides() -> None:
    assert status(fold([fact(0, GIVEN), fact(1, REFUSED)])) == "refused"
    assert status(fold([fact(1, REFUSED), fact(0, GIVEN)])) == "refused"
    # Recorded later, at the same instant: a consent still does not take back a withdrawal.
    assert status(fold([fact(0, WITHDRAWN), fact(1, GIVEN)])) == "withdrawn"
    assert status(fold([fact(0, REFUSED), fact(1, EventKind.CONSENT_CONFIRMED)])) == "refused"
    # Among consents, or among refusals, recording order still breaks the tie.
    assert fold([fact(0, GIVEN), fact(1, GIVEN)])[("sub_a", "newsletter", EMAIL)].event_id == (
        "evt_1"
    )


def test_each_channel_is_decided_on_its_own() -> None:
    states = fold([fact(0, GIVEN, channels=(EMAIL, SMS)), fact(1, WITHDRAWN, channels=(SMS,))])
    assert status(states, EMAIL) == "given"
    assert status(states, SMS) == "withdrawn"


def test_subjects_and_purposes_are_kept_apart() -> None:
    states = fold(
        [
            fact(0, GIVEN),
            fact(1, WITHDRAWN, subject="sub_b"),
            fact(2, REFUSED, purpose="profiling"),
        ]
    )
    assert {k: s.status for k, s in states.items()} == {
        ("sub_a", "newsletter", EMAIL): ConsentStatus.GIVEN,
        ("sub_b", "newsletter", EMAIL): ConsentStatus.WITHDRAWN,
        ("sub_a", "profiling", EMAIL): ConsentStatus.REFUSED,
    }


def test_a_corrected_event_no_longer_counts_even_when_it_is_later() -> None:
    states = fold([fact(0, GIVEN, hours=48), fact(1, REFUSED, hours=0, corrects="evt_0")])
    assert status(states) == "refused"
    assert states[("sub_a", "newsletter", EMAIL)].event_id == "evt_1"


def test_a_correction_deciding_nothing_itself_removes_the_corrected_event() -> None:
    assert fold([fact(0, GIVEN)], corrected=["evt_0"]) == {}
    states = fold([fact(0, WITHDRAWN), fact(1, GIVEN, hours=1)], corrected=["evt_1"])
    assert status(states) == "withdrawn"


def test_a_correction_of_a_correction_leaves_the_last_one_standing() -> None:
    states = fold(
        [fact(0, GIVEN), fact(1, GIVEN, corrects="evt_0"), fact(2, GIVEN, corrects="evt_1")]
    )
    assert status(states) == "given"
    assert states[("sub_a", "newsletter", EMAIL)].event_id == "evt_2"


def test_no_correction_takes_back_a_withdrawal_or_refusal() -> None:
    for kind in (WITHDRAWN, REFUSED):
        states = fold([fact(0, GIVEN), fact(1, kind, hours=1), fact(2, GIVEN, corrects="evt_1")])
        assert status(states) == kind.value.split(".")[1]
        assert states[("sub_a", "newsletter", EMAIL)].event_id == "evt_1"
        # Nor a correction that decides nothing itself (a notice acknowledged, say).
        assert (
            status(fold([fact(0, GIVEN), fact(1, kind, hours=1)], corrected=["evt_1"]))
            == (kind.value.split(".")[1])
        )
    # Only a consent dated after it, with its own proofs, supersedes it.
    assert status(fold([fact(0, WITHDRAWN), fact(1, GIVEN, hours=1)])) == "given"


def test_which_kinds_may_correct_which() -> None:
    confirmed = EventKind.CONSENT_CONFIRMED
    assert correctable(GIVEN, GIVEN)
    assert correctable(GIVEN, WITHDRAWN)
    assert correctable(confirmed, REFUSED)
    assert correctable(WITHDRAWN, WITHDRAWN)
    assert not correctable(WITHDRAWN, GIVEN)
    assert not correctable(REFUSED, confirmed)
    assert not correctable(WITHDRAWN, EventKind.NOTICE_ACKNOWLEDGED)
    assert not correctable(GIVEN, EventKind.NOTICE_ACKNOWLEDGED)


def test_a_given_consent_expires_after_its_lifetime_when_read() -> None:
    [state] = fold([fact(0, GIVEN, lifetime_days=30)]).values()
    assert state.expires_at == T0 + timedelta(days=30)
    assert state.at(T0 + timedelta(days=29, hours=23)) is ConsentStatus.GIVEN
    assert state.at(T0 + timedelta(days=30)) is ConsentStatus.EXPIRED
    assert state.status is ConsentStatus.GIVEN


def test_refusals_and_withdrawals_have_no_expiry() -> None:
    for kind in (REFUSED, WITHDRAWN):
        [state] = fold([fact(0, kind, lifetime_days=30)]).values()
        assert state.expires_at is None
        assert state.at(T0 + timedelta(days=3650)).value == kind.value.split(".")[1]


def test_confirmation_counts_as_given_and_other_kinds_decide_nothing() -> None:
    assert status(fold([fact(0, WITHDRAWN), fact(1, EventKind.CONSENT_CONFIRMED, hours=1)])) == (
        "given"
    )
    states = fold([fact(0, GIVEN), fact(1, EventKind.DATA_UPDATED, hours=1)])
    assert status(states) == "given"


FACTS = st.lists(
    st.tuples(
        st.sampled_from([GIVEN, REFUSED, WITHDRAWN, EventKind.CONSENT_CONFIRMED]),
        st.integers(min_value=0, max_value=6),
        st.sampled_from([(EMAIL,), (SMS,), (EMAIL, SMS)]),
        st.sampled_from(["sub_a", "sub_b"]),
    ),
    min_size=1,
    max_size=20,
)


def build(specs: list[tuple[EventKind, int, tuple[Channel, ...], str]]) -> list[ConsentFact]:
    return [
        fact(seq, kind, hours=hours, channels=channels, subject=subject, lifetime_days=30)
        for seq, (kind, hours, channels, subject) in enumerate(specs)
    ]


@settings(max_examples=100, database=None)
@given(specs=FACTS, data=st.data())
def test_the_fold_does_not_depend_on_arrival_order(
    specs: list[tuple[EventKind, int, tuple[Channel, ...], str]], data: st.DataObject
) -> None:
    facts = build(specs)
    shuffled = data.draw(st.permutations(facts))
    assert fold(shuffled) == fold(facts)


@settings(max_examples=100, database=None)
@given(specs=FACTS, data=st.data())
def test_applying_events_one_by_one_with_newer_equals_the_fold(
    specs: list[tuple[EventKind, int, tuple[Channel, ...], str]], data: st.DataObject
) -> None:
    """What the service does per batch (keep the newer state) equals a fold from scratch."""
    facts = data.draw(st.permutations(build(specs)))
    states: dict[tuple[str, str, Channel], ConsentState] = {}
    for f in facts:
        for channel in f.channels:
            candidate = state_of(f, channel)
            states[candidate.key] = newer(states.get(candidate.key), candidate)
    assert states == fold(facts)


@settings(max_examples=100, database=None)
@given(specs=FACTS)
def test_each_state_comes_from_the_latest_event_on_its_channel(
    specs: list[tuple[EventKind, int, tuple[Channel, ...], str]],
) -> None:
    facts = build(specs)
    states = fold(facts)
    for key, state in states.items():
        subject, _, channel = key
        mine = [f for f in facts if f.subject_id == subject and channel in f.channels]
        latest = max(mine, key=order)
        assert state.event_id == latest.event_id
    covered = {(f.subject_id, f.purpose, c) for f in facts for c in f.channels}
    assert set(states) == covered


def test_of_two_facts_of_equal_order_the_one_given_last_decides() -> None:
    # Sequence numbers are unique in a ledger; the fold still answers like a stable sort.
    first = fold([fact(1, GIVEN, channels=(EMAIL, SMS)), fact(1, GIVEN)])
    last = fold([fact(1, GIVEN), fact(1, GIVEN, channels=(EMAIL, SMS))])
    assert first[("sub_a", "newsletter", EMAIL)] == last[("sub_a", "newsletter", EMAIL)]
    # A withdrawal and a consent never have equal order: the withdrawal is more protective.
    assert status(fold([fact(1, GIVEN), fact(1, WITHDRAWN)])) == "withdrawn"
    assert status(fold([fact(1, WITHDRAWN), fact(1, GIVEN)])) == "withdrawn"


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([GIVEN, REFUSED, WITHDRAWN]),
            st.integers(0, 5),
            st.sampled_from([(EMAIL,), (SMS,), (EMAIL, SMS)]),
        ),
        max_size=12,
    )
)
def test_the_fold_equals_replaying_the_facts_sorted_by_order(
    drawn: list[tuple[EventKind, int, tuple[Channel, ...]]],
) -> None:
    facts = [fact(n, kind, hours=h, channels=ch) for n, (kind, h, ch) in enumerate(drawn)]
    replayed: dict[tuple[str, str, Channel], ConsentState] = {}
    for f in sorted(facts, key=order):
        for channel in f.channels:
            replayed[(f.subject_id, f.purpose, channel)] = state_of(f, channel)
    assert fold(reversed(facts)) == replayed


HISTORY = st.lists(
    st.tuples(
        st.sampled_from([GIVEN, REFUSED, WITHDRAWN, EventKind.CONSENT_CONFIRMED]),
        st.integers(min_value=0, max_value=4),  # few instants: many ties
        st.sampled_from([(EMAIL,), (SMS,), (EMAIL, SMS)]),
        st.one_of(st.none(), st.integers(min_value=0, max_value=19)),  # what it corrects
    ),
    min_size=1,
    max_size=20,
)


@settings(max_examples=300, database=None)
@given(drawn=HISTORY, data=st.data())
def test_no_history_turns_a_withdrawal_back_into_consent_without_a_later_dated_consent(
    drawn: list[tuple[EventKind, int, tuple[Channel, ...], int | None]], data: st.DataObject
) -> None:
    """Random kinds, instants (ties), channels, corrections (even of kinds validation refuses)
    and arrival orders (late arrivals): a channel ends in consent only when an uncorrected
    consent dated strictly after every withdrawal and refusal on it decides it."""
    facts = [
        fact(n, kind, hours=h, channels=ch, corrects=None if c is None else f"evt_{c}")
        for n, (kind, h, ch, c) in enumerate(drawn)
    ]
    corrected = {f.corrects for f in facts if f.corrects is not None}
    arrived = data.draw(st.permutations(facts))
    for (_, _, channel), state in fold(arrived).items():
        if state.status is not ConsentStatus.GIVEN:
            continue
        decider = next(f for f in facts if f.event_id == state.event_id)
        assert decider.event_id not in corrected
        for other in facts:
            if channel in other.channels and other.kind in (WITHDRAWN, REFUSED):
                assert other.occurred_at < decider.occurred_at, (other, decider)
