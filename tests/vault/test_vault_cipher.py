"""seal / open_sealed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trustguardian.vault import Random, VaultError, new_data_key, open_sealed, seal

AAD = b"subjects/42/email"


def test_round_trip(rng: Random) -> None:
    key = new_data_key(rng)
    sealed = seal(key, b"alice@example.com", AAD, rng)
    assert open_sealed(key, sealed, AAD) == b"alice@example.com"


def test_empty_plaintext_and_aad(rng: Random) -> None:
    key = new_data_key(rng)
    assert open_sealed(key, seal(key, b"", b"", rng), b"") == b""


def test_layout_and_fresh_nonces(rng: Random) -> None:
    key = new_data_key(rng)
    first = seal(key, b"hello", AAD, rng)
    second = seal(key, b"hello", AAD, rng)
    assert len(first) == 1 + 12 + 5 + 16
    assert first[0] == 0x01
    assert first[1:13] != second[1:13]
    assert b"hello" not in first


def test_wrong_key_fails(rng: Random) -> None:
    sealed = seal(new_data_key(rng), b"secret", AAD, rng)
    with pytest.raises(VaultError, match="failed authentication"):
        open_sealed(new_data_key(rng), sealed, AAD)


def test_wrong_aad_fails(rng: Random) -> None:
    key = new_data_key(rng)
    sealed = seal(key, b"secret", AAD, rng)
    for aad in (b"subjects/43/email", b"", AAD + b"\x00", AAD[:-1]):
        with pytest.raises(VaultError, match="failed authentication"):
            open_sealed(key, sealed, aad)


def test_every_tampered_byte_is_detected(rng: Random) -> None:
    key = new_data_key(rng)
    sealed = seal(key, b"small secret", AAD, rng)
    for position in range(len(sealed)):
        for flip in (0x01, 0x80):
            tampered = bytearray(sealed)
            tampered[position] ^= flip
            with pytest.raises(VaultError):
                open_sealed(key, bytes(tampered), AAD)


def test_truncation_and_extension_are_detected(rng: Random) -> None:
    key = new_data_key(rng)
    sealed = seal(key, b"secret", AAD, rng)
    for cut in range(len(sealed)):
        with pytest.raises(VaultError):
            open_sealed(key, sealed[:cut], AAD)
    with pytest.raises(VaultError):
        open_sealed(key, sealed + b"\x00", AAD)


def test_wrong_key_length_is_a_programming_error(rng: Random) -> None:
    with pytest.raises(ValueError, match="key must be 32 bytes"):
        seal(bytes(16), b"x", AAD, rng)
    with pytest.raises(ValueError, match="key must be 32 bytes"):
        open_sealed(bytes(16), seal(new_data_key(rng), b"x", AAD, rng), AAD)


@given(plaintext=st.binary(max_size=4096), aad=st.binary(max_size=256), seed=st.binary())
def test_round_trip_property(
    make_rng: Callable[[bytes], Random], plaintext: bytes, aad: bytes, seed: bytes
) -> None:
    rng = make_rng(seed)
    key = new_data_key(rng)
    sealed = seal(key, plaintext, aad, rng)
    assert open_sealed(key, sealed, aad) == plaintext
    assert len(sealed) == 1 + 12 + len(plaintext) + 16
