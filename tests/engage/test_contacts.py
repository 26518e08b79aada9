"""contact.made events: which check stands behind each contact, and the flags on the touchpoint."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from tests.factories.events import (
    ENGAGE_TP,
    LUIGI,
    OTHER_PURPOSE,
    PURPOSE,
    TP,
    ago,
    assert_verifies,
    at_instant,
    email,
)

from trustguardian.domain.errors import InvalidInput
from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import Channel
from trustguardian.service.context import Context
from trustguardian.store import tables as t

from .helpers import check, event, setup_engage


def flagged(ctx: Context, touchpoint: str = ENGAGE_TP) -> dict[str, int]:
    with ctx.uow(write=False) as uow:
        return uow.engage.flagged_contacts(touchpoint)


def contact_rows(ctx: Context) -> list[Any]:
    with ctx.engine.connect() as conn:
        return list(conn.execute(select(t.contacts).order_by(t.contacts.c.event_seq)))


def contact(ctx: Context, check_id: str | None, **changes: Any) -> Any:
    values: dict[str, Any] = {"channels": (Channel.EMAIL,), "campaign": "black-friday"}
    values.update(changes)
    return event(ctx, EventKind.CONTACT_MADE, check_id=check_id, **values)


@pytest.fixture
def mario(ctx: Context) -> Context:
    """Mario consented to the newsletter (e-mail and SMS) a day ago; Luigi withdrew."""
    setup_engage(ctx)
    event(ctx, at=ago(days=1))
    event(ctx, who=(email(LUIGI),), at=ago(days=1))
    event(ctx, EventKind.CONSENT_WITHDRAWN, who=(email(LUIGI),), at=ago(hours=1))
    return ctx


def test_a_contact_after_an_allowed_check_is_not_flagged(mario: Context) -> None:
    allowed = check(mario)
    assert allowed.allowed
    made = contact(mario, allowed.check_id)
    assert made.check_id == allowed.check_id
    assert made.campaign == "black-friday"
    assert made.envelope()["contact"] == {"campaign": "black-friday", "check": allowed.check_id}
    [row] = contact_rows(mario)
    assert row.flag is None
    assert (row.subject_id, row.purpose_key, row.channel, row.check_id, row.event_seq) == (
        allowed.subject_id,
        PURPOSE,
        "email",
        allowed.check_id,
        made.seq,
    )
    assert flagged(mario) == {}
    assert_verifies(mario)


def test_a_contact_without_a_check_is_flagged_no_check(mario: Context) -> None:
    contact(mario, None)
    assert flagged(mario) == {"no_check": 1}
    assert [r.flag for r in contact_rows(mario)] == ["no_check"]


def test_a_contact_despite_a_denial_is_flagged(mario: Context) -> None:
    denied = check(mario, who=email(LUIGI))
    assert (denied.allowed, denied.reason.value) == (False, "withdrawn")
    contact(mario, denied.check_id, who=(email(LUIGI),))
    assert flagged(mario) == {"despite_denial": 1}


def test_a_contact_citing_an_unknown_check_is_flagged(mario: Context) -> None:
    contact(mario, "chk_never_made")
    assert flagged(mario) == {"unknown_check": 1}


@pytest.mark.parametrize(
    "changes",
    [
        {"channels": (Channel.SMS,)},  # another channel than checked
        {"who": (email(LUIGI),)},  # another person
        {"purpose": OTHER_PURPOSE},  # another purpose
    ],
)
def test_a_contact_citing_a_check_for_something_else_is_flagged(
    mario: Context, changes: dict[str, Any]
) -> None:
    allowed = check(mario)
    assert allowed.allowed
    contact(mario, allowed.check_id, **changes)
    assert flagged(mario) == {"check_mismatch": 1}


def test_a_contact_a_day_and_more_after_its_check_is_flagged_stale(mario: Context) -> None:
    old = check(at_instant(mario, ago(hours=30)))
    assert old.allowed
    contact(mario, old.check_id)
    recent = check(at_instant(mario, ago(hours=20)))
    contact(mario, recent.check_id)
    assert flagged(mario) == {"stale_check": 1}


def test_a_check_made_after_the_contact_does_not_vouch_for_it(mario: Context) -> None:
    """A contact recorded afterwards (occurred two days ago) citing a check made today: the check
    did not allow that contact, yet _contacts only flags checks older than 24 h before it."""
    later = check(mario)
    assert later.allowed
    contact(mario, later.check_id, at=ago(days=2))
    [row] = contact_rows(mario)
    assert row.flag is not None


def test_flags_are_counted_per_touchpoint(mario: Context) -> None:
    contact(mario, None)
    contact(mario, None)
    contact(mario, "chk_nope")
    assert flagged(mario) == {"no_check": 2, "unknown_check": 1}
    assert flagged(mario, TP) == {}


def test_an_engage_touchpoint_cannot_record_a_consent(mario: Context) -> None:
    with pytest.raises(InvalidInput) as raised:
        event(mario, EventKind.CONSENT_GIVEN, who=(email("new@example.com"),), touchpoint=ENGAGE_TP)
    assert any("cannot record consent.given" in e.msg for e in raised.value.errors)


def test_a_collect_touchpoint_cannot_record_a_contact(mario: Context) -> None:
    with pytest.raises(InvalidInput):
        contact(mario, None, touchpoint=TP)


def test_a_contact_names_exactly_one_channel(mario: Context) -> None:
    with pytest.raises(InvalidInput):
        contact(mario, None, channels=(Channel.EMAIL, Channel.SMS))
    with pytest.raises(InvalidInput):
        contact(mario, None, channels=())  # the newsletter covers two channels
    assert contact_rows(mario) == []
