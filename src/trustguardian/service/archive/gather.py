"""Gathering the evidence archive of a time range: what long-term storage needs to prove, with
no database and no key but the public one, what the ledger held.

The leaves recorded in the range, each with its inclusion proof against the latest checkpoint;
the checkpoints signed in the range, each with its consistency proof to the latest; their
RFC 3161 stamps; the sealed proofs and evidence files of the range's events, still encrypted;
and the instance's public keys. Nothing is opened: a person erased since stays unreadable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from trustguardian.domain.errors import FieldError, InvalidInput, NotFound
from trustguardian.ledger import (
    consistency_coords,
    consistency_proof,
    inclusion_coords,
    inclusion_proof,
)
from trustguardian.ledger.tiles import tiles_of
from trustguardian.service.context import Context
from trustguardian.service.ops.keyring import key_chain
from trustguardian.service.tiles.read import tile_bytes
from trustguardian.store.archive import ArchivedLeaf, SealedBlob
from trustguardian.store.ledger import StoredCheckpoint


@dataclass(frozen=True)
class ProvedLeaf:
    leaf: ArchivedLeaf
    inclusion_path: list[bytes]


@dataclass(frozen=True)
class ProvedCheckpoint:
    checkpoint: StoredCheckpoint
    consistency_path: list[bytes]  # from this checkpoint's tree to the archive's latest


@dataclass(frozen=True)
class ArchiveData:
    start: datetime
    end: datetime
    created_at: datetime
    checkpoint: StoredCheckpoint  # the latest: every proof leads to it
    public_key: str  # the current verifier key, which signs the manifest
    signing_keys: list[dict[str, object]]  # the register: every key with its range and trust
    leaves: list[ProvedLeaf]
    checkpoints: list[ProvedCheckpoint]
    stamps: dict[int, bytes]  # tree size -> RFC 3161 token over that checkpoint's note
    sealed: list[SealedBlob]
    # The C2SP tiles and entry bundles of the whole tree up to `checkpoint` (the leaves hold no
    # personal data): the tree can be rebuilt from the bundle alone, as a monitor would.
    tiles: dict[str, bytes] = field(default_factory=dict)


def gather_archive(ctx: Context, *, start: datetime, end: datetime) -> ArchiveData:
    """Gathers the leaves, checkpoints, stamps and sealed blobs recorded in [start, end)."""
    if end <= start:
        raise InvalidInput("the range is empty", errors=[FieldError("to", "must be after --from")])
    with ctx.uow(write=False) as uow:
        latest = uow.ledger.latest_checkpoint()
        if latest is None:
            raise NotFound("the ledger is empty: nothing to archive")
        size = latest.tree_size
        leaves = [x for x in uow.archive.leaves_between(start, end) if x.seq < size]
        proved = []
        for x in leaves:
            nodes = uow.ledger.nodes(inclusion_coords(x.seq, size))
            proved.append(ProvedLeaf(x, inclusion_proof(x.seq, size, nodes)))
        checkpoints = []
        for cp in uow.archive.checkpoints_between(start, end):
            nodes = uow.ledger.nodes(consistency_coords(cp.tree_size, size))
            checkpoints.append(ProvedCheckpoint(cp, consistency_proof(cp.tree_size, size, nodes)))
        sizes = [size, *(c.checkpoint.tree_size for c in checkpoints)]
        stamps = uow.archive.stamps(sizes)
        sealed = uow.archive.sealed_blobs([x.seq for x in leaves if x.subject_id])
        keys = [k.as_json() for k in key_chain(ctx, uow.keyring)]
        tiles = {tile.path: tile_bytes(uow, tile) for tile in tiles_of(size)}
    return ArchiveData(
        start=start,
        end=end,
        created_at=ctx.clock.now(),
        checkpoint=latest,
        public_key=ctx.keys.signer.verifier_key,
        signing_keys=keys,
        leaves=proved,
        checkpoints=checkpoints,
        stamps=stamps,
        sealed=sealed,
        tiles=tiles,
    )
