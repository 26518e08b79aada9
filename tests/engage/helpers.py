"""Shared builders for the engage tests: a registry with every legal basis, people, contacts and
moments in Rome time.

Everything goes through the real service layer (events, purposes, policies, suppression,
registers); the helpers of tests/service/test_events_recording.py are reused by name.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tests.factories import add_purpose, add_touchpoint
from tests.factories.events import (
    ENGAGE_TP,
    HISTORY_DAYS,
    NOTICE,
    OTHER_PURPOSE,
    PURPOSE,
    ago,
    at_instant,
    email,
    make_draft,
    record,
    setup_registry,
)

from trustguardian.domain.events import EventKind, PrivacyEvent
from trustguardian.domain.registry import Channel, LegalBasis
from trustguardian.domain.subjects import Identifier, IdentifierKind
from trustguardian.service.context import Context
from trustguardian.service.engage import admin as engage_admin
from trustguardian.service.engage.calendar import italian_holidays
from trustguardian.service.engage.checks import CheckOutcome, CheckRequest, check_contact
from trustguardian.service.events.identifiers import normalise

ROME = ZoneInfo("Europe/Rome")

# Purposes added on top of setup_registry's newsletter (consent; e-mail and SMS; 730 days) and
# profiling (consent; e-mail).
CALLS = "telemarketing"  # consent; phone, SMS and e-mail; no lifetime (moments far ahead)
OFFERS = "offers"  # consent; e-mail and SMS; analogous products (soft spam)
ORDERS = "orders"  # contract: whoever has an event for it is an existing customer
LI = "product-news"  # legitimate interest; e-mail, SMS and phone
SERVICE = "service-notices"  # legal obligation: another basis than consent
OLD = "old-contest"  # consent; e-mail; retired by the tests that need it

COLLECT_ALL = "web-all"  # a collect touchpoint that takes consent for every consent purpose

MARIO_PHONE = "+39 333 123 4567"
LUIGI_PHONE = "+39 347 765 4321"


def phone(value: str = MARIO_PHONE) -> Identifier:
    return normalise(IdentifierKind.PHONE, value)


def customer(value: str) -> Identifier:
    return normalise(IdentifierKind.CUSTOMER_ID, value)


def setup_engage(ctx: Context, *, lifetime_days: int | None = 730) -> None:
    """setup_registry's purposes, notice and touchpoints, and one purpose per legal basis."""
    setup_registry(ctx, lifetime_days=lifetime_days)
    past = at_instant(ctx, ago(days=HISTORY_DAYS))
    add_purpose(
        past,
        CALLS,
        name="Telemarketing",
        channels=(Channel.PHONE, Channel.SMS, Channel.EMAIL),
        consent_lifetime_days=None,
    )
    add_purpose(
        past, OFFERS, name="Offers", channels=(Channel.EMAIL, Channel.SMS), analogous_products=True
    )
    add_purpose(
        past,
        ORDERS,
        name="Orders",
        legal_basis=LegalBasis.CONTRACT,
        consent_lifetime_days=None,
        marketing=False,
    )
    add_purpose(
        past,
        LI,
        name="Product news",
        legal_basis=LegalBasis.LEGITIMATE_INTEREST,
        channels=(Channel.EMAIL, Channel.SMS, Channel.PHONE),
        consent_lifetime_days=None,
    )
    add_purpose(
        past,
        SERVICE,
        name="Service notices",
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        consent_lifetime_days=None,
        marketing=False,
    )
    add_purpose(past, OLD, name="Old contest")
    add_touchpoint(
        ctx,
        COLLECT_ALL,
        name="Everything form",
        purposes=[PURPOSE, OTHER_PURPOSE, CALLS, OFFERS, OLD],
        notice_key=NOTICE,
    )


def event(
    ctx: Context,
    kind: EventKind = EventKind.CONSENT_GIVEN,
    *,
    purpose: str = PURPOSE,
    who: Sequence[Identifier] = (),
    subject_id: str | None = None,
    channels: Sequence[Channel] = (),
    at: datetime | None = None,
    touchpoint: str | None = None,
    check_id: str | None = None,
    campaign: str | None = None,
) -> PrivacyEvent:
    """Records one event (consent.given for Mario's e-mail on the newsletter unless told)."""
    if touchpoint is None:
        touchpoint = ENGAGE_TP if kind in ENGAGE_KINDS else COLLECT_ALL
    [found] = record(
        ctx,
        make_draft(
            kind,
            touchpoint=touchpoint,
            identifiers=tuple(who) if who or subject_id else (email(),),
            subject_id=subject_id,
            purpose=purpose,
            channels=tuple(channels),
            occurred_at=at or ago(minutes=1),
            check_id=check_id,
            campaign=campaign,
        ),
    )
    return found


ENGAGE_KINDS = frozenset(
    {EventKind.CONSENT_WITHDRAWN, EventKind.CONSENT_REFUSED, EventKind.CONTACT_MADE}
)


def become_customer(ctx: Context, who: Sequence[Identifier] = ()) -> PrivacyEvent:
    """An order: an event for a purpose resting on a contract makes an existing customer."""
    return event(ctx, EventKind.DATA_COLLECTED, purpose=ORDERS, who=who or (email(),))


def check(
    ctx: Context,
    purpose: str = PURPOSE,
    channel: Channel = Channel.EMAIL,
    *,
    who: Identifier | None = None,
    subject_id: str | None = None,
    moment: datetime | None = None,
) -> CheckOutcome:
    if who is None and subject_id is None:
        who = email()
    return check_contact(
        ctx,
        request=CheckRequest(
            purpose, channel, identifier=who, subject_id=subject_id, moment=moment
        ),
    )


def import_register(ctx: Context, numbers: Sequence[str], register_date: date) -> int:
    data = "\n".join(["numero", *numbers]).encode()
    entries, rejected = engage_admin.import_register(
        ctx,
        name="rpo",
        kind="phone",
        register_date=register_date,
        lines=data.decode().splitlines(),
        file_sha256=hashlib.sha256(data).hexdigest(),
    )
    assert rejected == []
    return entries


# --- moments ----------------------------------------------------------------------------------


def rome(day: date, hour: int, minute: int = 0) -> datetime:
    """An instant given as Rome's wall clock."""
    return datetime.combine(day, time(hour, minute), tzinfo=ROME)


def is_holiday(day: date) -> bool:
    # October 4 is a national holiday from 2026 on (Law 151/2025); skipped here whatever the
    # calendar under test says, so these moments stay ordinary working days.
    return day in italian_holidays(day.year) or (day.month, day.day) == (10, 4)


def next_day(weekday: int, *, after: date | None = None) -> date:
    """The next date after `after` (today by default) on this weekday that is no holiday."""
    day = (after or datetime.now(UTC).date()) + timedelta(days=1)
    while day.weekday() != weekday or is_holiday(day):
        day += timedelta(days=1)
    return day


def next_sunday() -> date:
    day = datetime.now(UTC).date() + timedelta(days=1)
    return day + timedelta(days=(6 - day.weekday()) % 7)


def next_liberation_day_not_on_sunday() -> date:
    """The next 25 April that falls Monday to Saturday (so only the holiday keeps calls out)."""
    today = datetime.now(UTC).date()
    year = today.year
    while date(year, 4, 25) <= today or date(year, 4, 25).weekday() == 6:
        year += 1
    return date(year, 4, 25)


MONDAY, TUESDAY, SATURDAY = 0, 1, 5
