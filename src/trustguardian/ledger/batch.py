"""Merkle trees of a batch of rows: the root one ledger leaf commits to, and inclusion paths.

High-volume records (the checks answered, the access log) get no leaf each: a batch of their
canonical rows is hashed as the leaves of an RFC 9162 tree of its own, and one ledger leaf
carries that tree's root. A single row is then proven with its path to that root, and the
root's leaf with its path to a signed checkpoint.
"""

from __future__ import annotations

from collections.abc import Sequence

from .hashing import EMPTY_ROOT, node_hash
from .tree import Coord, inclusion_proof, root

__all__ = ["batch_path", "batch_root"]


def _nodes(leaf_hashes: Sequence[bytes]) -> dict[Coord, bytes]:
    """Every complete-subtree node over the leaf hashes, by (level, index)."""
    nodes: dict[Coord, bytes] = {(0, i): h for i, h in enumerate(leaf_hashes)}
    level, below = 0, list(leaf_hashes)
    while len(below) > 1:
        above = [node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
        level += 1
        nodes.update({(level, i): h for i, h in enumerate(above)})
        below = above
    return nodes


def batch_root(leaf_hashes: Sequence[bytes]) -> bytes:
    """The RFC 9162 Merkle tree hash of a batch's leaf hashes, in order."""
    if not leaf_hashes:
        return EMPTY_ROOT
    return root(len(leaf_hashes), _nodes(leaf_hashes))


def batch_path(index: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """The RFC 9162 inclusion path of the leaf at `index` in the batch."""
    if not 0 <= index < len(leaf_hashes):
        raise ValueError(f"index {index} outside a batch of {len(leaf_hashes)}")
    return inclusion_proof(index, len(leaf_hashes), _nodes(leaf_hashes))
