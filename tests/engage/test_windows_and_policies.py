"""Calendars, contact windows and policies: the pure parts, then through `check_contact`."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfoNotFoundError

import pytest
from tests.factories import purpose_content
from tests.factories.events import PURPOSE, ago, email

from trustguardian.domain.checks import (
    TELEMARKETING_WINDOW,
    ContactWindow,
    Decision,
    Facts,
    FrequencyCap,
    Policy,
    Reason,
    decide,
    pick_policy,
)
from trustguardian.domain.consent import ConsentState, ConsentStatus
from trustguardian.domain.errors import InvalidInput
from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import Channel, PurposeVersion
from trustguardian.service.context import Context
from trustguardian.service.engage import admin as engage_admin
from trustguardian.service.engage.calendar import italian_holidays
from trustguardian.service.engage.checks import CheckRequest, check_contact, check_many

from .helpers import CALLS, MONDAY, check, event, next_day, next_sunday, phone, rome, setup_engage

NO_HOLIDAYS: frozenset[date] = frozenset()

# --- the calendar -----------------------------------------------------------------------------


def test_italian_holidays_2026() -> None:
    days = italian_holidays(2026)
    assert date(2026, 4, 6) in days  # Easter Monday
    fixed = [(1, 1), (1, 6), (4, 25), (5, 1), (6, 2), (8, 15), (11, 1), (12, 8), (12, 25), (12, 26)]
    for month, day in fixed:
        assert date(2026, month, day) in days, (month, day)
    assert date(2026, 4, 5) not in days or date(2026, 4, 5).weekday() == 6  # Easter Sunday
    assert date(2026, 4, 7) not in days


@pytest.mark.parametrize(
    ("year", "easter_monday"), [(2025, date(2025, 4, 21)), (2027, date(2027, 3, 29))]
)
def test_easter_monday_moves(year: int, easter_monday: date) -> None:
    assert easter_monday in italian_holidays(year)


def test_saint_francis_is_a_national_holiday_from_2026() -> None:
    """Law 151/2025 (GU 236, 10 October 2025), in force 1 January 2026, adds 4 October to art. 2 of
    Law 260/1949: "il 4 ottobre: festa nazionale di San Francesco d'Assisi, patrono d'Italia"."""
    assert date(2026, 10, 4) in italian_holidays(2026)
    assert date(2027, 10, 4) in italian_holidays(2027)


# --- contact windows --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "inside"),
    [
        (datetime(2026, 6, 3, 18, 30, tzinfo=UTC), False),  # 20:30 in Rome (CEST)
        (datetime(2026, 6, 3, 17, 59, tzinfo=UTC), True),  # 19:59 in Rome
        (datetime(2026, 6, 3, 7, 0, tzinfo=UTC), True),  # 09:00 in Rome
        (datetime(2026, 6, 3, 6, 59, tzinfo=UTC), False),  # 08:59 in Rome
        (datetime(2026, 1, 14, 19, 30, tzinfo=UTC), False),  # 20:30 in Rome (CET)
        (datetime(2026, 1, 14, 18, 30, tzinfo=UTC), True),  # 19:30 in Rome
        (datetime(2026, 1, 14, 8, 30, tzinfo=UTC), True),  # 09:30 in Rome, 08:30 in UTC
        (datetime(2026, 6, 6, 16, 30, tzinfo=UTC), True),  # Saturday 18:30 in Rome
        (datetime(2026, 6, 6, 17, 30, tzinfo=UTC), False),  # Saturday 19:30 in Rome
        (datetime(2026, 6, 7, 10, 0, tzinfo=UTC), False),  # Sunday
    ],
)
def test_the_telemarketing_window_is_in_rome_time(moment: datetime, inside: bool) -> None:
    assert TELEMARKETING_WINDOW.allows(moment, NO_HOLIDAYS) is inside


def test_holidays_close_the_window_unless_allowed() -> None:
    liberation = datetime(2026, 4, 25, 9, 0, tzinfo=UTC)  # Saturday, 11:00 in Rome
    assert TELEMARKETING_WINDOW.allows(liberation, NO_HOLIDAYS)
    assert not TELEMARKETING_WINDOW.allows(liberation, italian_holidays(2026))
    open_on_holidays = ContactWindow(on_holidays=True)
    assert open_on_holidays.allows(liberation, italian_holidays(2026))


def test_a_window_in_another_time_zone() -> None:
    new_york = ContactWindow(time_zone="America/New_York")
    moment = datetime(2026, 6, 3, 18, 30, tzinfo=UTC)  # 14:30 in New York, 20:30 in Rome
    assert new_york.allows(moment, NO_HOLIDAYS)
    assert not TELEMARKETING_WINDOW.allows(moment, NO_HOLIDAYS)


def test_the_holiday_is_the_local_date_not_the_utc_date() -> None:
    always = ContactWindow(
        weekdays=(time(0), time(23, 59)), saturday=(time(0), time(23, 59)), sunday=None
    )
    new_year_in_rome = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)  # Friday 1 January 00:30
    assert not always.allows(new_year_in_rome, italian_holidays(2027))


# --- policies ---------------------------------------------------------------------------------


def test_the_most_specific_policy_applies() -> None:
    """What applies is the most specific policy's cap and window (compared by value, so the
    answer may be the stored policy or one assembled for this purpose and channel)."""
    anything = Policy(None, None, FrequencyCap(10, 30), None)
    sms = Policy(None, Channel.SMS, FrequencyCap(5, 30), None)
    newsletter = Policy(PURPOSE, None, FrequencyCap(3, 30), None)
    newsletter_sms = Policy(PURPOSE, Channel.SMS, FrequencyCap(1, 30), None)
    every = [anything, sms, newsletter, newsletter_sms]

    def applied(purpose: str, channel: Channel) -> tuple[object, object] | None:
        found = pick_policy(every, purpose, channel)
        return None if found is None else (found.cap, found.window)

    # A purpose's cap counts that purpose's contacts only: it comes back naming the purpose.
    assert applied(PURPOSE, Channel.SMS) == (FrequencyCap(1, 30, PURPOSE), None)
    assert applied(PURPOSE, Channel.EMAIL) == (FrequencyCap(3, 30, PURPOSE), None)
    assert applied("other", Channel.SMS) == (sms.cap, None)
    assert applied("other", Channel.EMAIL) == (anything.cap, None)
    assert pick_policy([sms], "other", Channel.EMAIL) is None


def _facts(**changes: object) -> Facts:
    moment = datetime(2026, 6, 3, 10, tzinfo=UTC)
    purpose = PurposeVersion(
        PURPOSE, 1, purpose_content(channels=(Channel.EMAIL,)), moment - timedelta(days=90)
    )
    values: dict[str, object] = {
        "purpose": purpose,
        "purpose_retired": False,
        "channel": Channel.EMAIL,
        "moment": moment,
        "state": None,
        "suppressed": False,
        "opposition_since": None,
        "existing_customer": False,
        "policy": None,
        "contacts_in_period": 0,
        "holidays": NO_HOLIDAYS,
    }
    values.update(changes)
    return Facts(**values)  # type: ignore[arg-type]


def test_decide_pending_confirmation_for_the_status_no_event_sets() -> None:
    """The pure decision only: no public path produces this status (see test_reasons.py)."""
    moment = datetime(2026, 6, 3, 10, tzinfo=UTC)
    state = ConsentState(
        "sub_x",
        PURPOSE,
        Channel.EMAIL,
        ConsentStatus.PENDING_CONFIRMATION,
        moment - timedelta(days=1),
        "evt_x",
        1,
        1,
        None,
        None,
        None,
    )
    assert decide(_facts(state=state)) == Decision(False, Reason.PENDING_CONFIRMATION, "evt_x")


def test_decide_suppression_comes_before_everything() -> None:
    assert decide(_facts(suppressed=True, purpose_retired=True)).reason is Reason.SUPPRESSED


# --- through check_contact --------------------------------------------------------------------


@pytest.fixture
def caller(sqlite_ctx: Context) -> Context:
    setup_engage(sqlite_ctx)
    event(sqlite_ctx, purpose=CALLS, who=(email(), phone()), at=ago(days=1))
    return sqlite_ctx


def test_a_phone_cap_policy_is_applied(caller: Context) -> None:
    """`policies add --channel phone --max 1 --days 7` caps calls.

    pick_policy takes max() by specificity over [*DEFAULT_POLICIES, *stored]; the built-in
    (None, PHONE) telemarketing policy ties with the stored (None, PHONE) one and max() keeps the
    first, so the operator's policy is silently ignored.
    """
    engage_admin.add_policy(caller, purpose=None, channel=Channel.PHONE, max_contacts=1, days=7)
    # The nearest working day, 10:00 in Rome: inside the calling window, and less than the cap's
    # seven days after the contact recorded now (a Monday a week away was not, on a Monday).
    monday = rome(min(next_day(weekday) for weekday in range(MONDAY, MONDAY + 5)), 10)
    allowed = check(caller, CALLS, Channel.PHONE, who=phone(), moment=monday)
    assert allowed.allowed
    event(
        caller,
        EventKind.CONTACT_MADE,
        purpose=CALLS,
        who=(phone(),),
        channels=(Channel.PHONE,),
        check_id=allowed.check_id,
    )
    capped = check(caller, CALLS, Channel.PHONE, who=phone(), moment=monday)
    assert (capped.allowed, capped.reason) == (False, Reason.FREQUENCY_CAP)


def test_a_cap_policy_for_a_purpose_keeps_the_telemarketing_window(caller: Context) -> None:
    """README: phone contacts follow the telemarketing window by default, and "policies add caps
    and windows". A cap for a purpose (any channel) is more specific than the built-in phone
    window, so it replaces it and calls on Sunday become allowed."""
    engage_admin.add_policy(caller, purpose=CALLS, channel=None, max_contacts=5, days=7)
    sunday = rome(next_sunday(), 11)
    outcome = check(caller, CALLS, Channel.PHONE, who=phone(), moment=sunday)
    assert (outcome.allowed, outcome.reason) == (False, Reason.OUTSIDE_CONTACT_HOURS)


def test_new_years_day_closes_a_policy_window_at_half_past_midnight(caller: Context) -> None:
    """A window open all day on weekdays, closed on holidays: 1 January 2027 00:30 in Rome is
    2026-12-31T23:30Z. check_many passes italian_holidays(moment.year) | (moment.year - 1) with the
    UTC year (2026), so 2027's holidays are missing while the local date is in 2027."""
    engage_admin.add_policy(
        caller,
        purpose=CALLS,
        channel=Channel.PHONE,
        window={"weekdays": ["00:00", "23:59"], "saturday": ["00:00", "23:59"], "sunday": None},
    )
    ordinary = rome(date(2027, 1, 5), 0, 30)  # a Tuesday
    assert check(caller, CALLS, Channel.PHONE, who=phone(), moment=ordinary).allowed
    new_year = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    outcome = check(caller, CALLS, Channel.PHONE, who=phone(), moment=new_year)
    assert (outcome.allowed, outcome.reason) == (False, Reason.OUTSIDE_CONTACT_HOURS)


def test_no_calls_on_saint_francis_day(caller: Context) -> None:
    monday = rome(date(2027, 10, 4), 10)  # 4 October 2027 is a Monday
    outcome = check(caller, CALLS, Channel.PHONE, who=phone(), moment=monday)
    assert (outcome.allowed, outcome.reason) == (False, Reason.OUTSIDE_CONTACT_HOURS)


def test_a_batch_with_different_moments_counts_each_moments_period(caller: Context) -> None:
    """check_many promises the same answers as one by one; its contact counts are cached per
    (channel, days) with the period of the first request's moment."""
    engage_admin.add_policy(caller, purpose=CALLS, channel=Channel.SMS, max_contacts=1, days=7)
    allowed = check(caller, CALLS, Channel.SMS, who=phone())
    event(
        caller,
        EventKind.CONTACT_MADE,
        purpose=CALLS,
        who=(phone(),),
        channels=(Channel.SMS,),
        check_id=allowed.check_id,
    )
    now = datetime.now(UTC)
    requests = [
        CheckRequest(CALLS, Channel.SMS, phone(), moment=now),
        CheckRequest(CALLS, Channel.SMS, phone(), moment=now + timedelta(days=30)),
    ]
    single = [check_contact(caller, request=r).reason for r in requests]
    assert single == [Reason.FREQUENCY_CAP, Reason.CONSENT_GIVEN]
    assert [o.reason for o in check_many(caller, requests)] == single
    assert [o.reason for o in check_many(caller, requests[::-1])] == single[::-1]


def test_a_policy_with_an_unknown_time_zone_is_refused(caller: Context) -> None:
    """add_policy checks the window's times but not its time zone; once stored, every check the
    policy applies to raises ZoneInfoNotFoundError (a 500 over HTTP) instead of answering."""
    window = {"weekdays": ["09:00", "20:00"], "saturday": None, "time_zone": "Europe/Roma"}
    try:
        engage_admin.add_policy(caller, purpose=CALLS, channel=Channel.SMS, window=window)
    except InvalidInput:
        return
    try:
        outcome = check(caller, CALLS, Channel.SMS, who=phone(), moment=rome(next_day(MONDAY), 10))
    except ZoneInfoNotFoundError as exc:
        raise AssertionError(f"the policy was stored, and now the check fails: {exc!r}") from exc
    raise AssertionError(f"the policy was stored and the check said {outcome.reason}")
