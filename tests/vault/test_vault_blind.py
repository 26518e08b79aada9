"""blind_identifier."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from trustguardian.vault import PURPOSE_BLIND_INDEX, MasterKey, blind_identifier, derive_key

KEY = bytes(range(32))


def test_known_vector() -> None:
    expected = hmac.new(KEY, b"email\x00alice@example.com", hashlib.sha256).hexdigest()
    assert expected == "c89de65dbbe2070217a4f4e9ffec5f85cfa15653f1bfd31285e9ce87175633b4"
    assert blind_identifier(KEY, "email", "alice@example.com") == expected


def test_stable() -> None:
    assert blind_identifier(KEY, "phone", "+447700900123") == blind_identifier(
        KEY, "phone", "+447700900123"
    )


def test_differs_by_kind() -> None:
    assert blind_identifier(KEY, "email", "x@example.com") != blind_identifier(
        KEY, "external_id", "x@example.com"
    )


def test_kind_and_value_boundary_is_unambiguous() -> None:
    assert blind_identifier(KEY, "ab", "c") != blind_identifier(KEY, "a", "bc")


def test_differs_by_key() -> None:
    other = bytes(range(1, 33))
    assert blind_identifier(KEY, "email", "a@example.com") != blind_identifier(
        other, "email", "a@example.com"
    )


def test_is_not_a_plain_hash() -> None:
    value = "a@example.com"
    plain = {
        hashlib.sha256(value.encode()).hexdigest(),
        hashlib.sha256(b"email\x00" + value.encode()).hexdigest(),
    }
    assert blind_identifier(KEY, "email", value) not in plain


def test_works_with_the_derived_blind_index_key() -> None:
    blind_key = derive_key(MasterKey(KEY), PURPOSE_BLIND_INDEX)
    digest = blind_identifier(blind_key, "email", "a@example.com")
    assert len(digest) == 64
    assert digest == digest.lower()


@pytest.mark.parametrize(
    ("key", "kind", "value", "message"),
    [
        (bytes(16), "email", "a", "at least 32 bytes"),
        (KEY, "", "a", "kind"),
        (KEY, "em\x00ail", "a", "kind"),
        (KEY, "email", "", "normalised_value"),
    ],
)
def test_rejects_bad_inputs(key: bytes, kind: str, value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        blind_identifier(key, kind, value)
