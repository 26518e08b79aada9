"""blind_identifier and blinder."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trustguardian.vault import (
    PURPOSE_BLIND_INDEX,
    MasterKey,
    blind_identifier,
    blinder,
    derive_key,
)

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


@settings(max_examples=300)
@given(
    key=st.binary(min_size=32, max_size=200),
    kind=st.text(min_size=1, max_size=12).filter(lambda k: "\x00" not in k),
    value=st.text(min_size=1, max_size=300),
)
def test_is_hmac_sha256_for_any_key_and_value(key: bytes, kind: str, value: str) -> None:
    # Keys longer than SHA-256's block are hashed first, as RFC 2104 says; both paths agree.
    expected = hmac.digest(key, (kind + "\x00" + value).encode(), "sha256").hex()
    assert blind_identifier(key, kind, value) == expected
    assert blinder(key, kind)(value) == expected


def test_blinder_refuses_what_blind_identifier_refuses() -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        blinder(bytes(16), "email")
    with pytest.raises(ValueError, match="normalised_value"):
        blinder(KEY, "email")("")
