"""Recording privacy events on SQLite and PostgreSQL: subjects, versions, consent, corrections."""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest
from tests.factories import add_notice, add_touchpoint, purpose_content
from tests.factories.events import (
    BOTH,
    ENGAGE_TP,
    HISTORY_DAYS,
    LUIGI,
    MARIO,
    NOTICE,
    NOTICE_TEXT,
    OTHER_PURPOSE,
    PURPOSE,
    ago,
    all_are,
    assert_verifies,
    at_instant,
    email,
    footprint,
    make_draft,
    record,
    record_one,
    setup_registry,
    statuses,
    utcnow,
)

from trustguardian.domain.errors import InvalidInput
from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import Channel, text_sha256
from trustguardian.domain.subjects import IdentifierKind
from trustguardian.service.context import Context
from trustguardian.service.events.consent import subject_consents, subject_timeline
from trustguardian.service.events.identifiers import normalise
from trustguardian.service.events.subjects import get_subject
from trustguardian.service.registry import notices, purposes

# --- 1. a consent.given: subject, channels, versions in force, ledger -------------------------


def test_consent_given_creates_the_subject_and_sets_every_channel_of_the_purpose(
    ctx: Context,
) -> None:
    setup_registry(ctx)
    before = footprint(ctx)
    event = record_one(ctx, make_draft(identifiers=(email("Mario.Rossi@Example.COM"),)))

    assert event.subject_id.startswith("sub_")
    view = get_subject(ctx, subject_id=event.subject_id)
    assert [(i.kind, i.value) for i in view.identifiers] == [(IdentifierKind.EMAIL, MARIO)]
    assert event.channels == BOTH
    assert statuses(ctx, event.subject_id) == all_are("given")
    after = footprint(ctx)
    assert after["ledger_size"] == before["ledger_size"] + 1
    assert after["events"] == before["events"] + 1
    assert after["subjects"] == before["subjects"] + 1
    assert event.seq == before["ledger_size"]
    assert_verifies(ctx)


def test_named_channels_limit_the_consent_to_those_channels(ctx: Context) -> None:
    setup_registry(ctx)
    event = record_one(ctx, make_draft(channels=(Channel.SMS,)))
    assert event.channels == (Channel.SMS,)
    assert statuses(ctx, event.subject_id) == {(PURPOSE, Channel.SMS): "given"}


def test_the_touchpoints_notice_in_force_at_occurred_at_is_resolved(ctx: Context) -> None:
    setup_registry(ctx)
    event = record_one(ctx, make_draft(occurred_at=ago(days=5)))
    assert (event.notice, event.notice_version) == (NOTICE, 1)
    assert event.notice_sha256 == text_sha256(NOTICE_TEXT)
    assert (event.purpose, event.purpose_version) == (PURPOSE, 1)


def test_versions_follow_occurred_at_not_the_recording_time(ctx: Context) -> None:
    setup_registry(ctx)
    purposes.revise_purpose(
        ctx,
        key=PURPOSE,
        content=purpose_content(channels=BOTH, description="Promotional e-mails and texts."),
    )
    notices.add_notice_version(ctx, key=NOTICE, text="Informativa v2\n")
    after_revision = utcnow()

    old, new = record(
        ctx,
        make_draft(occurred_at=ago(days=5)),
        make_draft(occurred_at=after_revision, identifiers=(email(LUIGI),)),
    )

    assert (old.purpose_version, old.notice_version) == (1, 1)
    assert old.notice_sha256 == text_sha256(NOTICE_TEXT)
    assert (new.purpose_version, new.notice_version) == (2, 2)
    assert new.notice_sha256 == text_sha256("Informativa v2\n")
    [state, *_] = subject_consents(ctx, subject_id=old.subject_id)
    assert (state[0].purpose_version, state[0].notice_version) == (1, 1)
    assert_verifies(ctx)


def test_a_named_notice_and_version_replace_the_touchpoints(ctx: Context) -> None:
    setup_registry(ctx)
    add_notice(at_instant(ctx, ago(days=HISTORY_DAYS)), "privacy-en", text="Privacy notice\n")
    event = record_one(ctx, make_draft(notice="privacy-en", notice_version=1))
    assert (event.notice, event.notice_version) == ("privacy-en", 1)
    assert event.notice_sha256 == text_sha256("Privacy notice\n")


def test_a_second_event_by_the_same_email_differently_cased_finds_the_same_subject(
    ctx: Context,
) -> None:
    setup_registry(ctx)
    first = record_one(ctx, make_draft(occurred_at=ago(days=2)))
    second = record_one(
        ctx,
        make_draft(
            EventKind.CONSENT_WITHDRAWN,
            touchpoint=ENGAGE_TP,
            identifiers=(email("  MARIO.Rossi@EXAMPLE.com "),),
        ),
    )
    assert second.subject_id == first.subject_id
    assert second.identifiers == first.identifiers
    assert footprint(ctx)["subjects"] == 1
    assert statuses(ctx, first.subject_id) == all_are("withdrawn")


def test_a_new_identifier_named_with_a_known_one_is_linked_to_the_same_subject(
    ctx: Context,
) -> None:
    setup_registry(ctx)
    first = record_one(ctx, make_draft(occurred_at=ago(days=2)))
    phone = normalise(IdentifierKind.PHONE, "+39 333 123 4567")
    second = record_one(ctx, make_draft(identifiers=(email(), phone)))
    assert second.subject_id == first.subject_id
    values = {i.value for i in get_subject(ctx, subject_id=first.subject_id).identifiers}
    assert values == {MARIO, "+393331234567"}


def test_one_batch_naming_a_new_email_twice_creates_one_subject(ctx: Context) -> None:
    setup_registry(ctx)
    a, b = record(
        ctx,
        make_draft(occurred_at=ago(days=2)),
        make_draft(EventKind.CONSENT_WITHDRAWN, identifiers=(email("MARIO.ROSSI@example.com"),)),
    )
    assert a.subject_id == b.subject_id
    assert b.seq == a.seq + 1
    assert footprint(ctx)["subjects"] == 1
    assert statuses(ctx, a.subject_id) == all_are("withdrawn")


def test_an_event_may_name_its_subject_by_id(ctx: Context) -> None:
    setup_registry(ctx)
    first = record_one(ctx, make_draft(occurred_at=ago(days=2)))
    second = record_one(
        ctx, make_draft(EventKind.CONSENT_REFUSED, identifiers=(), subject_id=first.subject_id)
    )
    assert second.subject_id == first.subject_id
    assert second.identifiers == ()
    assert statuses(ctx, first.subject_id) == all_are("refused")


def test_an_occurred_at_with_an_offset_is_stored_as_the_same_instant_and_verifies(
    ctx: Context,
) -> None:
    setup_registry(ctx)
    rome = timezone(timedelta(hours=2))
    moment = ago(days=1).astimezone(rome)
    event = record_one(ctx, make_draft(occurred_at=moment))
    states = [s for s, _ in subject_consents(ctx, subject_id=event.subject_id)]
    assert [s.since for s in states] == [moment, moment]
    [stored] = subject_timeline(ctx, subject_id=event.subject_id)
    assert stored.occurred_at == moment
    # The leaf says the instant in UTC, and verification rebuilds it from the stored row.
    assert_verifies(ctx)


def test_an_event_deciding_no_consent_is_recorded_without_consent_state(ctx: Context) -> None:
    setup_registry(ctx)
    event = record_one(
        ctx, make_draft(EventKind.DATA_COLLECTED, purpose=None, data={"first_name": "Mario"})
    )
    assert event.purpose is None
    assert event.data_commitment is not None
    assert len(event.data_commitment) == 64
    assert statuses(ctx, event.subject_id) == {}
    assert footprint(ctx)["events"] == 1
    assert_verifies(ctx)


# --- 3. corrections ------------------------------------------------------------------------


def test_a_correction_decides_even_when_it_happened_earlier_than_the_corrected_event(
    ctx: Context,
) -> None:
    setup_registry(ctx)
    given = record_one(ctx, make_draft(occurred_at=ago(days=1)))
    correction = record_one(
        ctx, make_draft(EventKind.CONSENT_REFUSED, occurred_at=ago(days=3), corrects=given.id)
    )
    assert correction.corrects == given.id
    assert statuses(ctx, given.subject_id) == all_are("refused")
    states = [s for s, _ in subject_consents(ctx, subject_id=given.subject_id)]
    assert {s.event_id for s in states} == {correction.id}
    assert_verifies(ctx)


def test_after_a_correction_a_later_event_that_arrived_first_still_decides(ctx: Context) -> None:
    setup_registry(ctx)
    first, later = record(
        ctx,
        make_draft(occurred_at=ago(days=5)),
        make_draft(EventKind.CONSENT_WITHDRAWN, occurred_at=ago(days=1)),
    )
    record_one(
        ctx, make_draft(EventKind.CONSENT_REFUSED, occurred_at=ago(days=4), corrects=first.id)
    )
    assert statuses(ctx, first.subject_id) == all_are("withdrawn")
    states = [s for s, _ in subject_consents(ctx, subject_id=first.subject_id)]
    assert {s.event_id for s in states} == {later.id}
    assert_verifies(ctx)


def test_events_after_a_correction_keep_following_occurred_at(ctx: Context) -> None:
    setup_registry(ctx)
    given = record_one(ctx, make_draft(occurred_at=ago(days=5)))
    record_one(
        ctx, make_draft(EventKind.CONSENT_REFUSED, occurred_at=ago(days=4), corrects=given.id)
    )
    record_one(ctx, make_draft(occurred_at=ago(days=2)))
    assert statuses(ctx, given.subject_id) == all_are("given")
    record_one(ctx, make_draft(EventKind.CONSENT_WITHDRAWN, occurred_at=ago(days=3)))
    assert statuses(ctx, given.subject_id) == all_are("given")
    assert_verifies(ctx)


def test_a_correction_to_another_purpose_refolds_both_purposes(ctx: Context) -> None:
    setup_registry(ctx)
    add_touchpoint(ctx, "web-profiling", purposes=[PURPOSE, OTHER_PURPOSE])
    wrong = record_one(ctx, make_draft(touchpoint="web-profiling", occurred_at=ago(days=2)))
    right = record_one(
        ctx,
        make_draft(
            touchpoint="web-profiling",
            purpose=OTHER_PURPOSE,
            occurred_at=ago(days=2),
            corrects=wrong.id,
        ),
    )
    assert statuses(ctx, wrong.subject_id) == {(OTHER_PURPOSE, Channel.EMAIL): "given"}
    assert right.corrects == wrong.id
    assert_verifies(ctx)


def test_correcting_an_event_of_another_subject_is_refused_and_writes_nothing(
    ctx: Context,
) -> None:
    setup_registry(ctx)
    marios = record_one(ctx, make_draft(occurred_at=ago(days=2)))
    before = footprint(ctx)
    with pytest.raises(InvalidInput) as caught:
        record(
            ctx,
            make_draft(EventKind.CONSENT_REFUSED, identifiers=(email(LUIGI),), corrects=marios.id),
        )
    assert [e.loc for e in caught.value.errors] == ["events.0.corrects"]
    assert footprint(ctx) == before
    assert statuses(ctx, marios.subject_id) == all_are("given")


def test_correcting_another_touchpoints_event_is_refused_and_writes_nothing(
    ctx: Context,
) -> None:
    setup_registry(ctx)
    record_one(ctx, make_draft(occurred_at=ago(days=3)))
    withdrawal = record_one(
        ctx, make_draft(EventKind.CONSENT_WITHDRAWN, touchpoint=ENGAGE_TP, occurred_at=ago(days=2))
    )
    before = footprint(ctx)
    with pytest.raises(InvalidInput) as caught:
        record(ctx, make_draft(EventKind.CONSENT_WITHDRAWN, corrects=withdrawal.id))
    assert [e.loc for e in caught.value.errors] == ["events.0.corrects"]
    assert "touchpoint" in caught.value.errors[0].msg
    assert footprint(ctx) == before
    assert statuses(ctx, withdrawal.subject_id) == all_are("withdrawn")


def test_nothing_corrects_a_withdrawal_back_into_consent(ctx: Context) -> None:
    setup_registry(ctx)
    record_one(ctx, make_draft(occurred_at=ago(days=3)))
    withdrawal = record_one(ctx, make_draft(EventKind.CONSENT_WITHDRAWN, occurred_at=ago(days=2)))
    before = footprint(ctx)
    for kind in (EventKind.CONSENT_GIVEN, EventKind.NOTICE_ACKNOWLEDGED):
        with pytest.raises(InvalidInput) as caught:
            record(ctx, make_draft(kind, occurred_at=ago(days=1), corrects=withdrawal.id))
        assert [e.loc for e in caught.value.errors] == ["events.0.corrects"]
        assert "cannot correct" in caught.value.errors[0].msg
    assert footprint(ctx) == before
    assert statuses(ctx, withdrawal.subject_id) == all_are("withdrawn")
    # A withdrawal may correct a withdrawal (its channels, say); it stays a withdrawal.
    record_one(
        ctx,
        make_draft(
            EventKind.CONSENT_WITHDRAWN,
            occurred_at=ago(days=2),
            channels=(Channel.EMAIL,),
            corrects=withdrawal.id,
        ),
    )
    assert statuses(ctx, withdrawal.subject_id) == all_are("withdrawn")
    assert_verifies(ctx)


def test_correcting_an_unknown_event_is_refused_and_writes_nothing(ctx: Context) -> None:
    setup_registry(ctx)
    record_one(ctx, make_draft(occurred_at=ago(days=2)))
    before = footprint(ctx)
    with pytest.raises(InvalidInput) as caught:
        record(ctx, make_draft(EventKind.CONSENT_REFUSED, corrects="evt_" + "0" * 32))
    assert [e.loc for e in caught.value.errors] == ["events.0.corrects"]
    assert footprint(ctx) == before


# --- 4. consent lifetime --------------------------------------------------------------------


def test_a_consent_past_the_purposes_lifetime_reads_expired(ctx: Context) -> None:
    setup_registry(ctx, lifetime_days=30)
    old_given = ago(days=40)
    old, recent = record(
        ctx,
        make_draft(occurred_at=old_given),
        make_draft(occurred_at=ago(days=10), identifiers=(email(LUIGI),)),
    )
    assert statuses(ctx, old.subject_id) == all_are("expired")
    assert statuses(ctx, recent.subject_id) == all_are("given")
    # Expiry is applied when read: the same state read before its end is still given.
    assert statuses(ctx, old.subject_id, at=ago(days=35)) == all_are("given")
    states = [s for s, _ in subject_consents(ctx, subject_id=old.subject_id)]
    assert {s.expires_at for s in states} == {old_given + timedelta(days=30)}
    assert {s.status.value for s in states} == {"given"}
    assert_verifies(ctx)


def test_a_purpose_without_lifetime_never_expires(ctx: Context) -> None:
    setup_registry(ctx, lifetime_days=None)
    event = record_one(ctx, make_draft(occurred_at=ago(days=HISTORY_DAYS - 1)))
    assert statuses(ctx, event.subject_id, at=utcnow() + timedelta(days=3650)) == all_are("given")


def test_a_withdrawal_does_not_expire(ctx: Context) -> None:
    setup_registry(ctx, lifetime_days=30)
    event = record_one(ctx, make_draft(EventKind.CONSENT_WITHDRAWN, occurred_at=ago(days=40)))
    assert statuses(ctx, event.subject_id) == all_are("withdrawn")


# --- timeline ---------------------------------------------------------------------------------


def test_timeline_lists_a_subjects_events_in_the_order_they_happened(ctx: Context) -> None:
    setup_registry(ctx)
    late, early = record(
        ctx,
        make_draft(EventKind.CONSENT_WITHDRAWN, occurred_at=ago(days=1)),
        make_draft(occurred_at=ago(days=7)),
    )
    record_one(ctx, make_draft(identifiers=(email(LUIGI),)))
    timeline = subject_timeline(ctx, subject_id=late.subject_id)
    assert [e.id for e in timeline] == [early.id, late.id]
