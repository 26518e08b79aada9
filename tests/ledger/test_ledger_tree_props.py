"""Property tests: stored-node proofs equal the RFC 9162 reference definitions."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from trustguardian.ledger import (
    append,
    append_coords,
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
from trustguardian.ledger.tree import Coord, Node, mth, path, proof

# database=None: no .hypothesis directory is written into the work tree.
PROPS = settings(max_examples=120, deadline=None, database=None)


def _leaves(size: int, salt: bytes) -> list[bytes]:
    return [salt + i.to_bytes(4, "big") for i in range(size)]


def _build(
    leaves: Sequence[bytes], cuts: Sequence[int] = ()
) -> tuple[dict[Coord, bytes], list[Node]]:
    """Append ``leaves`` in batches split at ``cuts``; check each batch's reads."""
    store: dict[Coord, bytes] = {}
    created: list[Node] = []
    bounds = [0, *sorted({c for c in cuts if 0 < c < len(leaves)}), len(leaves)]
    for start, end in itertools.pairwise(bounds):
        reads: list[Coord] = []

        def get(level: int, index: int, reads: list[Coord] = reads) -> bytes:
            reads.append((level, index))
            return store[(level, index)]

        batch = append(start, [leaf_hash(x) for x in leaves[start:end]], get)
        assert reads == append_coords(start, end - start)
        for node in batch:
            assert node.coord not in store
            store[node.coord] = node.hash
        created.extend(batch)
    return store, created


def _subset(store: dict[Coord, bytes], coords: list[Coord]) -> dict[Coord, bytes]:
    assert len(set(coords)) == len(coords)
    return {c: store[c] for c in coords}


tree_sizes = st.integers(min_value=1, max_value=300)


@PROPS
@given(size=tree_sizes, salt=st.binary(max_size=8), data=st.data())
def test_stored_node_proofs_equal_reference(size: int, salt: bytes, data: st.DataObject) -> None:
    leaves = _leaves(size, salt)
    store, _ = _build(leaves)
    assert len(store) == 2 * size - bin(size).count("1")  # complete nodes only
    assert root(size, _subset(store, root_coords(size))) == mth(leaves)
    for _ in range(3):
        n = data.draw(st.integers(1, size), label="n")
        m = data.draw(st.integers(0, n), label="m")
        i = data.draw(st.integers(0, n - 1), label="i")
        root_n = root(n, _subset(store, root_coords(n)))
        root_m = root(m, _subset(store, root_coords(m)))
        assert root_n == mth(leaves[:n])
        incl = inclusion_proof(i, n, _subset(store, inclusion_coords(i, n)))
        assert incl == path(i, leaves[:n])
        assert verify_inclusion(leaf_hash(leaves[i]), i, n, incl, root_n)
        cons = consistency_proof(m, n, _subset(store, consistency_coords(m, n)))
        assert cons == proof(m, leaves[:n])
        assert verify_consistency(m, n, root_m, root_n, cons)


@PROPS
@given(leaves=st.lists(st.binary(max_size=6), min_size=1, max_size=64), data=st.data())
def test_arbitrary_leaf_data(leaves: list[bytes], data: st.DataObject) -> None:
    store, _ = _build(leaves)
    n = len(leaves)
    i = data.draw(st.integers(0, n - 1), label="i")
    m = data.draw(st.integers(0, n), label="m")
    assert root(n, store) == mth(leaves)
    assert inclusion_proof(i, n, store) == path(i, leaves)
    assert consistency_proof(m, n, store) == proof(m, leaves)


@PROPS
@given(
    size=tree_sizes,
    cuts=st.lists(st.integers(min_value=1, max_value=299), max_size=12),
)
def test_batched_append_equals_one_at_a_time(size: int, cuts: list[int]) -> None:
    leaves = _leaves(size, b"batch")
    one_by_one = list(range(1, size))
    store_single, nodes_single = _build(leaves, one_by_one)
    store_batch, nodes_batch = _build(leaves, cuts)
    assert set(nodes_batch) == set(nodes_single)
    assert len(nodes_batch) == len(nodes_single)
    assert store_batch == store_single


@PROPS
@given(size=st.integers(2, 300), data=st.data())
def test_flipped_bit_fails_verification(size: int, data: st.DataObject) -> None:
    leaves = _leaves(size, b"flip")
    store, _ = _build(leaves)
    n = data.draw(st.integers(2, size), label="n")
    i = data.draw(st.integers(0, n - 1), label="i")
    m = data.draw(st.integers(1, n - 1), label="m")
    root_n, root_m = root(n, store), root(m, store)
    leaf = leaf_hash(leaves[i])
    incl = inclusion_proof(i, n, store)
    cons = consistency_proof(m, n, store)

    def flip(value: bytes) -> bytes:
        pos = data.draw(st.integers(0, len(value) * 8 - 1), label="bit")
        out = bytearray(value)
        out[pos // 8] ^= 1 << (pos % 8)
        return bytes(out)

    assert not verify_inclusion(leaf, i, n, incl, flip(root_n))
    assert not verify_inclusion(flip(leaf), i, n, incl, root_n)
    if incl:
        k = data.draw(st.integers(0, len(incl) - 1), label="k")
        bad = [*incl[:k], flip(incl[k]), *incl[k + 1 :]]
        assert not verify_inclusion(leaf, i, n, bad, root_n)
    assert not verify_consistency(m, n, flip(root_m), root_n, cons)
    assert not verify_consistency(m, n, root_m, flip(root_n), cons)
    k = data.draw(st.integers(0, len(cons) - 1), label="k")
    bad = [*cons[:k], flip(cons[k]), *cons[k + 1 :]]
    assert not verify_consistency(m, n, root_m, root_n, bad)
