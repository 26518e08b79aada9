"""A source file's rows as a Merkle tree: what lets one person's rows be proven part of a file
without showing anyone else's.

Each data record of the file gets a commitment `C_i = SHA-256(salt_i || its exact bytes)`; the
commitments, in file order, are the leaves (RFC 9162: leaf hash `SHA-256(0x00 || C_i)`) of a tree
whose root the file's ledger record carries. A row is opened by its salt and bytes and proven by
its inclusion path to that root. A copy of the file with some rows withheld (a person's sealed
copy, or the file after an erasure) writes each withheld row as one ASCII line naming its
commitment, so the copy is exactly the original when no row is withheld.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

from .batch import batch_path, batch_root
from .hashing import leaf_hash

__all__ = ["copy_with_rows", "row_commitment", "row_path", "rows_root", "withheld_line"]


def row_commitment(salt: bytes, row: bytes) -> str:
    """The hex commitment to a row's exact bytes."""
    return hashlib.sha256(salt + row).hexdigest()


def _leaves(commitments: Sequence[str]) -> list[bytes]:
    return [leaf_hash(bytes.fromhex(c)) for c in commitments]


def rows_root(commitments: Sequence[str]) -> str:
    """The hex Merkle tree hash over the rows' commitments, in file order."""
    return batch_root(_leaves(commitments)).hex()


def row_path(index: int, commitments: Sequence[str]) -> list[bytes]:
    """The inclusion path of row `index`'s commitment to the rows' root."""
    return batch_path(index, _leaves(commitments))


def withheld_line(index: int, commitment: str, newline: bytes) -> bytes:
    """How a copy writes a row it withholds (ASCII: the same bytes in every encoding read)."""
    return f"[row {index} withheld, commitment sha256:{commitment}]".encode("ascii") + newline


def copy_with_rows(header: bytes, commitments: Sequence[str], rows: Mapping[int, bytes]) -> bytes:
    """The file with the rows of `rows` (by index) in clear and every other row withheld."""
    newline = b"\r\n" if header.endswith(b"\r\n") else b"\r" if header.endswith(b"\r") else b"\n"
    parts = [header]
    for index, commitment in enumerate(commitments):
        row = rows.get(index)
        parts.append(row if row is not None else withheld_line(index, commitment, newline))
    return b"".join(parts)
