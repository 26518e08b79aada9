"""cosignature/v1 lines (c2sp.org/tlog-cosignature): made, found and checked as the spec says."""

from __future__ import annotations

import base64
import hashlib
import struct

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from trustguardian.ledger.checkpoint import Checkpoint, sign_checkpoint
from trustguardian.ledger.cosignature import (
    CosignerKey,
    WitnessVerifier,
    add_cosignatures,
    verify_cosignatures,
)
from trustguardian.ledger.errors import InvalidKeyError, InvalidSignatureError
from trustguardian.ledger.keys import Signer

BODY = Checkpoint("example.com/log", 20852163, bytes(range(32)), ("ext one",)).body()


def _note() -> str:
    return sign_checkpoint(Checkpoint.parse_body(BODY), Signer.generate("example.com/log"))


def test_line_is_the_spec_structure_checked_with_plain_cryptography() -> None:
    witness = CosignerKey.generate("witness.example.com/w1")
    line = witness.cosign(BODY, 1679315147)
    name, sig64 = line[2:-1].split(" ")
    raw = base64.b64decode(sig64)
    public = witness.verifier.public_key
    assert name == "witness.example.com/w1"
    key_id = hashlib.sha256(name.encode() + b"\n\x04" + public).digest()[:4]
    assert raw[:4] == key_id
    assert struct.unpack(">Q", raw[4:12]) == (1679315147,)
    message = b"cosignature/v1\ntime 1679315147\n" + BODY.encode()
    Ed25519PublicKey.from_public_bytes(public).verify(raw[12:], message)  # raises if wrong


def test_cosignatures_are_found_on_a_checkpoint_and_unknown_ones_ignored() -> None:
    first, second, stranger = (CosignerKey.generate(f"w{i}.example") for i in range(3))
    note = add_cosignatures(_note(), [first.cosign(BODY, 10), stranger.cosign(BODY, 11)])
    note = add_cosignatures(note, [second.cosign(BODY, 12), first.cosign(BODY, 10)])
    assert note.count("\u2014 w0.example ") == 1
    found = verify_cosignatures(note, [first.verifier, second.verifier])
    assert {(c.name, c.timestamp) for c in found} == {("w0.example", 10), ("w1.example", 12)}


def test_a_cosignature_of_another_body_or_time_fails() -> None:
    witness = CosignerKey.generate("w.example")
    other = BODY.replace("20852163", "20852164")
    note = add_cosignatures(_note(), [witness.cosign(other, 5)])
    with pytest.raises(InvalidSignatureError):
        verify_cosignatures(note, [witness.verifier])
    line = witness.cosign(BODY, 5)
    name, sig64 = line[2:-1].split(" ")
    raw = bytearray(base64.b64decode(sig64))
    raw[11] ^= 1  # the timestamp's last byte: the signed message changes
    forged = f"\u2014 {name} {base64.b64encode(bytes(raw)).decode()}\n"
    with pytest.raises(InvalidSignatureError):
        verify_cosignatures(add_cosignatures(_note(), [forged]), [witness.verifier])


def test_keys_round_trip_and_note_keys_are_not_witness_keys() -> None:
    witness = CosignerKey.generate("w.example")
    assert CosignerKey.parse(witness.signer_key) == witness
    vkey = witness.verifier.verifier_key
    assert WitnessVerifier.parse(vkey) == witness.verifier
    with pytest.raises(InvalidKeyError):
        WitnessVerifier.parse(Signer.generate("w.example").verifier_key)  # type 0x01, not 0x04
    with pytest.raises(InvalidKeyError):
        WitnessVerifier.parse(vkey.replace("+", "+0", 1))
