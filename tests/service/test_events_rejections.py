"""Bad input is refused with the field named, and writes nothing: no event, leaf or subject."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import timedelta

import pytest
from tests.factories import add_touchpoint
from tests.factories.events import (
    ENGAGE_TP,
    LUIGI,
    NOTICE,
    OTHER_PURPOSE,
    TP,
    ago,
    email,
    footprint,
    make_draft,
    record,
    record_one,
    setup_registry,
    utcnow,
)

from trustguardian.domain.errors import (
    DomainError,
    IdentifierTaken,
    InvalidInput,
    NotFound,
    TooLarge,
)
from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import Channel, ProofType, text_sha256
from trustguardian.service.collect.evidence import EvidenceTooLargeError, ProofDraft
from trustguardian.service.context import Context
from trustguardian.service.events.recording import MAX_BATCH
from trustguardian.service.events.subjects import find_subject
from trustguardian.service.events.validate import EventDraft
from trustguardian.service.registry import purposes, touchpoints

HTML = "text/html"


def notice_shown(sha256: str, version: int = 1) -> ProofDraft:
    return ProofDraft(ProofType.NOTICE_SHOWN, {"key": NOTICE, "version": version, "sha256": sha256})


def snapshot(content: bytes = b"<form>newsletter</form>") -> ProofDraft:
    return ProofDraft(ProofType.FORM_SNAPSHOT, {"url": "https://shop.example/"}, content, HTML)


def network() -> ProofDraft:
    return ProofDraft(ProofType.NETWORK, {"ip": "203.0.113.7", "user_agent": "Mozilla/5.0"})


def assert_nothing_written(ctx: Context, before: dict[str, int]) -> None:
    assert footprint(ctx) == before
    with pytest.raises(NotFound):
        find_subject(ctx, identifier=email())


BAD_DRAFTS: dict[str, tuple[Callable[[], EventDraft], str]] = {
    "unknown touchpoint": (lambda: make_draft(touchpoint="ghost"), "events.0.touchpoint"),
    "unknown purpose": (lambda: make_draft(purpose="ghost"), "events.0.purpose"),
    "consent without a purpose": (lambda: make_draft(purpose=None), "events.0.purpose"),
    "purpose the touchpoint does not collect": (
        lambda: make_draft(purpose=OTHER_PURPOSE),
        "events.0.purpose",
    ),
    "engage touchpoint recording consent.given": (
        lambda: make_draft(touchpoint=ENGAGE_TP),
        "events.0.kind",
    ),
    "occurred one hour in the future": (
        lambda: make_draft(occurred_at=utcnow() + timedelta(hours=1)),
        "events.0.occurred_at",
    ),
    "no notice version in force when it occurred": (
        lambda: make_draft(occurred_at=ago(days=90)),
        "events.0.notice_version",
    ),
    "unknown notice version": (lambda: make_draft(notice_version=7), "events.0.notice_version"),
    "unknown notice": (lambda: make_draft(notice="ghost"), "events.0.notice"),
    "unknown purpose version": (lambda: make_draft(purpose_version=9), "events.0.purpose_version"),
    "channel the purpose does not cover": (
        lambda: make_draft(channels=(Channel.PHONE,)),
        "events.0.channels",
    ),
    "notice_shown with the wrong sha256": (
        lambda: make_draft(proofs=(notice_shown("0" * 64),)),
        "events.0.proofs.0",
    ),
    "notice_shown of a version that does not exist": (
        lambda: make_draft(proofs=(notice_shown(text_sha256("Informativa v1\n"), version=2),)),
        "events.0.proofs.0",
    ),
    "no identifier and no subject id": (lambda: make_draft(identifiers=()), "events.0.identifiers"),
    "unknown subject id": (
        lambda: make_draft(identifiers=(), subject_id="sub_" + "0" * 32),
        "events.0.subject_id",
    ),
}


def test_each_bad_event_is_refused_naming_the_field_and_writes_nothing(ctx: Context) -> None:
    """One database for all the cases (they write nothing); a failure names the case."""
    setup_registry(ctx)
    before = footprint(ctx)
    named: dict[str, list[str]] = {}
    for case, (build, _) in BAD_DRAFTS.items():
        try:
            record(ctx, build())
        except InvalidInput as exc:
            named[case] = [e.loc for e in exc.errors]
        else:
            named[case] = ["(recorded: not refused)"]
    missing = {case: named[case] for case, (_, loc) in BAD_DRAFTS.items() if loc not in named[case]}
    assert missing == {}
    assert_nothing_written(ctx, before)


def test_every_problem_of_an_event_is_reported_at_once(ctx: Context) -> None:
    setup_registry(ctx)
    with pytest.raises(InvalidInput) as caught:
        record(
            ctx,
            make_draft(
                touchpoint=ENGAGE_TP, purpose="ghost", occurred_at=utcnow() + timedelta(hours=1)
            ),
        )
    locs = {e.loc for e in caught.value.errors}
    assert {"events.0.kind", "events.0.purpose", "events.0.occurred_at"} <= locs


def test_an_event_within_the_clock_skew_is_accepted(ctx: Context) -> None:
    setup_registry(ctx)
    before = footprint(ctx)["ledger_size"]
    event = record_one(ctx, make_draft(occurred_at=utcnow() + timedelta(minutes=4)))
    assert event.seq == before


def test_a_correct_notice_shown_proof_is_accepted(ctx: Context) -> None:
    setup_registry(ctx)
    event = record_one(ctx, make_draft(proofs=(notice_shown(text_sha256("Informativa v1\n")),)))
    assert [p.type for p in event.proofs] == [ProofType.NOTICE_SHOWN]


def test_missing_required_proofs_are_listed_and_nothing_is_written(ctx: Context) -> None:
    setup_registry(ctx, required_proofs=[ProofType.FORM_SNAPSHOT, ProofType.NETWORK])
    before = footprint(ctx)
    with pytest.raises(InvalidInput) as caught:
        record(ctx, make_draft())
    [error] = caught.value.errors
    assert error.loc == "events.0.proofs"
    assert "form_snapshot" in error.msg
    assert "network" in error.msg
    with pytest.raises(InvalidInput) as caught:
        record(ctx, make_draft(proofs=(snapshot(),)))
    [error] = caught.value.errors
    assert "network" in error.msg
    assert "form_snapshot" not in error.msg
    assert_nothing_written(ctx, before)
    event = record_one(ctx, make_draft(proofs=(snapshot(), network())))
    assert {p.type for p in event.proofs} == {ProofType.FORM_SNAPSHOT, ProofType.NETWORK}


def test_evidence_over_the_limit_is_refused_as_too_large_and_writes_nothing(ctx: Context) -> None:
    setup_registry(ctx)
    small = dataclasses.replace(
        ctx, settings=ctx.settings.model_copy(update={"max_evidence_bytes": 1024})
    )
    before = footprint(ctx)
    with pytest.raises(EvidenceTooLargeError) as caught:
        record(small, make_draft(proofs=(network(), snapshot(b"x" * 1025))))
    assert isinstance(caught.value, TooLarge)
    assert caught.value.code == "evidence-too-large"
    assert [e.loc for e in caught.value.errors] == ["events.0.proofs.1"]
    assert_nothing_written(ctx, before)
    event = record_one(small, make_draft(proofs=(snapshot(b"x" * 1024),)))
    assert [p.type for p in event.proofs] == [ProofType.FORM_SNAPSHOT]


def test_a_batch_with_one_bad_event_of_three_records_none(ctx: Context) -> None:
    setup_registry(ctx)
    before = footprint(ctx)
    with pytest.raises(InvalidInput) as caught:
        record(
            ctx,
            make_draft(),
            make_draft(purpose="ghost", identifiers=(email(LUIGI),)),
            make_draft(EventKind.CONSENT_WITHDRAWN),
        )
    assert {e.loc.split(".")[1] for e in caught.value.errors} == {"1"}
    assert_nothing_written(ctx, before)


def test_a_batch_names_every_bad_event(ctx: Context) -> None:
    setup_registry(ctx)
    with pytest.raises(InvalidInput) as caught:
        record(ctx, make_draft(touchpoint="ghost"), make_draft(), make_draft(purpose="ghost"))
    assert [e.loc for e in caught.value.errors] == ["events.0.touchpoint", "events.2.purpose"]
    assert caught.value.detail.startswith("2 event(s)")


BAD_AT_WRITE: dict[str, tuple[Callable[[str], EventDraft], type[DomainError]]] = {
    "correction of an unknown event": (
        lambda _: make_draft(EventKind.CONSENT_REFUSED, corrects="evt_" + "f" * 32),
        InvalidInput,
    ),
    "correction of another subject's event": (
        lambda other: make_draft(EventKind.CONSENT_REFUSED, corrects=other),
        InvalidInput,
    ),
    "evidence too large": (
        lambda _: make_draft(proofs=(snapshot(b"y" * (10 * 1024 * 1024 + 1)),)),
        EvidenceTooLargeError,
    ),
}


@pytest.mark.parametrize("case", list(BAD_AT_WRITE))
def test_a_batch_whose_last_event_fails_while_writing_records_none(ctx: Context, case: str) -> None:
    setup_registry(ctx)
    [luigis] = record(ctx, make_draft(identifiers=(email(LUIGI),), occurred_at=ago(days=1)))
    build, error = BAD_AT_WRITE[case]
    before = footprint(ctx)
    with pytest.raises(error):
        record(
            ctx,
            make_draft(occurred_at=ago(days=2)),
            make_draft(EventKind.CONSENT_WITHDRAWN, identifiers=(email(LUIGI),)),
            build(luigis.id),
        )
    assert_nothing_written(ctx, before)


def test_a_retired_touchpoint_records_nothing(ctx: Context) -> None:
    setup_registry(ctx)
    touchpoints.retire_touchpoint(ctx, key=TP)
    before = footprint(ctx)
    with pytest.raises(InvalidInput) as caught:
        record(ctx, make_draft())
    assert [e.loc for e in caught.value.errors] == ["events.0.touchpoint"]
    assert_nothing_written(ctx, before)


def test_a_retired_purpose_takes_no_new_consent_but_takes_a_withdrawal(ctx: Context) -> None:
    setup_registry(ctx)
    purposes.retire_purpose(ctx, key=OTHER_PURPOSE)
    add_touchpoint(ctx, "web-profiling")
    before = footprint(ctx)
    with pytest.raises(InvalidInput) as caught:
        record(ctx, make_draft(touchpoint="web-profiling", purpose=OTHER_PURPOSE))
    assert [e.loc for e in caught.value.errors] == ["events.0.purpose"]
    assert_nothing_written(ctx, before)
    event = record_one(
        ctx,
        make_draft(EventKind.CONSENT_WITHDRAWN, touchpoint="web-profiling", purpose=OTHER_PURPOSE),
    )
    assert event.purpose == OTHER_PURPOSE


def test_an_empty_or_oversized_batch_is_refused(ctx: Context) -> None:
    setup_registry(ctx)
    before = footprint(ctx)
    with pytest.raises(InvalidInput):
        record(ctx)
    with pytest.raises(InvalidInput):
        record(ctx, *[make_draft()] * (MAX_BATCH + 1))
    assert footprint(ctx) == before


def test_a_key_bound_to_one_touchpoint_cannot_record_for_another(ctx: Context) -> None:
    """`acting` names the touchpoint the caller may act for; another touchpoint is refused."""
    setup_registry(ctx)
    before = footprint(ctx)
    with pytest.raises(InvalidInput) as caught:
        record(ctx, make_draft(), acting=ENGAGE_TP)
    assert [e.loc for e in caught.value.errors] == ["events.0.touchpoint"]
    assert_nothing_written(ctx, before)
    assert record(ctx, make_draft(), acting=TP)[0].touchpoint == TP


def test_identifiers_of_two_different_people_in_one_event_are_refused(ctx: Context) -> None:
    setup_registry(ctx)
    mario = record_one(ctx, make_draft(occurred_at=ago(days=2)))
    luigi = record_one(ctx, make_draft(identifiers=(email(LUIGI),), occurred_at=ago(days=2)))
    before = footprint(ctx)
    with pytest.raises(IdentifierTaken):
        record(ctx, make_draft(EventKind.CONSENT_WITHDRAWN, identifiers=(email(), email(LUIGI))))
    with pytest.raises(IdentifierTaken):
        record(
            ctx,
            make_draft(
                EventKind.CONSENT_WITHDRAWN,
                identifiers=(email(LUIGI),),
                subject_id=mario.subject_id,
            ),
        )
    assert footprint(ctx) == before
    assert luigi.subject_id != mario.subject_id
