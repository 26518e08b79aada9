"""Salted commitments."""

from __future__ import annotations

import hashlib

import pytest

from trustguardian.vault import Random, commitment, new_salt, verify_commitment


def test_known_vector() -> None:
    salt = bytes(32)
    assert commitment(salt, b"evidence") == hashlib.sha256(salt + b"evidence").hexdigest()
    assert commitment(salt, b"evidence") == (
        "516de380e2c5e733f9ffe5a298abea182d15de7ffa007e3901357ecf68f4ab19"
    )


def test_verifies(rng: Random) -> None:
    salt = new_salt(rng)
    assert len(salt) == 32
    assert verify_commitment(salt, b"signed form", commitment(salt, b"signed form"))


def test_fails_on_changed_salt(rng: Random) -> None:
    salt = new_salt(rng)
    digest = commitment(salt, b"signed form")
    changed = bytes([salt[0] ^ 1]) + salt[1:]
    assert not verify_commitment(changed, b"signed form", digest)
    assert not verify_commitment(new_salt(rng), b"signed form", digest)


def test_fails_on_changed_content(rng: Random) -> None:
    salt = new_salt(rng)
    digest = commitment(salt, b"signed form")
    assert not verify_commitment(salt, b"signed form.", digest)
    assert not verify_commitment(salt, b"", digest)


def test_fails_on_malformed_commitment(rng: Random) -> None:
    salt = new_salt(rng)
    digest = commitment(salt, b"x")
    for bad in ("", digest[:-1], digest + "0", digest.upper(), "é" * 64):
        assert not verify_commitment(salt, b"x", bad)


def test_fresh_salts_hide_equal_content(rng: Random) -> None:
    assert commitment(new_salt(rng), b"same") != commitment(new_salt(rng), b"same")


def test_salt_must_be_32_bytes() -> None:
    with pytest.raises(ValueError, match="salt must be 32 bytes"):
        commitment(bytes(31), b"x")
    assert not verify_commitment(bytes(31), b"x", commitment(bytes(32), b"x"))
