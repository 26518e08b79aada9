"""Touchpoints, purposes and notices: what is written reads back equal, pages follow the key,
and a second record under a taken key is refused by the database."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from trustguardian.domain.registry import Channel, RecordStatus
from trustguardian.service.context import Context

from .records import T0, notice, notice_version, purpose_version, touchpoint


def test_a_touchpoint_reads_back_as_written(store: Context) -> None:
    written = touchpoint("shop-form")
    with store.uow() as uow:
        uow.purposes.add(purpose_version("newsletter"))
        uow.purposes.add(purpose_version("profiling"))
        uow.touchpoints.add(dataclasses.replace(written, purposes=("profiling", "newsletter")))
        uow.commit()
    with store.uow(write=False) as uow:
        read = uow.touchpoints.get("shop-form")
    assert read == dataclasses.replace(written, purposes=("profiling", "newsletter"))
    assert read is not None
    assert read.created_at.tzinfo is not None


def test_a_saved_touchpoint_reads_back_changed(store: Context) -> None:
    with store.uow() as uow:
        uow.purposes.add(purpose_version("newsletter"))
        uow.purposes.add(purpose_version("profiling"))
        uow.touchpoints.add(touchpoint("shop-form", "newsletter", "profiling"))
        uow.commit()
    changed = dataclasses.replace(
        touchpoint("shop-form", "profiling"),
        name="Renamed",
        systems=(),
        updated_at=T0 + timedelta(days=1),
    )
    with store.uow() as uow:
        uow.touchpoints.save(changed)
        uow.commit()
    with store.uow(write=False) as uow:
        assert uow.touchpoints.get("shop-form") == changed
        assert uow.touchpoints.get("absent") is None


def test_purpose_versions_read_back_in_version_order(store: Context) -> None:
    first = purpose_version("newsletter", 1)
    second = purpose_version(
        "newsletter", 2, at=T0 + timedelta(hours=1), channels=(Channel.EMAIL,), marketing=False
    )
    with store.uow() as uow:
        uow.purposes.add(first)
        uow.purposes.add_version(second)
        uow.commit()
    with store.uow(write=False) as uow:
        assert uow.purposes.versions("newsletter") == [first, second]
        assert uow.purposes.version("newsletter", 1) == first
        purpose = uow.purposes.get("newsletter")
        assert purpose is not None
        assert purpose.current == second
        assert purpose.status is RecordStatus.ACTIVE
        assert uow.purposes.existing_keys(["newsletter", "ghost"]) == {"newsletter"}


def test_notice_versions_keep_their_text_byte_for_byte(store: Context) -> None:
    text = "Informativa\r\nTitolare — Milano ✓\n\ttabulata  \n"
    draft = notice_version("privacy-it", 2, "bozza\n", published=False)
    with store.uow() as uow:
        uow.notices.add(notice("privacy-it"))
        uow.notices.add_version(notice_version("privacy-it", 1, text, published=True))
        uow.notices.add_version(draft)
        uow.commit()
    with store.uow(write=False) as uow:
        assert uow.notices.get("privacy-it") == notice("privacy-it")
        assert uow.notices.versions("privacy-it") == [
            notice_version("privacy-it", 1, text, published=True),
            draft,
        ]
        assert uow.notices.last_version_number("privacy-it") == 2
        assert uow.notices.last_version_number("absent") == 0


def test_only_a_draft_notice_version_can_be_replaced(store: Context) -> None:
    with store.uow() as uow:
        uow.notices.add(notice("privacy-it"))
        uow.notices.add_version(notice_version("privacy-it", 1, "v1\n", published=True))
        uow.notices.add_version(notice_version("privacy-it", 2, "bozza\n", published=False))
        uow.commit()
    with store.uow() as uow:
        assert uow.notices.replace_draft(notice_version("privacy-it", 2, "v2\n", published=True))
        assert not uow.notices.replace_draft(
            notice_version("privacy-it", 1, "changed\n", published=True)
        )
        uow.commit()
    with store.uow(write=False) as uow:
        assert [v.text for v in uow.notices.versions("privacy-it")] == ["v1\n", "v2\n"]


def test_pages_follow_the_key_after_the_cursor(store: Context) -> None:
    keys = ["delta", "alpha", "charlie10", "bravo", "charlie2", "echo"]
    with store.uow() as uow:
        for key in keys:
            uow.touchpoints.add(touchpoint(key))
            uow.purposes.add(purpose_version(key))
            uow.notices.add(notice(key))
        uow.commit()
    with store.uow(write=False) as uow:
        for page in (uow.touchpoints.page, uow.purposes.page, uow.notices.page):
            seen: list[str] = []
            after = None
            while batch := page(after=after, limit=4):
                seen += [item.key for item in batch]
                after = batch[-1].key
            assert seen == sorted(keys)
            assert [item.key for item in page(after="bravo", limit=2)] == ["charlie10", "charlie2"]


@pytest.mark.parametrize("what", ["touchpoint", "purpose", "purpose version", "notice"])
def test_a_taken_key_is_refused_and_nothing_of_the_transaction_is_kept(
    store: Context, what: str
) -> None:
    with store.uow() as uow:
        uow.touchpoints.add(touchpoint("shop-form"))
        uow.purposes.add(purpose_version("newsletter"))
        uow.notices.add(notice("privacy-it"))
        uow.commit()
    again = {
        "touchpoint": lambda uow: uow.touchpoints.add(touchpoint("shop-form")),
        "purpose": lambda uow: uow.purposes.add(purpose_version("newsletter", 2)),
        "purpose version": lambda uow: uow.purposes.add_version(purpose_version("newsletter")),
        "notice": lambda uow: uow.notices.add(notice("privacy-it")),
    }[what]
    with store.uow() as uow:
        uow.touchpoints.add(touchpoint("written-first"))
        with pytest.raises(IntegrityError):
            again(uow)
    with store.uow(write=False) as uow:
        assert uow.touchpoints.get("written-first") is None
        assert [v.version for v in uow.purposes.versions("newsletter")] == [1]
