"""RFC 6962 / RFC 9162 reference vectors from the transparency-dev test suite.

Sources (github.com/transparency-dev/merkle): ``testonly/constants.go`` (leaves, node
hashes, roots for sizes 0..8), ``proof/verify_test.go`` (inclusion and consistency
proofs) and ``proof/proof_test.go`` (which stored nodes each proof needs).
"""

from __future__ import annotations

import pytest

from trustguardian.ledger import (
    EMPTY_ROOT,
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
from trustguardian.ledger.tree import Coord, mth, path, proof

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

# NodeHashes(): [level][index] for the complete subtrees of the 8-leaf tree.
NODE_HASHES = [
    [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    ],
    [
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    ],
    [
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    ["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
]

# RootHashes(): index = tree size.
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

# verify_test.go inclusionProofs, with its 1-based leaf numbers made 0-based indexes.
INCLUSION = [
    (0, 1, []),
    (0, 8, ["96a296d2", "5f083f0a", "6b47aaf2"]),
    (5, 8, ["bc1a0643", "ca854ea1", "d37ee418"]),
    (2, 3, ["fac54203"]),
    (1, 5, ["6e340b9c", "5f083f0a", "bc1a0643"]),
]
INCLUSION_FULL = {
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

# verify_test.go consistencyProofs.
CONSISTENCY = [
    (1, 1, []),
    (1, 8, ["96a296d2", "5f083f0a", "6b47aaf2"]),
    (6, 8, ["0ebc5d34", "ca854ea1", "d37ee418"]),
    (2, 5, ["5f083f0a", "bc1a0643"]),
    (6, 7, ["0ebc5d34", "b08693ec", "d37ee418"]),
]

# proof_test.go TestInclusion / TestConsistency: (level, index) node IDs per proof.
INCLUSION_NODES: list[tuple[int, int, list[Coord]]] = [
    (0, 1, []),
    (0, 2, [(0, 1)]),
    (2, 7, [(0, 3), (1, 0), (0, 6), (1, 2)]),
    (6, 7, [(1, 2), (2, 0)]),
    (3, 5, [(0, 2), (1, 0), (0, 4)]),
    (10, 15, [(0, 11), (1, 4), (0, 14), (1, 6), (3, 0)]),
    (24, 31, [(0, 25), (1, 13), (0, 30), (1, 14), (3, 2), (4, 0)]),
    (81, 95, [(0, 80), (1, 41), (2, 21), (0, 94), (1, 46), (2, 22), (4, 4), (6, 0)]),
]
CONSISTENCY_NODES: list[tuple[int, int, list[Coord]]] = [
    (1, 2, [(0, 1)]),
    (1, 6, [(0, 1), (1, 1), (1, 2)]),
    (3, 7, [(0, 2), (0, 3), (1, 0), (0, 6), (1, 2)]),
    (5, 7, [(0, 4), (0, 5), (0, 6), (2, 0)]),
    (7, 8, [(0, 6), (0, 7), (1, 2), (2, 0)]),
    (4, 4, []),
    (10, 15, [(1, 4), (1, 5), (0, 14), (1, 6), (3, 0)]),
    (24, 31, [(3, 2), (0, 30), (1, 14), (2, 6), (4, 0)]),
    (81, 95, [(0, 80), (0, 81), (1, 41), (2, 21), (0, 94), (1, 46), (2, 22), (4, 4), (6, 0)]),
]


def _store() -> dict[Coord, bytes]:
    store: dict[Coord, bytes] = {}
    for i, data in enumerate(LEAVES):
        for node in append(i, [leaf_hash(data)], lambda lvl, idx: store[(lvl, idx)]):
            store[node.coord] = node.hash
    return store


def _full(short: list[str]) -> list[bytes]:
    return [bytes.fromhex(INCLUSION_FULL[s]) for s in short]


def test_stored_nodes_match_node_hashes() -> None:
    expected = {
        (level, index): bytes.fromhex(h)
        for level, row in enumerate(NODE_HASHES)
        for index, h in enumerate(row)
    }
    assert _store() == expected


@pytest.mark.parametrize("size", range(9))
def test_roots(size: int) -> None:
    store = _store()
    nodes = {c: store[c] for c in root_coords(size)}
    assert root(size, nodes).hex() == ROOTS[size]
    assert mth(LEAVES[:size]).hex() == ROOTS[size]
    assert ROOTS[0] == EMPTY_ROOT.hex()


@pytest.mark.parametrize(("index", "size", "expected"), INCLUSION)
def test_inclusion_vectors(index: int, size: int, expected: list[str]) -> None:
    store = _store()
    nodes = {c: store[c] for c in inclusion_coords(index, size)}
    got = inclusion_proof(index, size, nodes)
    assert got == _full(expected) == path(index, LEAVES[:size])
    assert verify_inclusion(leaf_hash(LEAVES[index]), index, size, got, bytes.fromhex(ROOTS[size]))


@pytest.mark.parametrize(("size1", "size2", "expected"), CONSISTENCY)
def test_consistency_vectors(size1: int, size2: int, expected: list[str]) -> None:
    store = _store()
    nodes = {c: store[c] for c in consistency_coords(size1, size2)}
    got = consistency_proof(size1, size2, nodes)
    assert got == _full(expected) == proof(size1, LEAVES[:size2])
    root1, root2 = bytes.fromhex(ROOTS[size1]), bytes.fromhex(ROOTS[size2])
    assert verify_consistency(size1, size2, root1, root2, got)


@pytest.mark.parametrize(("index", "size", "expected"), INCLUSION_NODES)
def test_inclusion_coords_match_reference_node_ids(
    index: int, size: int, expected: list[Coord]
) -> None:
    assert sorted(inclusion_coords(index, size)) == sorted(expected)


@pytest.mark.parametrize(("size1", "size2", "expected"), CONSISTENCY_NODES)
def test_consistency_coords_match_reference_node_ids(
    size1: int, size2: int, expected: list[Coord]
) -> None:
    assert sorted(consistency_coords(size1, size2)) == sorted(expected)


def test_all_small_proofs_match_reference_definitions() -> None:
    store = _store()
    for size in range(1, 9):
        for index in range(size):
            assert inclusion_proof(index, size, store) == path(index, LEAVES[:size])
        for size1 in range(size + 1):
            assert consistency_proof(size1, size, store) == proof(size1, LEAVES[:size])


@pytest.mark.parametrize(("index", "size"), [(0, 0), (1, 1), (-1, 3), (8, 7)])
def test_bad_inclusion_parameters(index: int, size: int) -> None:
    with pytest.raises(ValueError, match="out of range"):
        inclusion_coords(index, size)


@pytest.mark.parametrize(("size1", "size2"), [(5, 0), (9, 8), (-1, 3)])
def test_bad_consistency_parameters(size1: int, size2: int) -> None:
    with pytest.raises(ValueError, match="size1"):
        consistency_coords(size1, size2)
