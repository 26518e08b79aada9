"""Which of a dossier's events a trusted time-stamp covers, and by which checkpoint.

An event is stamped once a checkpoint that includes it has an RFC 3161 token: the earliest such
checkpoint gives the tightest time. Each is put in the dossier with its token and a consistency
proof to the dossier's checkpoint, so an inspector checks offline that the stamped tree is a
prefix of the one the inclusion proofs lead to. Events after the last stamp are "not stamped yet".
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from trustguardian.ledger import consistency_coords, consistency_proof
from trustguardian.store.accountability import StoredTimestamp
from trustguardian.store.ledger import StoredCheckpoint
from trustguardian.store.uow import UnitOfWork


@dataclass(frozen=True)
class DossierStamp:
    """A stamped checkpoint earlier than the dossier's, its token, and the consistency proof
    from it to the dossier's checkpoint."""

    checkpoint: StoredCheckpoint
    timestamp: StoredTimestamp
    consistency_path: list[bytes]


@dataclass(frozen=True)
class StampCover:
    """The stamps a dossier carries, and for each event (by ledger seq) the tree size of the
    checkpoint whose stamp covers it (None: not stamped yet)."""

    stamps: list[DossierStamp]
    stamped_by: dict[int, int | None]


def stamp_cover(uow: UnitOfWork, checkpoint: StoredCheckpoint, seqs: Sequence[int]) -> StampCover:
    """The earliest stamped checkpoint covering each event, up to the dossier's checkpoint."""
    sizes = uow.stamping.stamped_sizes(up_to=checkpoint.tree_size)
    stamped_by: dict[int, int | None] = {}
    for seq in seqs:
        at = bisect.bisect_right(sizes, seq)  # the first stamped size above seq includes it
        stamped_by[seq] = sizes[at] if at < len(sizes) else None
    stamps = []
    needed = {size for size in stamped_by.values() if size is not None}
    for size in sorted(needed - {checkpoint.tree_size}):
        stored = uow.ledger.checkpoint(size)
        token = uow.accountability.timestamp(size)
        if stored is None or token is None:
            continue
        nodes = uow.ledger.nodes(consistency_coords(size, checkpoint.tree_size))
        path = consistency_proof(size, checkpoint.tree_size, nodes)
        stamps.append(DossierStamp(stored, token, path))
    return StampCover(stamps, stamped_by)
