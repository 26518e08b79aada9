"""The independent verifier against reference vectors that owe nothing to Trust Guardian.

- RFC 6962 / RFC 9162 8-leaf vectors of transparency-dev/merkle (testonly/constants.go,
  proof/verify_test.go), as copied in test_ledger_vectors.py.
- The golang.org/x/mod/sumdb/note example (PeterNeumann key, published signature).
"""

from __future__ import annotations

import base64
import hashlib
import itertools

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from tests.ledger import independent_verifier as iv

LEAVES = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
FULL = {
    "96a296d2": "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "5f083f0a": "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "6b47aaf2": "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    "bc1a0643": "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "ca854ea1": "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    "d37ee418": "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "fac54203": "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "6e340b9c": "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "0ebc5d34": "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
    "b08693ec": "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
}
# verify_test.go inclusionProofs (leaf numbers made 0-based) and consistencyProofs.
INCLUSION = [
    (0, 1, []),
    (0, 8, ["96a296d2", "5f083f0a", "6b47aaf2"]),
    (5, 8, ["bc1a0643", "ca854ea1", "d37ee418"]),
    (2, 3, ["fac54203"]),
    (1, 5, ["6e340b9c", "5f083f0a", "bc1a0643"]),
]
CONSISTENCY = [
    (1, 1, []),
    (1, 8, ["96a296d2", "5f083f0a", "6b47aaf2"]),
    (6, 8, ["0ebc5d34", "ca854ea1", "d37ee418"]),
    (2, 5, ["5f083f0a", "bc1a0643"]),
    (6, 7, ["0ebc5d34", "b08693ec", "d37ee418"]),
]

GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT
    + "\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqf"
    "qdngotpRZb6KE6RyyBwJnAM=\n"
)


def full(short: list[str]) -> list[bytes]:
    return [bytes.fromhex(FULL[s]) for s in short]


def root(size: int) -> bytes:
    return bytes.fromhex(ROOTS[size])


def flip(value: bytes, at: int = 0, bit: int = 0) -> bytes:
    return value[:at] + bytes([value[at] ^ (1 << bit)]) + value[at + 1 :]


# --- the Merkle tree hash from the definition -------------------------------------------------


@pytest.mark.parametrize("size", range(9))
def test_merkle_root_of_reference_leaves(size: int) -> None:
    assert iv.merkle_root(LEAVES[:size]).hex() == ROOTS[size]


def _path(index: int, leaves: list[bytes]) -> list[bytes]:
    """PATH(m, D[n]) of RFC 9162 section 2.1.3.1, from the definition (oracle for the tests)."""
    n = len(leaves)
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if index < k:
        return [*_path(index, leaves[:k]), iv.merkle_root(leaves[k:])]
    return [*_path(index - k, leaves[k:]), iv.merkle_root(leaves[:k])]


def _subproof(m: int, leaves: list[bytes], whole: bool) -> list[bytes]:
    """SUBPROOF(m, D[n], b) of RFC 9162 section 2.1.4.1."""
    n = len(leaves)
    if m == n:
        return [] if whole else [iv.merkle_root(leaves)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return [*_subproof(m, leaves[:k], whole), iv.merkle_root(leaves[k:])]
    return [*_subproof(m - k, leaves[k:], False), iv.merkle_root(leaves[:k])]


# --- inclusion --------------------------------------------------------------------------------


@pytest.mark.parametrize(("index", "size", "short"), INCLUSION)
def test_inclusion_reference_vectors(index: int, size: int, short: list[str]) -> None:
    leaf = iv.hash_leaf(LEAVES[index])
    assert _path(index, LEAVES[:size]) == full(short)
    assert iv.verify_inclusion(index, size, leaf, full(short), root(size))


@pytest.mark.parametrize(("index", "size", "short"), INCLUSION)
def test_inclusion_rejects_corruptions(index: int, size: int, short: list[str]) -> None:
    # Sizes are probed at x2 and /2 as transparency-dev does: a size off by one can share the
    # proof's shape, which is why a verifier must take the size from the signed checkpoint.
    leaf, path, good = iv.hash_leaf(LEAVES[index]), full(short), root(size)
    bad: list[tuple[int, int, bytes, list[bytes], bytes]] = [
        (index + 1, size, leaf, path, good),
        (index - 1, size, leaf, path, good),
        (index, size * 2, leaf, path, good),
        (index, size, iv.hash_leaf(b"WrongLeaf"), path, good),
        (index, size, flip(leaf, 31), path, good),
        (index, size, leaf, path, flip(good, 5, 7)),
        (index, size, leaf, [*path, good], good),
        (index, size, leaf, [good, *path], good),
        (index, size, leaf, [*path, b""], good),
    ]
    if size > 1:
        bad.append((index, size // 2, leaf, path, good))
    for n in range(len(path)):
        for at in (0, 17, 31):
            changed = list(path)
            changed[n] = flip(changed[n], at, n % 8)
            bad.append((index, size, leaf, changed, good))
    if path:
        bad.append((index, size, leaf, path[:-1], good))
        bad.append((index, size, leaf, path[1:], good))
    if len(path) > 1:
        bad.append((index, size, leaf, path[::-1], good))
    for probe in bad:
        p_index, p_size, p_leaf, p_path, p_root = probe
        if (p_index, p_size) == (index, size) and (p_leaf, p_path, p_root) == (leaf, path, good):
            continue
        assert not iv.verify_inclusion(p_index, p_size, p_leaf, p_path, p_root), probe


def test_every_inclusion_of_small_trees() -> None:
    for size in range(1, 9):
        leaves = LEAVES[:size]
        for index in range(size):
            path = _path(index, leaves)
            assert iv.verify_inclusion(index, size, iv.hash_leaf(leaves[index]), path, root(size))
            for other in range(size):
                if other != index and iv.hash_leaf(leaves[other]) != iv.hash_leaf(leaves[index]):
                    assert not iv.verify_inclusion(
                        other, size, iv.hash_leaf(leaves[index]), path, root(size)
                    )


# --- consistency ------------------------------------------------------------------------------


@pytest.mark.parametrize(("size1", "size2", "short"), CONSISTENCY)
def test_consistency_reference_vectors(size1: int, size2: int, short: list[str]) -> None:
    if size1 < size2:
        assert _subproof(size1, LEAVES[:size2], True) == full(short)
    assert iv.verify_consistency(size1, size2, root(size1), root(size2), full(short))


@pytest.mark.parametrize(("size1", "size2", "short"), CONSISTENCY)
def test_consistency_rejects_corruptions(size1: int, size2: int, short: list[str]) -> None:
    proof, r1, r2 = full(short), root(size1), root(size2)
    bad: list[tuple[int, int, bytes, bytes, list[bytes]]] = [
        (size1, size2, flip(r1, 3), r2, proof),
        (size1, size2, r1, flip(r2, 30, 6), proof),
        (size1, size2, r2, r1, proof) if r1 != r2 else (size1, size2, r1, root(0), proof),
        (size1 * 2, size2, r1, r2, proof),
        (size1, size2 * 2, r1, r2, proof),
        (size2 + 1, size2, r1, r2, proof),
        (size1, size2, r1, r2, [*proof, r1]),
        (size1, size2, r1, r2, [r1, *proof]),
    ]
    if size1 > 1:
        bad.append((size1 // 2, size2, r1, r2, proof))
    for n in range(len(proof)):
        changed = list(proof)
        changed[n] = flip(changed[n], n, 2)
        bad.append((size1, size2, r1, r2, changed))
    if proof:
        bad.append((size1, size2, r1, r2, proof[:-1]))
        bad.append((size1, size2, r1, r2, []))
    for probe in bad:
        assert not iv.verify_consistency(*probe), probe


def test_every_consistency_of_small_trees() -> None:
    for size2 in range(1, 9):
        for size1 in range(1, size2 + 1):
            proof = _subproof(size1, LEAVES[:size2], True)
            assert iv.verify_consistency(size1, size2, root(size1), root(size2), proof)
            for wrong in range(1, 9):
                if ROOTS[wrong] != ROOTS[size1]:
                    assert not iv.verify_consistency(
                        size1, size2, root(wrong), root(size2), proof
                    ), (size1, size2, wrong)


def test_consistency_edge_sizes() -> None:
    assert iv.verify_consistency(0, 5, root(0), root(5), [])
    assert not iv.verify_consistency(0, 5, root(0), root(5), [root(5)])
    assert iv.verify_consistency(4, 4, root(4), root(4), [])
    assert not iv.verify_consistency(4, 4, root(4), root(5), [])
    assert not iv.verify_consistency(5, 4, root(5), root(4), [])


# --- signed notes and checkpoints -------------------------------------------------------------


def test_go_sumdb_note_example_verifies() -> None:
    verifier = iv.NoteVerifier.parse(GO_VKEY)
    assert verifier.name == "PeterNeumann"
    assert iv.open_signed_note(GO_NOTE, verifier) == GO_TEXT


@pytest.mark.parametrize(
    "note",
    [
        GO_NOTE.replace("cryptography", "cryptographY"),
        GO_NOTE.replace("x08go", "x08gp"),
        GO_NOTE.replace("\u2014 PeterNeumann", "\u2014 PeterNeuman"),
        GO_NOTE.replace("\u2014 ", "- "),
        GO_NOTE.replace("\n\n", "\n"),
        GO_NOTE[:-1],
        GO_NOTE.replace("problem is.\n", "problem is.\n\n"),
    ],
)
def test_go_sumdb_note_tampered_is_rejected(note: str) -> None:
    with pytest.raises(iv.VerificationError):
        iv.open_signed_note(note, iv.NoteVerifier.parse(GO_VKEY))


def test_verifier_key_mangling_is_rejected() -> None:
    manglings = {GO_VKEY[i:j] for i, j in itertools.combinations(range(len(GO_VKEY) + 1), 2)}
    manglings.discard(GO_VKEY)
    for k in range(len(GO_VKEY)):
        manglings.add(GO_VKEY[:k] + chr(ord(GO_VKEY[k]) + 1) + GO_VKEY[k + 1 :])
    accepted = []
    for key in sorted(manglings):
        try:
            iv.NoteVerifier.parse(key)
        except iv.VerificationError:
            continue
        accepted.append(key)
    assert accepted == []


def make_key(name: str) -> tuple[Ed25519PrivateKey, str]:
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    digest = hashlib.sha256(name.encode() + b"\n\x01" + public).digest()[:4]
    encoded = base64.b64encode(bytes([1]) + public).decode()
    vkey = f"{name}+{digest.hex()}+{encoded}"
    return private, vkey


def sign(text: str, name: str, private: Ed25519PrivateKey) -> str:
    vkey_hash = bytes.fromhex(make_vkey_hash(name, private))
    sig = base64.b64encode(vkey_hash + private.sign(text.encode())).decode()
    return f"{text}\n\u2014 {name} {sig}\n"


def make_vkey_hash(name: str, private: Ed25519PrivateKey) -> str:
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(name.encode() + b"\n\x01" + public).digest()[:4].hex()


def test_checkpoint_signed_with_a_fresh_key() -> None:
    name = "example.org/log"
    private, vkey = make_key(name)
    other, other_vkey = make_key(name)
    body = f"{name}\n8\n{base64.b64encode(root(8)).decode()}\n"
    note = sign(body, name, private)
    parsed = iv.verify_checkpoint(note, vkey, origin=name)
    assert (parsed.origin, parsed.size, parsed.root_hash) == (name, 8, root(8))
    # A second signature by an unknown key is ignored; a note signed only by another key is not.
    cosigned = note + sign(body, "witness.example", other).split("\n\n", 1)[1]
    assert iv.verify_checkpoint(cosigned, vkey).size == 8
    with pytest.raises(iv.VerificationError):
        iv.verify_checkpoint(note, other_vkey)
    with pytest.raises(iv.VerificationError):
        iv.verify_checkpoint(note, vkey, origin="another.org/log")
    # Any changed body byte, or a changed signature byte, is rejected.
    for n in range(len(body)):
        changed = body[:n] + ("X" if body[n] != "X" else "Y") + body[n + 1 :]
        with pytest.raises(iv.VerificationError):
            iv.verify_checkpoint(changed + note[len(body) :], vkey)
    sig_line = note[len(body) + 1 :]
    sig64 = sig_line.split(" ")[2].strip()
    raw = base64.b64decode(sig64)
    for at in (4, 20, 67):
        bad = base64.b64encode(flip(raw, at)).decode()
        with pytest.raises(iv.VerificationError):
            iv.verify_checkpoint(note.replace(sig64, bad), vkey)


@pytest.mark.parametrize(
    "body",
    [
        "origin\n8\n",
        "origin\n08\n{root}\n",
        "origin\n-1\n{root}\n",
        "origin\n8\n{root}",
        "\n8\n{root}\n",
        "origin\n8\n{root}\n\n",
        "origin\n8\nAAAA\n",
        "origin\n18446744073709551616\n{root}\n",
    ],
)
def test_malformed_checkpoint_bodies(body: str) -> None:
    with pytest.raises(iv.VerificationError):
        iv.parse_checkpoint_body(body.format(root=base64.b64encode(root(8)).decode()))


def test_checkpoint_extension_lines_are_kept() -> None:
    text = f"o\n3\n{base64.b64encode(root(3)).decode()}\nextra line\n"
    assert iv.parse_checkpoint_body(text).extensions == ("extra line",)
