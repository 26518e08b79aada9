"""Checks of any moment against an independent model: random histories of consents, withdrawals,
refusals (some at the same instant), contacts and suppression spells, recorded in random order;
each `at`-check (and the check of now) must answer what a plain fold of the events up to that
moment answers: the latest by `occurred_at`, a tie going to the most protective."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.factories.events import at_instant, email, utcnow

from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import Channel
from trustguardian.service.context import Context
from trustguardian.service.engage import admin as engage_admin
from trustguardian.service.engage import lists as engage_lists
from trustguardian.service.engage.audience import RowIn, filter_rows
from trustguardian.service.engage.checks import CheckRequest, check_contact

from .helpers import CALLS, event, setup_engage

CAP, CAP_DAYS = 2, 10
KINDS = {
    "given": EventKind.CONSENT_GIVEN,
    "withdrawn": EventKind.CONSENT_WITHDRAWN,
    "refused": EventKind.CONSENT_REFUSED,
    "contact": EventKind.CONTACT_MADE,
}
PROTECTIVE = {"withdrawn", "refused"}
_people = itertools.count()


@dataclass(frozen=True)
class World:
    ctx: Context
    origin: datetime  # every instant of a history is counted back from here


@pytest.fixture
def world(ctx: Context) -> World:
    setup_engage(ctx)
    origin = utcnow()
    engage_admin.add_policy(
        at_instant(ctx, origin - timedelta(days=59)),
        purpose=CALLS,
        channel=Channel.EMAIL,
        max_contacts=CAP,
        days=CAP_DAYS,
    )
    return World(ctx, origin)


# An event: what, how many days and hours before the origin (few values: ties happen).
steps = st.tuples(st.sampled_from(sorted(KINDS)), st.integers(1, 50), st.sampled_from([0, 12]))
histories = st.lists(steps, min_size=1, max_size=10)
# Suppression spells: instants (days back) at which the address goes on and off the list.
spells = st.lists(st.integers(1, 50), max_size=4, unique=True)
moments = st.lists(st.integers(0, 55), min_size=1, max_size=4, unique=True)


def _model(
    history: list[tuple[str, datetime]],
    suppressed: list[tuple[datetime, datetime | None]],
    moment: datetime,
) -> str:
    """What the events and spells up to the moment say, computed without the service."""
    if any(start <= moment and (end is None or moment < end) for start, end in suppressed):
        return "suppressed"
    decisive = [
        (when, what in PROTECTIVE, what)
        for what, when in history
        if what != "contact" and when <= moment
    ]
    if not decisive:
        return "no_consent"
    status = max(decisive)[2]
    if status != "given":
        return status
    since = moment - timedelta(days=CAP_DAYS)
    contacts = sum(1 for what, when in history if what == "contact" and since <= when < moment)
    return "frequency_cap" if contacts >= CAP else "consent_given"


def _spans(times: list[datetime]) -> Iterator[tuple[datetime, datetime | None]]:
    """On at the first instant, off at the second, on again at the third..."""
    ordered = sorted(times)
    for n in range(0, len(ordered), 2):
        yield ordered[n], ordered[n + 1] if n + 1 < len(ordered) else None


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=histories, spell=spells, days=moments)
def test_checks_of_any_moment_answer_as_a_fold_of_the_events_up_to_it(
    world: World, history: list[tuple[str, int, int]], spell: list[int], days: list[int]
) -> None:
    ctx, origin = world.ctx, world.origin
    who = email(f"person{next(_people)}@model.example")
    dated = [(what, origin - timedelta(days=d, hours=h)) for what, d, h in history]
    for what, when in dated:  # in the order drawn: recording order is not time order
        event(ctx, KINDS[what], purpose=CALLS, who=(who,), channels=(Channel.EMAIL,), at=when)
    spans = list(_spans([origin - timedelta(days=d, hours=6) for d in spell]))
    for start, end in spans:
        engage_admin.suppress(at_instant(ctx, start), identifiers=[who], reason="spell")
        if end is not None:
            engage_lists.remove_suppression(at_instant(ctx, end), identifier=who)
    for back in [*days, None]:
        moment = None if back is None else origin - timedelta(days=back, hours=3)
        expected = _model(dated, spans, moment or utcnow())
        request = CheckRequest(CALLS, Channel.EMAIL, who, moment=moment)
        single = check_contact(ctx, request=request)
        [row] = filter_rows(
            ctx,
            [RowIn(2, {"email": who.value})],
            purpose=CALLS,
            channel=Channel.EMAIL,
            at=moment,
        )
        assert (single.reason.value, row.reason) == (expected, expected), (back, dated, spans)
