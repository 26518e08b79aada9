"""Holds: which contacts a restriction or a complaint stops, and when."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from trustguardian.domain.checks import Reason
from trustguardian.domain.holds import Hold, HoldCause, holding, over_holds
from trustguardian.domain.registry import Channel

T = datetime(2026, 5, 4, 10, tzinfo=UTC)
ALLOWED = (True, Reason.CONSENT_GIVEN, "evt_1")


def _hold(**kw: object) -> Hold:
    values: dict[str, object] = {
        "id": "hold_1",
        "subject_id": "sub_1",
        "purpose": "newsletter",
        "channel": None,
        "cause": HoldCause.RESTRICTION,
        "source_id": "req_1",
        "started_at": T,
        "lifted_at": T + timedelta(days=3),
    }
    values.update(kw)
    return Hold(**values)  # type: ignore[arg-type]


def test_a_hold_covers_its_purpose_on_every_channel_between_start_and_lift() -> None:
    hold = _hold()
    assert hold.covers("newsletter", Channel.SMS, T)
    assert hold.covers("newsletter", Channel.EMAIL, T + timedelta(days=2))
    assert not hold.covers("newsletter", Channel.EMAIL, T - timedelta(seconds=1))
    assert not hold.covers("newsletter", Channel.EMAIL, T + timedelta(days=3))
    assert not hold.covers("profiling", Channel.EMAIL, T)


def test_a_complaint_hold_covers_one_channel_for_every_purpose() -> None:
    hold = _hold(purpose=None, channel=Channel.SMS, cause=HoldCause.COMPLAINT, lifted_at=None)
    assert hold.covers("anything", Channel.SMS, T + timedelta(days=400))
    assert not hold.covers("anything", Channel.EMAIL, T)


def test_holds_refuse_only_what_would_be_allowed_and_say_why() -> None:
    restriction = _hold()
    complaint = _hold(id="hold_2", purpose=None, channel=Channel.EMAIL, cause=HoldCause.COMPLAINT)
    both = (complaint, restriction)
    assert over_holds(ALLOWED, both, "newsletter", Channel.EMAIL, T) == (
        False,
        Reason.RESTRICTED,
        "evt_1",
    )
    assert over_holds(ALLOWED, both, "other", Channel.EMAIL, T)[1] is Reason.COMPLAINT_OPEN
    assert over_holds(ALLOWED, both, "other", Channel.SMS, T) == ALLOWED
    refused = (False, Reason.WITHDRAWN, "evt_2")
    assert over_holds(refused, both, "newsletter", Channel.EMAIL, T) == refused
    assert over_holds(ALLOWED, None, "newsletter", Channel.EMAIL, T) == ALLOWED
    assert holding(both, "newsletter", Channel.EMAIL, T) is restriction
