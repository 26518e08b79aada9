"""Master key text form, data key wrapping and key derivation."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

import pytest

from trustguardian.vault import (
    PURPOSE_BLIND_INDEX,
    MasterKey,
    Random,
    VaultError,
    derive_key,
    new_data_key,
    unwrap_data_key,
    wrap_data_key,
)

KEY = bytes(range(32))
KEY_TEXT = "tgmk1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"


def _hkdf_sha256(ikm: bytes, info: bytes) -> bytes:
    """RFC 5869 HKDF with an empty salt and a one-block output, written out by hand."""
    prk = hmac.new(b"\x00" * 32, ikm, hashlib.sha256).digest()
    return hmac.new(prk, info + b"\x01", hashlib.sha256).digest()


# --- MasterKey -----------------------------------------------------------------------------


def test_master_key_formats_and_parses() -> None:
    key = MasterKey(KEY)
    assert key.format() == KEY_TEXT
    assert MasterKey.parse(KEY_TEXT) == key
    assert MasterKey.parse(f"  {KEY_TEXT}\n") == key


def test_generated_master_key_round_trips(rng: Random) -> None:
    key = MasterKey.generate(rng)
    assert len(key.key) == 32
    assert MasterKey.parse(key.format()) == key


def test_key_id_is_first_8_hex_chars_of_domain_separated_sha256() -> None:
    key = MasterKey(KEY)
    assert key.key_id == hashlib.sha256(b"tg-master-key-id" + KEY).hexdigest()[:8]
    assert key.key_id == "60ec87d8"
    assert key.key_id_bytes == bytes.fromhex("60ec87d8")


def test_repr_does_not_leak_the_key() -> None:
    text = repr(MasterKey(KEY))
    assert "60ec87d8" in text
    assert KEY_TEXT[6:] not in text
    assert repr(KEY) not in text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "must start with 'tgmk1:'"),
        (KEY_TEXT.replace("tgmk1:", "tgmk2:"), "must start with 'tgmk1:'"),
        (KEY_TEXT.replace("tgmk1:", "TGMK1:"), "must start with 'tgmk1:'"),
        (KEY_TEXT[6:], "must start with 'tgmk1:'"),
        (KEY_TEXT + "=", "without '=' padding"),
        (KEY_TEXT[:-1], "got 42 characters"),
        (KEY_TEXT + "AA", "got 45 characters"),
        ("tgmk1:", "got 0 characters"),
        (KEY_TEXT[:-1] + "+", "outside the base64url alphabet"),
        (KEY_TEXT[:-1] + "/", "outside the base64url alphabet"),
        (KEY_TEXT[:20] + " " + KEY_TEXT[21:], "outside the base64url alphabet"),
        (KEY_TEXT[:-1] + "B", "not canonical"),  # non-zero trailing bits
    ],
)
def test_master_key_parse_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MasterKey.parse(text)


def test_parse_error_does_not_echo_key_material() -> None:
    with pytest.raises(ValueError, match="got 42 characters") as info:
        MasterKey.parse(KEY_TEXT[:-1])
    assert KEY_TEXT[6:-1] not in str(info.value)


@pytest.mark.parametrize("size", [0, 16, 31, 33, 64])
def test_master_key_rejects_wrong_length(size: int) -> None:
    with pytest.raises(ValueError, match="master key must be 32 bytes"):
        MasterKey(bytes(size))


# --- derive_key ----------------------------------------------------------------------------


def test_derive_key_is_hkdf_sha256_with_prefixed_info() -> None:
    derived = derive_key(MasterKey(KEY), PURPOSE_BLIND_INDEX)
    assert derived == _hkdf_sha256(KEY, b"trustguardian/blind-index/v1")
    assert derived.hex() == "da530e53462ab428584b52bb92daf87acd992004ca7ead1a45f2aeffe7d3c745"


def test_derive_key_separates_purposes_and_masters(rng: Random) -> None:
    master = MasterKey(KEY)
    assert derive_key(master, "a") == derive_key(master, "a")
    assert derive_key(master, "a") != derive_key(master, "b")
    assert derive_key(master, "a") != derive_key(MasterKey.generate(rng), "a")
    assert len(derive_key(master, "a")) == 32


def test_derive_key_rejects_empty_purpose() -> None:
    with pytest.raises(ValueError, match="purpose"):
        derive_key(MasterKey(KEY), "")


# --- data keys -----------------------------------------------------------------------------


def test_new_data_key_is_32_bytes_from_the_rng(make_rng: Callable[[bytes], Random]) -> None:
    assert new_data_key(make_rng(b"s")) == new_data_key(make_rng(b"s"))
    assert len(new_data_key(make_rng(b"s"))) == 32


def test_wrap_unwrap_round_trip(rng: Random) -> None:
    master = MasterKey.generate(rng)
    data_key = new_data_key(rng)
    wrapped = wrap_data_key(master, "subject-1", data_key, rng)
    assert unwrap_data_key(master, "subject-1", wrapped) == data_key


def test_wrapped_layout(rng: Random) -> None:
    master = MasterKey(KEY)
    wrapped = wrap_data_key(master, "subject-1", new_data_key(rng), rng)
    assert len(wrapped) == 1 + 4 + 12 + 32 + 16
    assert wrapped[0] == 0x01
    assert wrapped[1:5] == master.key_id_bytes


def test_wrapping_uses_a_fresh_nonce(rng: Random) -> None:
    master = MasterKey(KEY)
    data_key = new_data_key(rng)
    first = wrap_data_key(master, "s", data_key, rng)
    second = wrap_data_key(master, "s", data_key, rng)
    assert first[5:17] != second[5:17]
    assert first != second


def test_unwrap_with_wrong_master_key_fails(rng: Random) -> None:
    wrapped = wrap_data_key(MasterKey(KEY), "s", new_data_key(rng), rng)
    with pytest.raises(VaultError, match="wrapped under master key 60ec87d8"):
        unwrap_data_key(MasterKey.generate(rng), "s", wrapped)


def test_unwrap_with_wrong_master_key_but_same_key_id_fails(rng: Random) -> None:
    """Even a forged key id cannot make a different master key unwrap the blob."""
    other = MasterKey.generate(rng)
    wrapped = wrap_data_key(MasterKey(KEY), "s", new_data_key(rng), rng)
    relabelled = wrapped[:1] + other.key_id_bytes + wrapped[5:]
    with pytest.raises(VaultError, match="failed authentication"):
        unwrap_data_key(other, "s", relabelled)


def test_wrapped_key_moved_to_another_subject_fails(rng: Random) -> None:
    master = MasterKey(KEY)
    wrapped = wrap_data_key(master, "subject-1", new_data_key(rng), rng)
    with pytest.raises(VaultError, match="failed authentication"):
        unwrap_data_key(master, "subject-2", wrapped)


def test_every_tampered_byte_of_a_wrapped_key_is_detected(rng: Random) -> None:
    master = MasterKey(KEY)
    wrapped = wrap_data_key(master, "s", new_data_key(rng), rng)
    for position in range(len(wrapped)):
        for flip in (0x01, 0x80):
            tampered = bytearray(wrapped)
            tampered[position] ^= flip
            with pytest.raises(VaultError):
                unwrap_data_key(master, "s", bytes(tampered))


@pytest.mark.parametrize("cut", [0, 1, 5, 17, 64])
def test_truncated_wrapped_key_fails(rng: Random, cut: int) -> None:
    master = MasterKey(KEY)
    wrapped = wrap_data_key(master, "s", new_data_key(rng), rng)
    with pytest.raises(VaultError, match="must be 65 bytes"):
        unwrap_data_key(master, "s", wrapped[:cut])
    with pytest.raises(VaultError, match="must be 65 bytes"):
        unwrap_data_key(master, "s", wrapped + b"\x00")


def test_wrap_rejects_bad_inputs(rng: Random) -> None:
    master = MasterKey(KEY)
    with pytest.raises(ValueError, match="data key must be 32 bytes"):
        wrap_data_key(master, "s", bytes(16), rng)
    with pytest.raises(ValueError, match="subject_id"):
        wrap_data_key(master, "", new_data_key(rng), rng)


def test_rng_returning_short_output_is_refused() -> None:
    class ShortRandom:
        def token_bytes(self, n: int) -> bytes:
            return bytes(n - 1)

    with pytest.raises(ValueError, match="returned 31 bytes, expected 32"):
        new_data_key(ShortRandom())
