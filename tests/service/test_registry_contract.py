"""The registry's storage contract, run on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.factories import add_notice, add_purpose, add_touchpoint, draft, purpose_content

from trustguardian.domain.errors import AlreadyExists, Conflict, Immutable, InvalidInput, NotFound
from trustguardian.domain.registry import (
    Channel,
    LegalBasis,
    ProofType,
    TouchpointStatus,
    text_sha256,
)
from trustguardian.service.context import Context
from trustguardian.service.registry import notices, purposes, touchpoints
from trustguardian.service.registry.touchpoints import TouchpointPatch


def test_touchpoint_round_trips_every_field(ctx: Context) -> None:
    add_purpose(ctx)
    add_notice(ctx)
    created = touchpoints.create_touchpoint(
        ctx,
        draft=draft(
            owner="Marketing",
            systems=["crm", "esp"],
            purposes=["newsletter"],
            notice_key="privacy-it",
            required_proofs=[ProofType.FORM_SNAPSHOT, ProofType.NETWORK],
            description="Footer form",
        ),
    )
    loaded = touchpoints.get_touchpoint(ctx, key="web-newsletter")
    assert loaded == created
    assert loaded.status is TouchpointStatus.CENSUSED
    assert loaded.created_at.tzinfo is not None


def test_duplicate_touchpoint_key_is_refused_and_first_kept(ctx: Context) -> None:
    add_touchpoint(ctx, name="First")
    with pytest.raises(AlreadyExists):
        add_touchpoint(ctx, name="Second")
    assert touchpoints.get_touchpoint(ctx, key="web-newsletter").name == "First"


def test_touchpoint_with_unknown_purpose_writes_nothing(ctx: Context) -> None:
    with pytest.raises(InvalidInput) as caught:
        add_touchpoint(ctx, purposes=["ghost"])
    assert "ghost" in caught.value.errors[0].msg
    assert touchpoints.list_touchpoints(ctx).items == []


def test_touchpoint_pages_follow_the_cursor(ctx: Context) -> None:
    keys = [f"tp-{n:02d}" for n in range(7)]
    for key in reversed(keys):
        add_touchpoint(ctx, key)
    seen: list[str] = []
    cursor = None
    while True:
        page = touchpoints.list_touchpoints(ctx, cursor=cursor, limit=3)
        seen.extend(tp.key for tp in page.items)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == keys


def test_touchpoint_update_and_lifecycle(ctx: Context) -> None:
    add_purpose(ctx)
    add_touchpoint(ctx)
    updated = touchpoints.update_touchpoint(
        ctx,
        key="web-newsletter",
        patch=TouchpointPatch(purposes=["newsletter"], status=TouchpointStatus.EXAMINED),
    )
    assert updated.purposes == ("newsletter",)
    assert updated.status is TouchpointStatus.EXAMINED
    touchpoints.retire_touchpoint(ctx, key="web-newsletter")
    with pytest.raises(Conflict):
        touchpoints.update_touchpoint(
            ctx, key="web-newsletter", patch=TouchpointPatch(status=TouchpointStatus.CENSUSED)
        )
    assert touchpoints.get_touchpoint(ctx, key="web-newsletter").status is TouchpointStatus.RETIRED


def test_retired_touchpoint_cannot_change(ctx: Context) -> None:
    add_touchpoint(ctx)
    touchpoints.retire_touchpoint(ctx, key="web-newsletter")
    with pytest.raises(Conflict):
        touchpoints.update_touchpoint(
            ctx, key="web-newsletter", patch=TouchpointPatch(name="Renamed")
        )
    assert touchpoints.get_touchpoint(ctx, key="web-newsletter").name == "Newsletter form"


def test_purpose_revision_keeps_every_version(ctx: Context) -> None:
    add_purpose(ctx)
    revised = purposes.revise_purpose(
        ctx, key="newsletter", content=purpose_content(legal_basis=LegalBasis.LEGITIMATE_INTEREST)
    )
    assert revised.current.version == 2
    same = purposes.revise_purpose(
        ctx, key="newsletter", content=purpose_content(legal_basis=LegalBasis.LEGITIMATE_INTEREST)
    )
    assert same.current.version == 2
    versions = purposes.purpose_versions(ctx, key="newsletter")
    assert [v.content.legal_basis for v in versions] == [
        LegalBasis.CONSENT,
        LegalBasis.LEGITIMATE_INTEREST,
    ]
    assert purposes.purpose_version(ctx, key="newsletter", version=1).content == purpose_content()
    assert versions[0].content.legal_basis.dpv == "https://w3id.org/dpv#Consent"


def test_purpose_without_channels_is_refused(ctx: Context) -> None:
    with pytest.raises(InvalidInput):
        add_purpose(ctx, channels=())
    with pytest.raises(NotFound):
        purposes.get_purpose(ctx, key="newsletter")


def test_notice_versions_keep_their_exact_bytes_and_hash(ctx: Context) -> None:
    first = "Informativa\r\nTitolare: Bottega Rossi — città di Milano ✓\n\n"
    add_notice(ctx, text=first)
    notices.add_notice_version(ctx, key="privacy-it", text="Informativa v2\n")
    v1 = notices.notice_version(ctx, key="privacy-it", version=1)
    assert v1.text == first
    assert v1.sha256 == text_sha256(first)
    assert notices.notice_version(ctx, key="privacy-it", version=2).text == "Informativa v2\n"


def test_published_notice_version_is_immutable(ctx: Context) -> None:
    add_notice(ctx)
    with pytest.raises(Immutable):
        notices.update_notice_draft(ctx, key="privacy-it", version=1, text="Rewritten history")
    assert notices.notice_version(ctx, key="privacy-it", version=1).text == "Informativa v1\n"


def test_notice_draft_can_change_until_published(ctx: Context) -> None:
    add_notice(ctx)
    notices.add_notice_version(ctx, key="privacy-it", text="Draft\n", publish=False)
    notices.update_notice_draft(ctx, key="privacy-it", version=2, text="Draft, reviewed\n")
    published = notices.publish_notice_version(ctx, key="privacy-it", version=2)
    assert published.text == "Draft, reviewed\n"
    with pytest.raises(Immutable):
        notices.update_notice_draft(ctx, key="privacy-it", version=2, text="Too late\n")


def test_version_in_force_is_resolved_for_any_instant(ctx: Context) -> None:
    add_notice(ctx)
    start = notices.notice_version(ctx, key="privacy-it", version=1).effective_from
    notices.add_notice_version(
        ctx, key="privacy-it", text="v2\n", effective_from=start + timedelta(days=30)
    )
    assert notices.notice_in_force(ctx, key="privacy-it", at=start + timedelta(days=1)).version == 1
    assert (
        notices.notice_in_force(ctx, key="privacy-it", at=start + timedelta(days=31)).version == 2
    )
    with pytest.raises(NotFound):
        notices.notice_in_force(ctx, key="privacy-it", at=start - timedelta(days=1))


def test_back_dated_notice_version_is_refused(ctx: Context) -> None:
    add_notice(ctx)
    past = ctx.clock.now() - timedelta(days=10)
    with pytest.raises(InvalidInput):
        notices.add_notice_version(ctx, key="privacy-it", text="v2\n", effective_from=past)
    assert len(notices.get_notice(ctx, key="privacy-it")[1]) == 1


def test_purpose_channels_round_trip_in_order(ctx: Context) -> None:
    add_purpose(ctx, channels=(Channel.SMS, Channel.EMAIL))
    assert purposes.get_purpose(ctx, key="newsletter").current.content.channels == (
        Channel.SMS,
        Channel.EMAIL,
    )
