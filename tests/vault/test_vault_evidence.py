"""Encrypted, content-addressed evidence."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import pickle

import pytest

from trustguardian.vault import (
    EvidenceBlob,
    EvidenceTooLarge,
    Random,
    VaultError,
    new_data_key,
    open_evidence,
    seal_evidence,
)

PNG = "image/png"
LIMIT = 1024


def test_round_trip(rng: Random) -> None:
    key = new_data_key(rng)
    blob = seal_evidence(key, "subject-1", b"\x89PNG...", PNG, rng, LIMIT)
    assert blob.size == len(b"\x89PNG...")
    assert blob.media_type == PNG
    assert open_evidence(key, "subject-1", blob) == b"\x89PNG..."


def test_address_is_hmac_of_content_under_the_data_key(rng: Random) -> None:
    key = new_data_key(rng)
    blob = seal_evidence(key, "s", b"content", PNG, rng, LIMIT)
    assert blob.address == hmac.new(key, b"content", hashlib.sha256).hexdigest()
    assert blob.address != hashlib.sha256(b"content").hexdigest()


def test_same_content_same_address_but_distinct_ciphertext(rng: Random) -> None:
    key = new_data_key(rng)
    first = seal_evidence(key, "s", b"content", PNG, rng, LIMIT)
    second = seal_evidence(key, "s", b"content", PNG, rng, LIMIT)
    assert first.address == second.address
    assert first.sealed != second.sealed
    other_subject_key = new_data_key(rng)
    assert seal_evidence(other_subject_key, "t", b"content", PNG, rng, LIMIT).address != (
        first.address
    )


def test_size_limit(rng: Random) -> None:
    key = new_data_key(rng)
    assert seal_evidence(key, "s", bytes(LIMIT), PNG, rng, LIMIT).size == LIMIT
    with pytest.raises(EvidenceTooLarge) as info:
        seal_evidence(key, "s", bytes(LIMIT + 1), PNG, rng, LIMIT)
    assert info.value.size == LIMIT + 1
    assert info.value.limit == LIMIT
    assert isinstance(info.value, VaultError)
    assert str(info.value) == "evidence is 1025 bytes, above the limit of 1024 bytes"


def test_exceptions_pickle() -> None:
    error = pickle.loads(pickle.dumps(EvidenceTooLarge(5, 4)))  # noqa: S301 - own object
    assert (error.size, error.limit) == (5, 4)


def test_empty_evidence_is_allowed(rng: Random) -> None:
    key = new_data_key(rng)
    blob = seal_evidence(key, "s", b"", PNG, rng, 0)
    assert open_evidence(key, "s", blob) == b""


def test_wrong_subject_fails(rng: Random) -> None:
    key = new_data_key(rng)
    blob = seal_evidence(key, "subject-1", b"content", PNG, rng, LIMIT)
    with pytest.raises(VaultError):
        open_evidence(key, "subject-2", blob)


def test_wrong_key_fails(rng: Random) -> None:
    blob = seal_evidence(new_data_key(rng), "s", b"content", PNG, rng, LIMIT)
    with pytest.raises(VaultError):
        open_evidence(new_data_key(rng), "s", blob)


@pytest.mark.parametrize(
    "change",
    [
        {"media_type": "text/html"},
        {"address": "0" * 64},
        {"address": "é"},
        {"size": 6},
        {"size": 8},
    ],
)
def test_relabelled_blob_fails(rng: Random, change: dict[str, object]) -> None:
    key = new_data_key(rng)
    blob = seal_evidence(key, "s", b"content", PNG, rng, LIMIT)
    with pytest.raises(VaultError):
        open_evidence(key, "s", dataclasses.replace(blob, **change))  # type: ignore[arg-type]


def test_blob_moved_under_another_address_fails(rng: Random) -> None:
    key = new_data_key(rng)
    first = seal_evidence(key, "s", b"content A", PNG, rng, LIMIT)
    second = seal_evidence(key, "s", b"content B", PNG, rng, LIMIT)
    with pytest.raises(VaultError):
        open_evidence(key, "s", dataclasses.replace(first, sealed=second.sealed))


def test_every_tampered_byte_is_detected(rng: Random) -> None:
    key = new_data_key(rng)
    blob = seal_evidence(key, "s", b"tiny", PNG, rng, LIMIT)
    for position in range(len(blob.sealed)):
        tampered = bytearray(blob.sealed)
        tampered[position] ^= 0x01
        with pytest.raises(VaultError):
            open_evidence(key, "s", dataclasses.replace(blob, sealed=bytes(tampered)))


def test_blob_is_frozen_and_repr_omits_ciphertext(rng: Random) -> None:
    blob = seal_evidence(new_data_key(rng), "s", b"content", PNG, rng, LIMIT)
    with pytest.raises(dataclasses.FrozenInstanceError):
        blob.size = 0  # type: ignore[misc]
    assert "sealed" not in repr(blob)
    assert isinstance(blob, EvidenceBlob)


@pytest.mark.parametrize("media_type", ["", "png", "image/png\r\nX: y", "image/pñg"])
def test_rejects_bad_media_type(rng: Random, media_type: str) -> None:
    with pytest.raises(ValueError, match="media type"):
        seal_evidence(new_data_key(rng), "s", b"x", media_type, rng, LIMIT)


def test_rejects_negative_limit_and_empty_subject(rng: Random) -> None:
    key = new_data_key(rng)
    with pytest.raises(ValueError, match="max_size"):
        seal_evidence(key, "s", b"x", PNG, rng, -1)
    with pytest.raises(ValueError, match="subject_id"):
        seal_evidence(key, "", b"x", PNG, rng, LIMIT)
