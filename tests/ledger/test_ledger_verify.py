"""Verifier behaviour, ported from transparency-dev/merkle proof/verify_test.go."""

from __future__ import annotations

import pytest

from trustguardian.ledger import (
    EMPTY_ROOT,
    leaf_hash,
    root_from_inclusion,
    verify_consistency,
    verify_inclusion,
)
from trustguardian.ledger.tree import mth, path, proof

SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")
LEAVES = [bytes([i]) * i for i in range(8)]


def _flip(value: bytes, bit: int) -> bytes:
    return bytes([value[0] ^ (1 << bit)]) + value[1:]


def _inclusion_probes(
    index: int, size: int, pth: list[bytes], root: bytes, leaf: bytes
) -> list[tuple[int, int, list[bytes], bytes, bytes]]:
    probes = [
        (index - 1, size, pth, root, leaf),
        (index + 1, size, pth, root, leaf),
        (index ^ 2, size, pth, root, leaf),
        (index, size * 2, pth, root, leaf),
        (index, size // 2, pth, root, leaf),
        (index, size, pth, root, b"WrongLeaf"),
        (index, size, pth, EMPTY_ROOT, leaf),
        (index, size, pth, SOME_HASH, leaf),
        (index, size, [*pth, b""], root, leaf),
        (index, size, [*pth, root], root, leaf),
        (index, size, [b"", *pth], root, leaf),
        (index, size, [root, *pth], root, leaf),
    ]
    for i in range(len(pth)):
        bad = list(pth)
        bad[i] = _flip(bad[i], 3)
        probes.append((index, size, bad, root, leaf))
    if pth:
        probes.append((index, size, pth[:-1], root, leaf))
    if len(pth) > 1:
        probes.append((index, size, [pth[0], SOME_HASH, *pth[1:]], root, leaf))
    return probes


@pytest.mark.parametrize(("index", "size"), [(i, n) for n in range(1, 9) for i in range(n)])
def test_inclusion_and_corruptions(index: int, size: int) -> None:
    leaves = LEAVES[:size]
    pth, root, leaf = path(index, leaves), mth(leaves), leaf_hash(leaves[index])
    assert root_from_inclusion(leaf, index, size, pth) == root
    assert verify_inclusion(leaf, index, size, pth, root)
    for probe in _inclusion_probes(index, size, pth, root, leaf):
        p_index, p_size, p_path, p_root, p_leaf = probe
        assert not verify_inclusion(p_leaf, p_index, p_size, p_path, p_root), probe


@pytest.mark.parametrize(("index", "size"), [(0, 0), (0, 1), (1, 0), (2, 1)])
def test_inclusion_invalid_root_or_leaf(index: int, size: int) -> None:
    assert not verify_inclusion(SOME_HASH, index, size, [], b"")
    assert not verify_inclusion(b"", index, size, [], EMPTY_ROOT)
    assert not verify_inclusion(SOME_HASH, index, size, [], EMPTY_ROOT)


def test_inclusion_single_entry() -> None:
    h = leaf_hash(b"data")
    assert verify_inclusion(h, 0, 1, [], h)
    assert not verify_inclusion(b"", 0, 1, [], h)
    assert not verify_inclusion(h, 0, 1, [], b"")
    assert not verify_inclusion(b"", 0, 1, [], b"")


ROOT1, ROOT2 = b"don't care 1", b"don't care 2"


@pytest.mark.parametrize(
    ("size1", "size2", "root1", "root2", "prf", "ok"),
    [
        (0, 0, ROOT1, ROOT2, [], False),
        (1, 1, ROOT1, ROOT2, [], False),
        (0, 0, ROOT1, ROOT1, [], True),
        (0, 1, ROOT1, ROOT2, [], True),
        (1, 1, ROOT2, ROOT2, [], True),
        (1, 0, ROOT1, ROOT2, [], False),
        (2, 1, ROOT1, ROOT2, [], False),
        (1, 2, ROOT1, ROOT2, [], False),
        (0, 0, EMPTY_ROOT, ROOT2, [], False),
        (1, 1, EMPTY_ROOT, ROOT2, [], False),
        (0, 0, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT], False),
        (0, 1, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT], False),
        (1, 1, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT], False),
    ],
)
def test_consistency_edge_cases(
    size1: int, size2: int, root1: bytes, root2: bytes, prf: list[bytes], ok: bool
) -> None:
    assert verify_consistency(size1, size2, root1, root2, prf) is ok


def _consistency_probes(
    size1: int, size2: int, root1: bytes, root2: bytes, prf: list[bytes]
) -> list[tuple[int, int, bytes, bytes, list[bytes]]]:
    probes = [
        (size1 - 1, size2, root1, root2, prf),
        (size1 + 1, size2, root1, root2, prf),
        (size1 ^ 2, size2, root1, root2, prf),
        (size1, size2 * 2, root1, root2, prf),
        (size1, size2 // 2, root1, root2, prf),
        (size1, size2, b"WrongRoot", root2, prf),
        (size1, size2, root1, b"WrongRoot", prf),
        (size1, size2, root2, root1, prf),
        (size1, size2, root1, root2, []),
        (size1, size2, root1, root2, [*prf, b""]),
        (size1, size2, root1, root2, [*prf, root1]),
        (size1, size2, root1, root2, [*prf, root2]),
        (size1, size2, root1, root2, [b"", *prf]),
        (size1, size2, root1, root2, [root1, *prf]),
        (size1, size2, root1, root2, [root2, *prf]),
        (size1, size2, root1, root2, [prf[0], *prf]),
        (size1, size2, root1, root2, prf[:-1]),
    ]
    for i in range(len(prf)):
        bad = list(prf)
        bad[i] = _flip(bad[i], 4)
        probes.append((size1, size2, root1, root2, bad))
    return probes


@pytest.mark.parametrize(("size1", "size2"), [(m, n) for n in range(2, 9) for m in range(1, n)])
def test_consistency_and_corruptions(size1: int, size2: int) -> None:
    root1, root2 = mth(LEAVES[:size1]), mth(LEAVES[:size2])
    prf = proof(size1, LEAVES[:size2])
    assert verify_consistency(size1, size2, root1, root2, prf)
    for probe in _consistency_probes(size1, size2, root1, root2, prf):
        assert not verify_consistency(*probe), probe
