"""RFC 9162 proof verification (sections 2.1.3.2 and 2.1.4.2), step by step."""

from __future__ import annotations

import hmac
from collections.abc import Sequence

from .hashing import HASH_SIZE, node_hash

__all__ = ["root_from_inclusion", "verify_consistency", "verify_inclusion"]


def _well_formed(hashes: Sequence[bytes]) -> bool:
    return all(len(h) == HASH_SIZE for h in hashes)


def _same(a: bytes, b: bytes) -> bool:
    return hmac.compare_digest(a, b)


def root_from_inclusion(
    leaf_hash: bytes, index: int, size: int, path: Sequence[bytes]
) -> bytes | None:
    """Return the root implied by an inclusion path, or ``None`` if it cannot fit.

    This is RFC 9162 2.1.3.2 steps 1-5 without the final comparison with a root.
    """
    if not 0 <= index < size or not _well_formed([leaf_hash, *path]):
        return None
    fn, sn, r = index, size - 1, leaf_hash
    for p in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:  # only when fn == sn: skip absent right siblings
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, path: Sequence[bytes], root: bytes
) -> bool:
    """Return whether ``path`` proves leaf ``index`` is in the tree of ``size`` and ``root``."""
    computed = root_from_inclusion(leaf_hash, index, size, path)
    return computed is not None and _same(computed, root)


def verify_consistency(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]
) -> bool:
    """Return whether ``proof`` shows the tree (size1, root1) is a prefix of (size2, root2).

    Edge cases: ``size1 == size2`` needs an empty proof and equal roots; ``size1 == 0``
    (the empty tree is a prefix of every tree) needs an empty proof.
    """
    if not 0 <= size1 <= size2:
        return False
    if size1 == size2:
        return not proof and _same(root1, root2)
    if size1 == 0:
        return not proof
    # RFC 9162 2.1.4.2, 0 < size1 < size2.
    if not proof or not _well_formed([root1, root2, *proof]):  # step 1
        return False
    path = list(proof)
    if size1 & (size1 - 1) == 0:  # step 2: size1 is an exact power of 2
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1  # step 3
    while fn & 1:  # step 4
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]  # step 5
    for c in path[1:]:  # step 6
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and _same(fr, root1) and _same(sr, root2)  # step 7
