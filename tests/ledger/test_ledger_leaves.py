"""Leaves read from their bytes alone: what a monitor accepts, and what it calls personal data."""

from __future__ import annotations

from typing import Any

import pytest

from trustguardian.ledger import Signer, canonical_json_plain
from trustguardian.ledger.leaves import endorsed_key, endorsement_text, personal_data, read_leaf
from trustguardian.ledger.records import RecordLeaf

EVENT: dict[str, Any] = {
    "channels": ["email"], "contact": None, "corrects": None, "data": "d" * 64,
    "id": "evt_0123456789", "identifiers": ["a" * 64], "kind": "consent.given",
    "notice": {"key": "privacy-it", "sha256": "b" * 64, "version": 1},
    "occurred_at": "2026-12-07T14:42:26.123456Z", "proofs": [{"commitment": "c" * 64,
    "type": "notice_shown"}], "purpose": {"key": "newsletter", "version": 1},
    "recorded_at": "2026-12-07T14:42:26.123456Z", "seq": 7, "subject": "sub_20261207123456",
    "touchpoint": "web-newsletter", "v": 1,
}  # fmt: skip


def leaf(**changes: Any) -> bytes:
    return canonical_json_plain({**EVENT, **changes})


def test_a_clean_event_is_read_and_holds_nothing_personal() -> None:
    read = read_leaf(7, leaf())
    assert isinstance(read, dict)
    assert personal_data(read) is None


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (b"not json", "not JSON"),
        (b"[1]", "not a JSON object"),
        (leaf(seq=8), "says it is leaf 8"),
        (leaf(kind="consent.maybe"), "unknown version or kind"),
        (leaf(extra=1), "extra \\['extra'\\]"),
        (leaf().replace(b'{"channels"', b'{ "channels"'), "not written canonically"),
    ],
)
def test_a_malformed_leaf_is_refused_saying_why(raw: bytes, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        read_leaf(7, raw)


def test_dates_hashes_and_keys_are_not_taken_for_phone_numbers() -> None:
    signer = Signer.generate("tg.example")
    note = signer.sign(endorsement_text(signer.verifier_key, signer.name, 12345678))
    content = {
        "register_date": "2026-12-07", "file_sha256": "1234567890" + "a" * 54,
        "verifier_key": signer.verifier_key, "endorsement": note, "from_tree_size": 12345678,
    }  # fmt: skip
    record = RecordLeaf(3, "registry.signing_key.registered", "signing_key", "ab12cd34",
                        content, "2026-12-07T14:42:26.123456Z", "registry")  # fmt: skip
    assert personal_data(read_leaf(3, record.leaf())) is None
    found = endorsed_key(read_leaf(3, record.leaf()))
    assert found is not None
    assert (found.verifier_key, found.from_tree_size) == (signer.verifier_key, 12345678)


def test_a_record_naming_a_person_is_personal_data() -> None:
    content = {"username": "mario.rossi@example.com"}
    record = RecordLeaf(3, "registry.admin_user.created", "admin_user", "u1", content,
                        "2026-12-07T14:42:26Z", "cli")  # fmt: skip
    assert personal_data(read_leaf(3, record.leaf())) == "content.username holds an e-mail address"


@pytest.mark.parametrize("text", ["call +393471234567", "tel. 347 123 4567", "(06) 1234-5678"])
def test_a_telephone_number_in_free_text_is_found(text: str) -> None:
    correction = {"by": "dpo", "reason": text}
    found = personal_data(read_leaf(7, leaf(correction=correction)))
    assert found == "correction.reason holds a telephone number"
