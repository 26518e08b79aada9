"""RFC 9162 Merkle tree over stored complete subtrees, independent of any storage.

A *complete subtree node* ``(level, index)`` covers the leaves
``[index * 2**level, (index + 1) * 2**level)``; level 0 is the leaf hash. Such a node
never changes once complete, so it is the only thing a store has to keep. Every proof
is built in two steps, letting a database answer it with one batched read:

1. ``*_coords(...)`` lists exactly the stored nodes needed (O(log n) of them);
2. ``root`` / ``inclusion_proof`` / ``consistency_proof`` build the RFC 9162 result from a
   mapping holding those nodes. Incomplete right-edge subtrees are recomputed from the
   complete subtrees inside them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from .hashing import EMPTY_ROOT, HASH_SIZE, leaf_hash, node_hash
from .reference import mth, path, proof

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "Coord",
    "Node",
    "append",
    "append_coords",
    "consistency_coords",
    "consistency_proof",
    "inclusion_coords",
    "inclusion_proof",
    "leaf_hash",
    "mth",
    "node_hash",
    "path",
    "proof",
    "root",
    "root_coords",
]

Coord = tuple[int, int]
"""``(level, index)`` of a complete subtree node."""

_Range = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Node:
    """A complete subtree node: its position and its hash."""

    level: int
    index: int
    hash: bytes

    @property
    def coord(self) -> Coord:
        """Return ``(level, index)``."""
        return (self.level, self.index)


def _check_hash(value: bytes, what: str) -> bytes:
    if len(value) != HASH_SIZE:
        raise ValueError(f"{what} must be {HASH_SIZE} bytes, got {len(value)}")
    return value


def _split(n: int) -> int:
    """Return the largest power of two strictly smaller than ``n`` (``n >= 2``)."""
    return 1 << ((n - 1).bit_length() - 1)


# --- appending -------------------------------------------------------------------


def append(
    size_before: int, leaf_hashes: Sequence[bytes], get: Callable[[int, int], bytes]
) -> list[Node]:
    """Return every node that becomes complete when ``leaf_hashes`` are appended.

    Leaves take positions ``size_before, size_before + 1, ...``; the result includes
    their level-0 nodes. ``get(level, index)`` is called only for already-stored left
    siblings (exactly the nodes of :func:`append_coords`, each at most once); nodes
    created by this call are kept in memory. Cost: O(k + log n) hashes for k leaves.
    """
    if size_before < 0:
        raise ValueError("size_before must be >= 0")
    pending: dict[Coord, bytes] = {}  # left children created here, awaiting a sibling
    out: list[Node] = []
    for offset, value in enumerate(leaf_hashes):
        level, index = 0, size_before + offset
        current = _check_hash(value, "leaf hash")
        out.append(Node(level, index, current))
        while index & 1:
            sibling = (level, index - 1)
            left = pending.pop(sibling, None)
            if left is None:
                left = _check_hash(get(*sibling), f"stored node {sibling}")
            current = node_hash(left, current)
            level, index = level + 1, index >> 1
            out.append(Node(level, index, current))
        pending[(level, index)] = current
    return out


def append_coords(size_before: int, count: int) -> list[Coord]:
    """List the stored nodes :func:`append` will ``get`` when adding ``count`` leaves."""
    if size_before < 0 or count < 0:
        raise ValueError("sizes must be >= 0")
    end = size_before + count
    needed: list[Coord] = []
    for level in range(size_before.bit_length()):
        if size_before >> level & 1:
            # The pending left node at this level; its parent completes with leaf
            # (parent_index + 1) * 2**(level + 1) - 1.
            parent = size_before >> (level + 1)
            if (parent + 1) << (level + 1) <= end:
                needed.append((level, (size_before >> level) - 1))
    return needed


# --- which stored nodes a hash, path or proof needs ------------------------------


def _range_coords(start: int, end: int) -> list[Coord]:
    """Decompose an RFC subtree range ``[start, end)`` into complete nodes, left first."""
    coords: list[Coord] = []
    while start < end:
        level = (end - start).bit_length() - 1
        if start & ((1 << level) - 1):
            raise ValueError(f"range [{start}, {end}) is not a Merkle subtree")
        coords.append((level, start >> level))
        start += 1 << level
    return coords


def _inclusion_ranges(index: int, size: int) -> list[_Range]:
    """Return the leaf ranges whose MTHs form PATH(index, D[size]), in proof order."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} out of range for tree size {size}")
    start, end = 0, size
    siblings: list[_Range] = []
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            siblings.append((start + k, end))
            end = start + k
        else:
            siblings.append((start, start + k))
            start += k
    siblings.reverse()
    return siblings


def _consistency_ranges(size1: int, size2: int) -> list[_Range]:
    """Return the leaf ranges whose MTHs form PROOF(size1, D[size2]), in proof order."""
    if not 0 <= size1 <= size2:
        raise ValueError(f"need 0 <= size1 <= size2, got {size1}, {size2}")
    if size1 in (0, size2):
        return []
    m, start, end, complete = size1, 0, size2, True
    siblings: list[_Range] = []
    while m != end - start:
        k = _split(end - start)
        if m <= k:
            siblings.append((start + k, end))
            end = start + k
        else:
            siblings.append((start, start + k))
            m, start, complete = m - k, start + k, False
    siblings.reverse()
    return siblings if complete else [(start, end), *siblings]


def _coords_of(ranges: Sequence[_Range]) -> list[Coord]:
    return [coord for start, end in ranges for coord in _range_coords(start, end)]


def root_coords(size: int) -> list[Coord]:
    """List the stored nodes needed for the root of a tree of ``size`` leaves."""
    if size < 0:
        raise ValueError("size must be >= 0")
    return _range_coords(0, size)


def inclusion_coords(index: int, size: int) -> list[Coord]:
    """List the stored nodes needed for the inclusion proof of leaf ``index``."""
    return _coords_of(_inclusion_ranges(index, size))


def consistency_coords(size1: int, size2: int) -> list[Coord]:
    """List the stored nodes needed for the consistency proof from ``size1`` to ``size2``."""
    return _coords_of(_consistency_ranges(size1, size2))


# --- building hashes and proofs from fetched nodes --------------------------------


def _range_hash(start: int, end: int, nodes: Mapping[Coord, bytes]) -> bytes:
    """Return MTH(D[start:end]) from the complete nodes covering it (right fold)."""
    coords = _range_coords(start, end)
    result = _check_hash(nodes[coords[-1]], f"node {coords[-1]}")
    for coord in reversed(coords[:-1]):
        result = node_hash(_check_hash(nodes[coord], f"node {coord}"), result)
    return result


def root(size: int, nodes: Mapping[Coord, bytes]) -> bytes:
    """Return MTH of the first ``size`` leaves from the nodes of :func:`root_coords`."""
    if size < 0:
        raise ValueError("size must be >= 0")
    return EMPTY_ROOT if size == 0 else _range_hash(0, size, nodes)


def inclusion_proof(index: int, size: int, nodes: Mapping[Coord, bytes]) -> list[bytes]:
    """Return PATH(index, D[size]) from the nodes of :func:`inclusion_coords`."""
    return [_range_hash(s, e, nodes) for s, e in _inclusion_ranges(index, size)]


def consistency_proof(size1: int, size2: int, nodes: Mapping[Coord, bytes]) -> list[bytes]:
    """Return PROOF(size1, D[size2]) from the nodes of :func:`consistency_coords`."""
    return [_range_hash(s, e, nodes) for s, e in _consistency_ranges(size1, size2)]
