"""The consent fold: pure rules, no storage. State follows `occurred_at`, not arrival."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from trustguardian.domain.consent import (
    ConsentFact,
    ConsentState,
    ConsentStatus,
    fold,
    newer,
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


def test_at_the_same_instant_the_later_recorded_event_decides() -> None:
    assert status(fold([fact(0, GIVEN), fact(1, REFUSED)])) == "refused"
    assert status(fold([fact(1, REFUSED), fact(0, GIVEN)])) == "refused"


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
        [fact(0, GIVEN), fact(1, REFUSED, corrects="evt_0"), fact(2, GIVEN, corrects="evt_1")]
    )
    assert status(states) == "given"
    assert states[("sub_a", "newsletter", EMAIL)].event_id == "evt_2"


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
        latest = max(mine, key=lambda f: (f.occurred_at, f.seq))
        assert state.event_id == latest.event_id
    covered = {(f.subject_id, f.purpose, c) for f in facts for c in f.channels}
    assert set(states) == covered


def test_of_two_facts_of_equal_order_the_one_given_last_decides() -> None:
    # Sequence numbers are unique in a ledger; the fold still answers like a stable sort.
    given_first = fold([fact(1, GIVEN), fact(1, WITHDRAWN)])
    withdrawn_first = fold([fact(1, WITHDRAWN), fact(1, GIVEN)])
    assert (status(given_first), status(withdrawn_first)) == ("withdrawn", "given")


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
    for f in sorted(facts, key=lambda f: (f.occurred_at, f.seq)):
        for channel in f.channels:
            replayed[(f.subject_id, f.purpose, channel)] = state_of(f, channel)
    assert fold(reversed(facts)) == replayed
