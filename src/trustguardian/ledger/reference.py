"""Direct, recursive RFC 9162 definitions over raw leaf data, for cross-checking.

These follow the text of RFC 9162 sections 2.1.1, 2.1.3.1 and 2.1.4.1 literally and
cost O(n) hashing per call; production code uses :mod:`trustguardian.ledger.tree`.
"""

from __future__ import annotations

from collections.abc import Sequence

from .hashing import EMPTY_ROOT, leaf_hash, node_hash

__all__ = ["mth", "path", "proof"]


def _split(n: int) -> int:
    """Return the largest power of two strictly smaller than ``n`` (``n >= 2``)."""
    return 1 << ((n - 1).bit_length() - 1)


def mth(leaves: Sequence[bytes]) -> bytes:
    """Return MTH(D[n]), the Merkle Tree Hash of the raw leaf inputs."""
    n = len(leaves)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaf_hash(leaves[0])
    k = _split(n)
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def path(m: int, leaves: Sequence[bytes]) -> list[bytes]:
    """Return PATH(m, D[n]), the audit path for leaf ``m`` (RFC 9162 2.1.3.1)."""
    n = len(leaves)
    if not 0 <= m < n:
        raise ValueError(f"leaf index {m} out of range for tree size {n}")
    if n == 1:
        return []
    k = _split(n)
    if m < k:
        return [*path(m, leaves[:k]), mth(leaves[k:])]
    return [*path(m - k, leaves[k:]), mth(leaves[:k])]


def proof(m: int, leaves: Sequence[bytes]) -> list[bytes]:
    """Return PROOF(m, D[n]), the consistency proof from size ``m`` (RFC 9162 2.1.4.1).

    Sizes outside ``0 < m < n`` for which the RFC defines no proof give ``[]`` when
    ``m == 0`` or ``m == n``, matching what the verifier expects.
    """
    n = len(leaves)
    if not 0 <= m <= n:
        raise ValueError(f"old size {m} out of range for tree size {n}")
    if m in (0, n):
        return []
    return _subproof(m, leaves, True)


def _subproof(m: int, leaves: Sequence[bytes], complete: bool) -> list[bytes]:
    """Return SUBPROOF(m, D[n], b) exactly as defined in RFC 9162 2.1.4.1."""
    n = len(leaves)
    if m == n:
        return [] if complete else [mth(leaves)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, leaves[:k], complete), mth(leaves[k:])]
    return [*_subproof(m - k, leaves[k:], False), mth(leaves[:k])]
