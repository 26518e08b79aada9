"""A Decider (many checks sharing purpose, channel, moment and policy) answers exactly as
`decide` does, person after person, whatever it decided before."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from trustguardian.domain.checks import (
    ContactWindow,
    Decider,
    Facts,
    FrequencyCap,
    Policy,
    Reason,
    decide,
)
from trustguardian.domain.consent import ConsentState, ConsentStatus
from trustguardian.domain.registry import Channel, LegalBasis, PurposeContent, PurposeVersion

NOW = datetime(2026, 11, 27, 10, 30, tzinfo=UTC)  # a Friday morning in Rome
HOLIDAYS = frozenset({date(2026, 12, 8)})

PURPOSES = st.builds(
    lambda basis, channels, analogous: PurposeVersion(
        "p",
        1,
        PurposeContent("P", "", basis, channels, "C", 365, 365, True, analogous),
        NOW - timedelta(days=900),
    ),
    st.sampled_from(list(LegalBasis)),
    st.sampled_from([(Channel.EMAIL,), (Channel.SMS, Channel.PHONE), tuple(Channel)]),
    st.booleans(),
)
POLICIES = st.one_of(
    st.none(),
    st.builds(
        lambda cap, window: Policy("p", None, cap, window),
        st.one_of(st.none(), st.builds(FrequencyCap, st.integers(1, 3), st.just(30))),
        st.sampled_from([None, ContactWindow(), ContactWindow(weekdays=(time(6), time(9)))]),
    ),
)
STATES = st.one_of(
    st.none(),
    st.builds(
        lambda status, since_days, expires_days, n: ConsentState(
            "sub",
            "p",
            Channel.EMAIL,
            status,
            NOW - timedelta(days=since_days),
            f"evt_{n}",
            n,
            1,
            None,
            None,
            None if expires_days is None else NOW + timedelta(days=expires_days),
        ),
        st.sampled_from([*ConsentStatus, ConsentStatus.GIVEN, ConsentStatus.GIVEN]),
        st.sampled_from([1, 100, 400]),  # days ago: before or after the register's dates
        st.one_of(st.none(), st.integers(-30, 30)),
        st.integers(1, 10**6),
    ),
)
Person = tuple[ConsentState | None, bool, date | None, bool, int]


def assert_answers_as_decide(
    purpose: PurposeVersion,
    retired: bool,
    channel: Channel,
    policy: Policy | None,
    people: list[Person],
) -> None:
    """One Decider over the people in this order gives each `decide`'s own answer."""
    decider = Decider(purpose, retired, channel, NOW, policy, HOLIDAYS)
    for state, suppressed, registered, customer, contacts in people:
        expected = decide(
            Facts(
                purpose,
                retired,
                channel,
                NOW,
                state,
                suppressed,
                registered,
                customer,
                policy,
                contacts,
                HOLIDAYS,
            )
        )
        assert decider(state, suppressed, registered, customer, contacts) == (
            expected.allowed,
            expected.reason,
            expected.event_id,
        )


PEOPLE = st.lists(
    st.tuples(
        STATES,
        st.booleans(),
        st.sampled_from([None, date(2025, 1, 10), date(2026, 6, 1)]),
        st.booleans(),
        st.integers(0, 4),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=300, database=None)
@given(
    purpose=PURPOSES,
    retired=st.booleans(),
    channel=st.sampled_from(list(Channel)),
    policy=POLICIES,
    people=PEOPLE,
)
def test_a_decider_answers_as_decide_for_everyone(
    purpose: PurposeVersion,
    retired: bool,
    channel: Channel,
    policy: Policy | None,
    people: list[Person],
) -> None:
    assert_answers_as_decide(purpose, retired, channel, policy, people)


def test_the_same_register_listing_decides_by_each_persons_own_consent_date() -> None:
    """Two people on the register, each with a given consent: the one who consented after the
    listing may be called, the other not, whichever is decided first."""
    purpose = PurposeVersion(
        "p",
        1,
        PurposeContent("P", "", LegalBasis.CONSENT, (Channel.PHONE,), "C", 365, None, True),
        NOW - timedelta(days=900),
    )
    listed = date(2026, 6, 1)

    def given_days_ago(days: int) -> ConsentState:
        since = NOW - timedelta(days=days)
        return ConsentState(
            "sub",
            "p",
            Channel.PHONE,
            ConsentStatus.GIVEN,
            since,
            f"evt_{days}",
            days,
            1,
            None,
            None,
            None,
        )

    after, before = given_days_ago(10), given_days_ago(400)
    for order in ((after, before), (before, after)):
        decider = Decider(purpose, False, Channel.PHONE, NOW, None, HOLIDAYS)
        verdicts = {s.event_id: decider(s, False, listed, False, 0) for s in order}
        assert verdicts == {
            "evt_10": (True, Reason.CONSENT_GIVEN, "evt_10"),
            "evt_400": (False, Reason.OPPOSITION_REGISTER, "evt_400"),
        }


def _grid_people() -> list[Person]:
    """Every combination of the person's values a verdict can hang on (each status, expired or
    not, consent before or after a register listing, suppressed, customer, under or over a cap)."""
    states: list[ConsentState | None] = [None]
    for n, (status, days, expires) in enumerate(
        (s, d, e) for s in ConsentStatus for d in (10, 400) for e in (None, -1, 30)
    ):
        since = NOW - timedelta(days=days)
        end = None if expires is None else NOW + timedelta(days=expires)
        states.append(
            ConsentState(
                "sub", "p", Channel.EMAIL, status, since, f"evt_{n}", n, 1, None, None, end
            )
        )
    return [
        (state, suppressed, registered, customer, contacts)
        for state in states
        for suppressed in (False, True)
        for registered in (None, date(2026, 6, 1))
        for customer in (False, True)
        for contacts in (0, 5)
    ]


def test_a_decider_answers_as_decide_over_every_combination() -> None:
    people = _grid_people()
    shuffled = people[::-1]
    for basis in LegalBasis:
        for analogous in (False, True):
            purpose = PurposeVersion(
                "p",
                1,
                PurposeContent(
                    "P", "", basis, (Channel.EMAIL, Channel.PHONE), "C", 1, 1, True, analogous
                ),
                NOW - timedelta(days=900),
            )
            for channel in (Channel.EMAIL, Channel.PHONE, Channel.SMS):
                for policy in (
                    None,
                    Policy("p", None, FrequencyCap(2, 30), None),
                    Policy("p", None, None, ContactWindow(weekdays=(time(6), time(9)))),
                ):
                    for order in (people, shuffled):
                        assert_answers_as_decide(purpose, False, channel, policy, order)
