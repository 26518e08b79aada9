"""Every reason a contact check can give, reached through `check_contact` on SQLite and PostgreSQL.

Each test builds the facts through the public service layer (events, purposes, policies,
suppression, registers, erasure) and asserts the allowed flag, the reason, the deciding event and
the recorded check.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from tests.factories.events import (
    LUIGI,
    OTHER_PURPOSE,
    PURPOSE,
    ago,
    email,
)

from trustguardian.domain.checks import WORDS, Reason
from trustguardian.domain.consent import STATUS_OF, ConsentStatus
from trustguardian.domain.errors import InvalidInput
from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import Channel
from trustguardian.service.context import Context
from trustguardian.service.engage import admin as engage_admin
from trustguardian.service.engage.checks import CheckRequest, check_contact, check_many
from trustguardian.service.events.subjects import shred_subject
from trustguardian.service.registry import purposes
from trustguardian.store import tables as t

from .helpers import (
    CALLS,
    LI,
    LUIGI_PHONE,
    MONDAY,
    OFFERS,
    OLD,
    ORDERS,
    SATURDAY,
    SERVICE,
    TUESDAY,
    become_customer,
    check,
    event,
    import_register,
    next_day,
    next_liberation_day_not_on_sunday,
    next_sunday,
    phone,
    rome,
    setup_engage,
)

# --- the legal basis --------------------------------------------------------------------------


def test_consent_given_allows_and_cites_the_event_and_records_the_check(ctx: Context) -> None:
    setup_engage(ctx)
    given = event(ctx)
    outcome = check(ctx)
    assert (outcome.allowed, outcome.reason) == (True, Reason.CONSENT_GIVEN)
    assert outcome.words == WORDS[Reason.CONSENT_GIVEN]
    assert outcome.event_id == given.id
    assert outcome.subject_id == given.subject_id
    assert outcome.check_id is not None
    assert outcome.check_id.startswith("chk")
    by_subject = check(ctx, subject_id=given.subject_id)
    assert (by_subject.allowed, by_subject.reason, by_subject.event_id) == (
        True,
        Reason.CONSENT_GIVEN,
        given.id,
    )
    with ctx.engine.connect() as conn:
        row = conn.execute(select(t.checks).where(t.checks.c.id == outcome.check_id)).one()
        total = conn.execute(select(func.count()).select_from(t.checks)).scalar_one()
    assert total == 2
    assert (row.subject_id, row.purpose_key, row.channel) == (given.subject_id, PURPOSE, "email")
    assert (row.allowed, row.reason, row.event_id) == (True, "consent_given", given.id)


def test_consent_on_one_channel_leaves_the_other_without_consent(ctx: Context) -> None:
    setup_engage(ctx)
    given = event(ctx, channels=(Channel.EMAIL,))
    outcome = check(ctx, channel=Channel.SMS)
    assert (outcome.allowed, outcome.reason, outcome.event_id) == (False, Reason.NO_CONSENT, None)
    assert outcome.subject_id == given.subject_id


def test_no_consent_for_this_purpose(ctx: Context) -> None:
    setup_engage(ctx)
    other = event(ctx, purpose=OTHER_PURPOSE)
    outcome = check(ctx)
    assert (outcome.allowed, outcome.reason) == (False, Reason.NO_CONSENT)
    assert outcome.subject_id == other.subject_id
    assert outcome.event_id is None


def test_refused(ctx: Context) -> None:
    setup_engage(ctx)
    refusal = event(ctx, EventKind.CONSENT_REFUSED)
    outcome = check(ctx)
    assert (outcome.allowed, outcome.reason, outcome.event_id) == (
        False,
        Reason.REFUSED,
        refusal.id,
    )


def test_withdrawn(ctx: Context) -> None:
    setup_engage(ctx)
    event(ctx, at=ago(minutes=10))
    withdrawal = event(ctx, EventKind.CONSENT_WITHDRAWN, at=ago(minutes=5))
    outcome = check(ctx)
    assert (outcome.allowed, outcome.reason, outcome.event_id) == (
        False,
        Reason.WITHDRAWN,
        withdrawal.id,
    )


def test_a_withdrawal_is_honoured_by_the_very_next_check(ctx: Context) -> None:
    setup_engage(ctx)
    event(ctx, at=ago(minutes=10))
    assert check(ctx).allowed
    assert check_many(ctx, [CheckRequest(PURPOSE, Channel.EMAIL, email())])[0].allowed
    withdrawal = event(ctx, EventKind.CONSENT_WITHDRAWN)
    outcome = check(ctx)
    assert (outcome.allowed, outcome.reason, outcome.event_id) == (
        False,
        Reason.WITHDRAWN,
        withdrawal.id,
    )
    [batched] = check_many(ctx, [CheckRequest(PURPOSE, Channel.EMAIL, email())])
    assert (batched.allowed, batched.reason) == (False, Reason.WITHDRAWN)


def test_expired_after_the_purposes_consent_lifetime(ctx: Context) -> None:
    setup_engage(ctx, lifetime_days=30)
    old = event(ctx, at=ago(days=40))
    outcome = check(ctx)
    assert (outcome.allowed, outcome.reason, outcome.event_id) == (False, Reason.EXPIRED, old.id)
    # a fresh consent stands today, and is expired at a moment past its lifetime
    event(ctx, who=(email(LUIGI),), at=ago(days=20))
    assert check(ctx, who=email(LUIGI)).reason is Reason.CONSENT_GIVEN
    later = check(ctx, who=email(LUIGI), moment=datetime.now(UTC) + timedelta(days=11))
    assert (later.allowed, later.reason) == (False, Reason.EXPIRED)


def test_pending_confirmation_has_no_public_path() -> None:
    """No event kind sets a consent to pending_confirmation, so no check can say it.

    This documents the gap (reported) rather than faking the state in the tables; the pure
    decision for that status is covered in test_decision.py.
    """
    assert ConsentStatus.PENDING_CONFIRMATION not in STATUS_OF.values()


def test_legitimate_interest_holds_until_the_person_objects(ctx: Context) -> None:
    setup_engage(ctx)
    known = event(ctx, purpose=OFFERS, at=ago(minutes=10))  # any event makes Mario known
    outcome = check(ctx, LI)
    assert (outcome.allowed, outcome.reason) == (True, Reason.LEGITIMATE_INTEREST)
    assert outcome.subject_id == known.subject_id
    objection = event(ctx, EventKind.CONSENT_WITHDRAWN, purpose=LI, at=ago(minutes=5))
    after = check(ctx, LI)
    assert (after.allowed, after.reason, after.event_id) == (False, Reason.OBJECTED, objection.id)
    # the objection was on every channel of the purpose
    assert check(ctx, LI, Channel.SMS).reason is Reason.OBJECTED


def test_a_refusal_of_a_legitimate_interest_is_an_objection(ctx: Context) -> None:
    setup_engage(ctx)
    event(ctx, EventKind.CONSENT_REFUSED, purpose=LI, channels=(Channel.SMS,))
    assert check(ctx, LI, Channel.SMS).reason is Reason.OBJECTED
    assert check(ctx, LI, Channel.EMAIL).reason is Reason.LEGITIMATE_INTEREST


def test_other_legal_basis(ctx: Context) -> None:
    setup_engage(ctx)
    become_customer(ctx)
    outcome = check(ctx, SERVICE)
    assert (outcome.allowed, outcome.reason) == (True, Reason.OTHER_LEGAL_BASIS)
    contract = check(ctx, ORDERS)
    assert (contract.allowed, contract.reason) == (True, Reason.OTHER_LEGAL_BASIS)


# --- soft spam --------------------------------------------------------------------------------


def test_soft_spam_for_an_existing_customer_by_email_for_analogous_products(ctx: Context) -> None:
    setup_engage(ctx)
    order = become_customer(ctx)
    outcome = check(ctx, OFFERS)
    assert (outcome.allowed, outcome.reason) == (True, Reason.SOFT_SPAM)
    assert outcome.subject_id == order.subject_id


def test_soft_spam_is_not_used_on_sms(ctx: Context) -> None:
    setup_engage(ctx)
    become_customer(ctx)
    outcome = check(ctx, OFFERS, Channel.SMS)
    assert (outcome.allowed, outcome.reason) == (False, Reason.NO_CONSENT)


def test_soft_spam_is_not_used_after_an_objection(ctx: Context) -> None:
    setup_engage(ctx)
    become_customer(ctx)
    withdrawal = event(ctx, EventKind.CONSENT_WITHDRAWN, purpose=OFFERS)
    outcome = check(ctx, OFFERS)
    assert (outcome.allowed, outcome.reason, outcome.event_id) == (
        False,
        Reason.WITHDRAWN,
        withdrawal.id,
    )


def test_soft_spam_is_not_used_after_a_refusal(ctx: Context) -> None:
    setup_engage(ctx)
    become_customer(ctx)
    event(ctx, EventKind.CONSENT_REFUSED, purpose=OFFERS, channels=(Channel.EMAIL,))
    assert check(ctx, OFFERS).reason is Reason.REFUSED


def test_soft_spam_needs_a_customer_and_analogous_products(ctx: Context) -> None:
    setup_engage(ctx)
    event(ctx, purpose=OTHER_PURPOSE)  # known, but no order
    assert check(ctx, OFFERS).reason is Reason.NO_CONSENT
    become_customer(ctx)
    assert check(ctx, OFFERS).reason is Reason.SOFT_SPAM
    assert check(ctx, PURPOSE).reason is Reason.NO_CONSENT  # not analogous products


# --- suppression and erasure ------------------------------------------------------------------


def test_suppression_list_beats_a_consent(ctx: Context) -> None:
    setup_engage(ctx)
    given = event(ctx, who=(email(), phone()))
    assert engage_admin.suppress(ctx, identifiers=[email()], reason="complaint") == 1
    assert engage_admin.suppress(ctx, identifiers=[email()], reason="again") == 0
    outcome = check(ctx)
    assert (outcome.allowed, outcome.reason) == (False, Reason.SUPPRESSED)
    assert outcome.subject_id == given.subject_id
    # the subject is suppressed whichever identifier or id the caller uses
    assert check(ctx, who=phone(), channel=Channel.SMS).reason is Reason.SUPPRESSED
    assert check(ctx, subject_id=given.subject_id).reason is Reason.SUPPRESSED


def test_a_suppressed_identifier_nobody_knows_is_suppressed(ctx: Context) -> None:
    setup_engage(ctx)
    engage_admin.suppress(ctx, identifiers=[email(LUIGI)], reason="asked by phone")
    outcome = check(ctx, who=email(LUIGI))
    assert (outcome.allowed, outcome.reason, outcome.subject_id) == (
        False,
        Reason.SUPPRESSED,
        None,
    )


def test_an_erased_subject_is_suppressed(ctx: Context) -> None:
    setup_engage(ctx)
    given = event(ctx)
    become_customer(ctx)
    with ctx.uow() as uow:
        shred_subject(ctx, subject_id=given.subject_id, uow=uow)
        uow.commit()
    for outcome in (
        check(ctx),
        check(ctx, subject_id=given.subject_id),
        check(ctx, LI),
        check(ctx, OFFERS),
    ):
        assert (outcome.allowed, outcome.reason) == (False, Reason.SUPPRESSED)


# --- opposition register ----------------------------------------------------------------------


def test_opposition_register_after_the_consent_denies_calls(ctx: Context) -> None:
    setup_engage(ctx)
    given = event(ctx, purpose=CALLS, who=(email(), phone()), at=ago(days=10))
    today = datetime.now(UTC).date()
    assert import_register(ctx, ["3331234567", LUIGI_PHONE], today - timedelta(days=5)) == 2
    monday = rome(next_day(MONDAY), 10)
    outcome = check(ctx, CALLS, Channel.PHONE, who=phone(), moment=monday)
    assert (outcome.allowed, outcome.reason, outcome.event_id) == (
        False,
        Reason.OPPOSITION_REGISTER,
        given.id,
    )
    # the register is about calls: e-mail and SMS still stand on the consent
    assert check(ctx, CALLS, Channel.EMAIL).reason is Reason.CONSENT_GIVEN
    assert check(ctx, CALLS, Channel.SMS, who=phone()).reason is Reason.CONSENT_GIVEN


def test_a_consent_given_after_the_register_date_stands(ctx: Context) -> None:
    setup_engage(ctx)
    today = datetime.now(UTC).date()
    import_register(ctx, ["3331234567"], today - timedelta(days=5))
    given = event(ctx, purpose=CALLS, who=(phone(),), at=ago(days=2))
    outcome = check(ctx, CALLS, Channel.PHONE, who=phone(), moment=rome(next_day(MONDAY), 10))
    assert (outcome.allowed, outcome.reason, outcome.event_id) == (
        True,
        Reason.CONSENT_GIVEN,
        given.id,
    )


def test_a_consent_given_the_day_after_the_register_date_in_rome_stands(ctx: Context) -> None:
    """The register's date is an Italian date. A consent given at 00:30 in Rome on the next day
    is after it, though in UTC (22:30 or 23:30) it is still the register's date: decide compares
    `state.since.date()` (UTC) with the register date."""
    setup_engage(ctx)
    registered = datetime.now(UTC).date() - timedelta(days=5)
    import_register(ctx, ["3331234567"], registered)
    given_at = rome(registered + timedelta(days=1), 0, 30)
    given = event(ctx, purpose=CALLS, who=(phone(),), at=given_at)
    outcome = check(ctx, CALLS, Channel.PHONE, who=phone(), moment=rome(next_day(MONDAY), 10))
    assert (outcome.allowed, outcome.reason, outcome.event_id) == (
        True,
        Reason.CONSENT_GIVEN,
        given.id,
    )


def test_opposition_register_denies_a_legitimate_interest_call(ctx: Context) -> None:
    setup_engage(ctx)
    event(ctx, purpose=OFFERS, who=(phone(),), channels=(Channel.SMS,))
    monday = rome(next_day(MONDAY), 10)
    assert check(ctx, LI, Channel.PHONE, who=phone(), moment=monday).reason is (
        Reason.LEGITIMATE_INTEREST
    )
    import_register(ctx, ["+393331234567"], datetime.now(UTC).date())
    assert check(ctx, LI, Channel.PHONE, who=phone(), moment=monday).reason is (
        Reason.OPPOSITION_REGISTER
    )


def test_a_new_import_without_the_number_lifts_the_register(ctx: Context) -> None:
    setup_engage(ctx)
    event(ctx, purpose=CALLS, who=(phone(),), at=ago(days=10))
    today = datetime.now(UTC).date()
    import_register(ctx, ["3331234567"], today - timedelta(days=5))
    monday = rome(next_day(MONDAY), 10)
    assert check(ctx, CALLS, Channel.PHONE, who=phone(), moment=monday).reason is (
        Reason.OPPOSITION_REGISTER
    )
    import_register(ctx, [LUIGI_PHONE], today)
    assert check(ctx, CALLS, Channel.PHONE, who=phone(), moment=monday).reason is (
        Reason.CONSENT_GIVEN
    )


# --- frequency caps ---------------------------------------------------------------------------


def _contact(ctx: Context, channel: Channel, at: datetime, purpose: str = PURPOSE) -> None:
    allowed = check(ctx, purpose, channel)
    event(
        ctx,
        EventKind.CONTACT_MADE,
        purpose=purpose,
        channels=(channel,),
        at=at,
        check_id=allowed.check_id,
        campaign="black-friday",
    )


def test_frequency_cap_two_in_seven_days(ctx: Context) -> None:
    setup_engage(ctx)
    event(ctx, at=ago(days=20))
    engage_admin.add_policy(ctx, purpose=None, channel=Channel.SMS, max_contacts=2, days=7)
    _contact(ctx, Channel.SMS, ago(days=8))  # outside the period
    _contact(ctx, Channel.SMS, ago(days=3))
    first = check(ctx, channel=Channel.SMS)
    assert (first.allowed, first.reason) == (True, Reason.CONSENT_GIVEN)
    _contact(ctx, Channel.SMS, ago(hours=1))
    capped = check(ctx, channel=Channel.SMS)
    assert (capped.allowed, capped.reason) == (False, Reason.FREQUENCY_CAP)
    # the cap is per channel: e-mail has no policy
    assert check(ctx, channel=Channel.EMAIL).reason is Reason.CONSENT_GIVEN
    # the deciding event is still the consent
    assert capped.event_id == first.event_id


def test_frequency_cap_of_a_purpose_counts_that_channel_only(ctx: Context) -> None:
    setup_engage(ctx)
    event(ctx, at=ago(days=20))
    engage_admin.add_policy(ctx, purpose=PURPOSE, channel=None, max_contacts=1, days=30)
    _contact(ctx, Channel.EMAIL, ago(days=1))
    assert check(ctx, channel=Channel.EMAIL).reason is Reason.FREQUENCY_CAP
    assert check(ctx, channel=Channel.SMS).reason is Reason.CONSENT_GIVEN


# --- contact hours ----------------------------------------------------------------------------


@pytest.fixture
def caller(ctx: Context) -> Context:
    """Mario consented to calls (no lifetime, so any moment ahead still has the consent)."""
    setup_engage(ctx)
    event(ctx, purpose=CALLS, who=(email(), phone()), at=ago(days=1))
    return ctx


@pytest.mark.parametrize(
    ("label", "moment"),
    [
        ("sunday 11:00", lambda: rome(next_sunday(), 11)),
        ("25 april 11:00", lambda: rome(next_liberation_day_not_on_sunday(), 11)),
        ("tuesday 21:00", lambda: rome(next_day(TUESDAY), 21)),
        ("tuesday 08:59", lambda: rome(next_day(TUESDAY), 8, 59)),
        ("saturday 19:30", lambda: rome(next_day(SATURDAY), 19, 30)),
        ("monday 20:30 given in UTC", lambda: rome(next_day(MONDAY), 20, 30).astimezone(UTC)),
    ],
)
def test_calls_outside_the_telemarketing_window(
    caller: Context, label: str, moment: object
) -> None:
    when = moment()  # type: ignore[operator]
    outcome = check(caller, CALLS, Channel.PHONE, who=phone(), moment=when)
    assert (outcome.allowed, outcome.reason) == (False, Reason.OUTSIDE_CONTACT_HOURS), label
    assert outcome.event_id is not None


@pytest.mark.parametrize(
    ("label", "moment"),
    [
        ("monday 10:00", lambda: rome(next_day(MONDAY), 10)),
        ("monday 19:59", lambda: rome(next_day(MONDAY), 19, 59)),
        ("saturday 10:00", lambda: rome(next_day(SATURDAY), 10)),
    ],
)
def test_calls_inside_the_telemarketing_window(caller: Context, label: str, moment: object) -> None:
    when = moment()  # type: ignore[operator]
    outcome = check(caller, CALLS, Channel.PHONE, who=phone(), moment=when)
    assert (outcome.allowed, outcome.reason) == (True, Reason.CONSENT_GIVEN), label


def test_the_window_is_about_calls_not_emails(caller: Context) -> None:
    sunday = rome(next_sunday(), 11)
    assert check(caller, CALLS, Channel.EMAIL, moment=sunday).reason is Reason.CONSENT_GIVEN


def test_a_policy_window_on_another_channel(caller: Context) -> None:
    engage_admin.add_policy(
        caller,
        purpose=CALLS,
        channel=Channel.SMS,
        window={"weekdays": ["10:00", "18:00"], "saturday": None, "sunday": None},
    )
    monday = next_day(MONDAY)
    assert check(caller, CALLS, Channel.SMS, who=phone(), moment=rome(monday, 9, 30)).reason is (
        Reason.OUTSIDE_CONTACT_HOURS
    )
    assert check(caller, CALLS, Channel.SMS, who=phone(), moment=rome(monday, 10)).allowed
    saturday = rome(next_day(SATURDAY), 12)
    assert check(caller, CALLS, Channel.SMS, who=phone(), moment=saturday).reason is (
        Reason.OUTSIDE_CONTACT_HOURS
    )


# --- who, what, where -------------------------------------------------------------------------


def test_unknown_subject(ctx: Context) -> None:
    setup_engage(ctx)
    event(ctx)
    for outcome in (check(ctx, who=email(LUIGI)), check(ctx, subject_id="sub_nobody")):
        assert (outcome.allowed, outcome.reason, outcome.subject_id, outcome.event_id) == (
            False,
            Reason.UNKNOWN_SUBJECT,
            None,
            None,
        )


def test_channel_not_covered(ctx: Context) -> None:
    setup_engage(ctx)
    event(ctx)
    outcome = check(ctx, PURPOSE, Channel.PHONE, moment=rome(next_day(MONDAY), 10))
    assert (outcome.allowed, outcome.reason) == (False, Reason.CHANNEL_NOT_COVERED)


def test_purpose_retired(ctx: Context) -> None:
    setup_engage(ctx)
    event(ctx, purpose=OLD)
    assert check(ctx, OLD).reason is Reason.CONSENT_GIVEN
    purposes.retire_purpose(ctx, key=OLD)
    outcome = check(ctx, OLD)
    assert (outcome.allowed, outcome.reason) == (False, Reason.PURPOSE_RETIRED)


def test_an_unknown_purpose_is_invalid_input_and_records_no_check(ctx: Context) -> None:
    setup_engage(ctx)
    event(ctx)
    with pytest.raises(InvalidInput):
        check(ctx, "no-such-purpose")
    with ctx.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.checks)).scalar_one() == 0


def test_every_reason_has_words() -> None:
    assert set(WORDS) == set(Reason)
    assert all(WORDS[r].strip() for r in Reason)


def test_single_and_batched_checks_agree_on_every_reason(ctx: Context) -> None:
    """A mixed batch through check_many answers each request as check_contact does."""
    setup_engage(ctx)
    event(ctx, who=(email(), phone()), at=ago(minutes=10))
    event(ctx, EventKind.CONSENT_WITHDRAWN, purpose=OFFERS, at=ago(minutes=5))
    become_customer(ctx, who=(email(LUIGI),))
    engage_admin.suppress(ctx, identifiers=[email("spam@example.com")], reason="x")
    requests = [
        CheckRequest(PURPOSE, Channel.EMAIL, email()),
        CheckRequest(OFFERS, Channel.EMAIL, email()),
        CheckRequest(OFFERS, Channel.EMAIL, email(LUIGI)),
        CheckRequest(OFFERS, Channel.SMS, email(LUIGI)),
        CheckRequest(LI, Channel.EMAIL, email(LUIGI)),
        CheckRequest(PURPOSE, Channel.PHONE, phone()),
        CheckRequest(PURPOSE, Channel.EMAIL, email("spam@example.com")),
        CheckRequest(PURPOSE, Channel.EMAIL, email("nobody@example.com")),
        CheckRequest(SERVICE, Channel.EMAIL, subject_id="sub_missing"),
    ]
    batched = [(o.allowed, o.reason, o.event_id, o.subject_id) for o in check_many(ctx, requests)]
    single = []
    for r in requests:
        o = check_contact(ctx, request=r)
        single.append((o.allowed, o.reason, o.event_id, o.subject_id))
    assert batched == single
    assert [b[1] for b in batched] == [
        Reason.CONSENT_GIVEN,
        Reason.WITHDRAWN,
        Reason.SOFT_SPAM,
        Reason.NO_CONSENT,
        Reason.LEGITIMATE_INTEREST,
        Reason.CHANNEL_NOT_COVERED,
        Reason.SUPPRESSED,
        Reason.UNKNOWN_SUBJECT,
        Reason.UNKNOWN_SUBJECT,
    ]


# --- a moment gone by -------------------------------------------------------------------------


def test_a_check_for_a_past_moment_answers_from_what_had_happened_by_then(ctx: Context) -> None:
    setup_engage(ctx)
    given = event(ctx, at=ago(days=30))
    withdrawal = event(ctx, EventKind.CONSENT_WITHDRAWN, at=ago(days=10))
    late_form = event(ctx, at=ago(days=15))  # a paper form uploaded today, signed 15 days ago

    def at(days: float) -> tuple[bool, Reason, str | None]:
        outcome = check(ctx, moment=ago(days=days))
        return outcome.allowed, outcome.reason, outcome.event_id

    assert at(40) == (False, Reason.NO_CONSENT, None)
    assert at(20) == (True, Reason.CONSENT_GIVEN, given.id)
    assert at(12) == (True, Reason.CONSENT_GIVEN, late_form.id)
    assert at(5) == (False, Reason.WITHDRAWN, withdrawal.id)
    assert check(ctx).reason is Reason.WITHDRAWN
    # the same answers in a batch
    requests = [CheckRequest(PURPOSE, Channel.EMAIL, email(), moment=ago(days=d)) for d in (40, 20)]
    assert [o.reason for o in check_many(ctx, requests)] == [
        Reason.NO_CONSENT,
        Reason.CONSENT_GIVEN,
    ]
