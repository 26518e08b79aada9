"""A registry record's leaf is never read as an event's, nor an event's as a record's."""

from __future__ import annotations

import orjson
import pytest
from tests.factories.events import make_draft

from trustguardian.domain.events import PrivacyEvent
from trustguardian.ledger import canonical_json_plain
from trustguardian.ledger.leaves import ENVELOPE_KEYS
from trustguardian.ledger.records import RECORD_KEYS, RecordLeaf

RECORD = RecordLeaf(
    seq=7,
    kind="registry.notice_version.published",
    object_type="notice_version",
    object_key="privacy-it/2",
    content={"sha256": "ab" * 32, "effective_from": None},
    recorded_at="2026-12-07T12:00:00.000000Z",
    actor="cli",
)


def test_a_record_leaf_reads_back_as_written() -> None:
    leaf = RECORD.leaf()
    assert RecordLeaf.parse(leaf) == RECORD
    assert orjson.loads(leaf)["record"] == "registry/1"


def test_the_two_leaf_formats_share_no_required_field_set() -> None:
    # An event leaf needs `v` and `subject` and never has `record`; a record leaf is the reverse.
    assert {"v", "subject"} <= ENVELOPE_KEYS
    assert not {"v", "subject"} & RECORD_KEYS
    assert "record" in RECORD_KEYS
    assert "record" not in ENVELOPE_KEYS


def test_an_event_leaf_is_not_a_record() -> None:
    draft = make_draft()
    event = PrivacyEvent(
        id="evt_1", seq=0, kind=draft.kind, touchpoint="tp", subject_id="sub_1",
        identifiers=(), purpose="p", purpose_version=1, channels=(), notice=None,
        notice_version=None, notice_sha256=None, occurred_at=draft.occurred_at,
        recorded_at=draft.occurred_at, corrects=None, proofs=(), data_commitment=None,
        campaign=None, check_id=None,
    )  # fmt: skip
    with pytest.raises(ValueError, match="fields"):
        RecordLeaf.parse(canonical_json_plain(event.envelope()))


@pytest.mark.parametrize(
    "change",
    [
        {"record": "registry/2"},
        {"seq": "7"},
        {"kind": "consent.given"},
        {"v": 1},
        {"object": {"key": "k"}},
        {"content": [1]},
    ],
)
def test_a_malformed_record_leaf_is_refused(change: dict[str, object]) -> None:
    parsed = orjson.loads(RECORD.leaf())
    parsed.update(change)
    with pytest.raises(ValueError, match=r"record|malformed|fields|starts with"):
        RecordLeaf.parse(canonical_json_plain(parsed))


def test_a_record_leaf_must_be_canonical() -> None:
    spaced = RECORD.leaf().replace(b":", b": ", 1)
    with pytest.raises(ValueError, match="canonically"):
        RecordLeaf.parse(spaced)
