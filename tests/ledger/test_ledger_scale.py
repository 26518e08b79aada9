"""Scale sanity: proofs read O(log n) stored nodes (counts asserted, nothing timed)."""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Iterator, Mapping

import pytest

from trustguardian.ledger import (
    append,
    consistency_coords,
    consistency_proof,
    inclusion_coords,
    inclusion_proof,
    leaf_hash,
    root,
    root_coords,
    verify_consistency,
    verify_inclusion,
)
from trustguardian.ledger.tree import Coord

MILLION = 1_000_000
BOUND = 2 * math.ceil(math.log2(MILLION))  # 40


class CountingNodes(Mapping[Coord, bytes]):
    """A node source that fabricates hashes and records every coordinate read."""

    def __init__(self) -> None:
        self.reads: list[Coord] = []

    def __getitem__(self, coord: Coord) -> bytes:
        self.reads.append(coord)
        return hashlib.sha256(repr(coord).encode()).digest()

    def __iter__(self) -> Iterator[Coord]:
        return iter(())

    def __len__(self) -> int:
        return 0


def _indices(size: int) -> list[int]:
    rng = random.Random(size)
    edges = [0, 1, 2, size // 2, size - 2, size - 1, 2**19 - 1, 2**19, 2**19 + 1]
    return sorted({i for i in edges if 0 <= i < size} | {rng.randrange(size) for _ in range(300)})


@pytest.mark.parametrize("size", [MILLION, MILLION + 1, 2**20 - 1, 2**20])
def test_inclusion_touches_logarithmic_nodes(size: int) -> None:
    for index in _indices(size):
        coords = inclusion_coords(index, size)
        assert len(coords) <= BOUND
        nodes = CountingNodes()
        got = inclusion_proof(index, size, nodes)
        assert sorted(set(nodes.reads)) == sorted(coords)
        assert len(nodes.reads) == len(coords)
        assert len(got) <= math.ceil(math.log2(size))


@pytest.mark.parametrize("size", [MILLION, 2**20 - 1])
def test_consistency_and_root_touch_logarithmic_nodes(size: int) -> None:
    assert len(root_coords(size)) == bin(size).count("1")
    for size1 in _indices(size):
        coords = consistency_coords(size1, size)
        assert len(coords) <= BOUND
        nodes = CountingNodes()
        consistency_proof(size1, size, nodes)
        assert sorted(nodes.reads) == sorted(coords)


def test_real_tree_proofs_verify_with_few_reads() -> None:
    size = 2**16 + 4_465  # 70_001 leaves, a ragged right edge
    store: dict[Coord, bytes] = {}
    for start in range(0, size, 4_096):
        hashes = [leaf_hash(i.to_bytes(4, "big")) for i in range(start, min(size, start + 4_096))]
        for node in append(start, hashes, lambda lvl, idx: store[(lvl, idx)]):
            store[node.coord] = node.hash
    bound = 2 * math.ceil(math.log2(size))
    head = root(size, {c: store[c] for c in root_coords(size)})
    rng = random.Random(7)
    for index in [0, size - 1, *(rng.randrange(size) for _ in range(50))]:
        coords = inclusion_coords(index, size)
        assert len(coords) <= bound
        prf = inclusion_proof(index, size, {c: store[c] for c in coords})
        assert verify_inclusion(leaf_hash(index.to_bytes(4, "big")), index, size, prf, head)
    for size1 in [1, 2**16, size - 1, *(rng.randrange(1, size) for _ in range(50))]:
        coords = consistency_coords(size1, size)
        assert len(coords) <= bound
        prf = consistency_proof(size1, size, {c: store[c] for c in coords})
        old = root(size1, {c: store[c] for c in root_coords(size1)})
        assert verify_consistency(size1, size, old, head, prf)
