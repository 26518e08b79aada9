"""Legal deadlines of rights requests: calendar months in Europe/Rome (art. 12(3) GDPR)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trustguardian.domain.rights import (
    ROME,
    RequestStatus,
    add_months,
    can_move,
    deadline,
    end_of_day,
)


def rome(y: int, m: int, d: int, h: int = 12, minute: int = 0) -> datetime:
    return datetime(y, m, d, h, minute, tzinfo=ROME)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (rome(2026, 1, 31), date(2026, 2, 28)),
        (rome(2028, 1, 31), date(2028, 2, 29)),  # leap year
        (rome(2024, 1, 30), date(2024, 2, 29)),
        (rome(2100, 1, 31), date(2100, 2, 28)),  # not a leap year (divisible by 100)
        (rome(2000, 1, 31), date(2000, 2, 29)),  # a leap year (divisible by 400)
        (rome(2026, 3, 31), date(2026, 4, 30)),
        (rome(2026, 2, 28), date(2026, 3, 28)),
        (rome(2026, 12, 31), date(2027, 1, 31)),
        (rome(2026, 12, 15), date(2027, 1, 15)),
        (rome(2026, 5, 15), date(2026, 6, 15)),
    ],
)
def test_one_calendar_month_from_receipt(received: datetime, due: date) -> None:
    assert deadline(received).due_on == due


def test_receipt_is_dated_in_rome_not_utc() -> None:
    # 23:30 UTC on 31 January is already 1 February in Rome: due 1 March, not 28 February.
    late = datetime(2026, 1, 31, 23, 30, tzinfo=UTC)
    assert deadline(late).due_on == date(2026, 3, 1)
    # 23:30 Rome on 31 January is 22:30 UTC: still 31 January.
    assert deadline(rome(2026, 1, 31, 23, 30)).due_on == date(2026, 2, 28)


def test_the_deadline_ends_at_midnight_rome_across_summer_time() -> None:
    # Due 28 March 2026, ending at midnight CET (23:00 UTC); summer time starts hours later,
    # so a deadline in July ends at midnight CEST (22:00 UTC).
    d = deadline(rome(2026, 2, 28, 10))
    assert d.due_on == date(2026, 3, 28)
    assert d.ends_at == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    summer = deadline(rome(2026, 6, 10))
    assert summer.ends_at == datetime(2026, 7, 10, 22, 0, tzinfo=UTC)
    assert summer.overdue(summer.ends_at)
    assert not summer.overdue(summer.ends_at - timedelta(microseconds=1))


def test_an_extension_gives_two_further_months_counted_from_receipt() -> None:
    assert deadline(rome(2026, 1, 31), extended=True).due_on == date(2026, 4, 30)
    assert deadline(rome(2027, 11, 30), extended=True).due_on == date(2028, 2, 29)
    assert deadline(rome(2026, 12, 31), extended=True).due_on == date(2027, 3, 31)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        deadline(datetime(2026, 1, 31, 12))


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2200, 12, 31)), st.integers(1, 36))
def test_add_months_keeps_the_day_or_takes_the_months_last(day: date, months: int) -> None:
    due = add_months(day, months)
    assert (due.year * 12 + due.month) - (day.year * 12 + day.month) == months
    if due.day != day.day:
        assert due.day < day.day
        assert (due + timedelta(days=1)).day == 1  # the last day of its month


@given(
    st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    )
)
def test_the_deadline_is_never_before_one_month_nor_beyond_its_day(received: datetime) -> None:
    d = deadline(received)
    local = received.astimezone(ROME).date()
    assert d.due_on > local
    assert 28 <= (d.due_on - local).days <= 31
    assert d.ends_at == end_of_day(d.due_on)
    assert d.ends_at.astimezone(ROME).time().hour == 0
    extended = deadline(received, extended=True)
    assert 89 <= (extended.due_on - local).days <= 92


def test_the_state_machine_allows_one_extension_and_no_return_from_an_answer() -> None:
    assert can_move(RequestStatus.RECEIVED, RequestStatus.VERIFYING)
    assert can_move(RequestStatus.VERIFYING, RequestStatus.IN_PROGRESS)
    assert can_move(RequestStatus.IN_PROGRESS, RequestStatus.EXTENDED)
    assert can_move(RequestStatus.EXTENDED, RequestStatus.FULFILLED)
    assert not can_move(RequestStatus.EXTENDED, RequestStatus.EXTENDED)
    assert not can_move(RequestStatus.FULFILLED, RequestStatus.IN_PROGRESS)
    assert not can_move(RequestStatus.REJECTED, RequestStatus.RECEIVED)
    assert not can_move(RequestStatus.RECEIVED, RequestStatus.FULFILLED)
