"""The ledger's use cases: appending leaves, signing checkpoints, serving proofs."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass

from trustguardian.domain.errors import FieldError, InvalidInput, NotFound
from trustguardian.ledger import (
    Checkpoint,
    Node,
    append,
    append_coords,
    consistency_coords,
    consistency_proof,
    inclusion_coords,
    inclusion_proof,
    leaf_hash,
    root,
    root_coords,
    sign_checkpoint,
    signing_time_line,
)
from trustguardian.ledger.cosignature import add_cosignatures
from trustguardian.service.context import Context
from trustguardian.store.ledger import StoredCheckpoint
from trustguardian.store.uow import UnitOfWork


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def append_leaves(
    ctx: Context, uow: UnitOfWork, size: int, leaves: Sequence[bytes]
) -> StoredCheckpoint:
    """Appends leaves after `size` (the caller holds the sequencer lock) and signs a checkpoint."""
    hashes = [leaf_hash(leaf) for leaf in leaves]
    stored = uow.ledger.nodes(append_coords(size, len(hashes)))
    nodes = append(size, hashes, lambda level, index: stored[(level, index)])
    uow.ledger.add_nodes(nodes)
    new_size = size + len(hashes)
    uow.ledger.set_size(new_size)
    return _checkpoint(ctx, uow, new_size, nodes)


def _checkpoint(
    ctx: Context, uow: UnitOfWork, size: int, fresh: Sequence[Node]
) -> StoredCheckpoint:
    known = {node.coord: node.hash for node in fresh}
    needed = [c for c in root_coords(size) if c not in known]
    known.update(uow.ledger.nodes(needed))
    root_hash = root(size, known)
    signer = ctx.signer_for(uow.ledger.current_signing_key())
    now = ctx.clock.now()
    # The signing time goes under the signature, so the stored `created_at` is checkable.
    body = Checkpoint(signer.name, size, root_hash, (signing_time_line(now),))
    note = sign_checkpoint(body, signer)
    checkpoint = StoredCheckpoint(tree_size=size, root_hash=root_hash, note=note, created_at=now)
    uow.ledger.add_checkpoint(checkpoint)
    return checkpoint


@dataclass(frozen=True)
class InclusionProof:
    event_id: str
    leaf_index: int
    tree_size: int
    leaf: bytes
    leaf_hash: bytes
    inclusion_path: list[bytes]
    checkpoint: str

    def as_json(self) -> dict[str, object]:
        """The contract shape, with base64 hashes."""
        return {
            "event_id": self.event_id,
            "leaf_index": self.leaf_index,
            "tree_size": self.tree_size,
            "leaf": b64(self.leaf),
            "leaf_hash": b64(self.leaf_hash),
            "inclusion_path": [b64(h) for h in self.inclusion_path],
            "checkpoint": self.checkpoint,
        }


def cosigned(uow: UnitOfWork, checkpoint: StoredCheckpoint) -> StoredCheckpoint:
    """The checkpoint with the witnesses' cosignature lines stored for it appended."""
    lines = [c.line for c in uow.ledger.cosignatures(checkpoint.tree_size)]
    if not lines:
        return checkpoint
    note = add_cosignatures(checkpoint.note, lines)
    return StoredCheckpoint(checkpoint.tree_size, checkpoint.root_hash, note, checkpoint.created_at)


def latest_checkpoint(ctx: Context) -> StoredCheckpoint:
    """The latest signed checkpoint, with the cosignatures witnesses gave it so far."""
    with ctx.uow(write=False) as uow:
        found = uow.ledger.latest_checkpoint()
        if found is None:
            raise NotFound("the ledger is empty: no checkpoint yet")
        return cosigned(uow, found)


def checkpoint_json(ctx: Context, cp: StoredCheckpoint) -> dict[str, object]:
    """The contract shape of a checkpoint."""
    return {
        "origin": ctx.keys.signer.name,
        "tree_size": cp.tree_size,
        "root_hash": b64(cp.root_hash),
        "note": cp.note,
    }


def prove_inclusion(ctx: Context, *, event_id: str) -> InclusionProof:
    """Builds the inclusion proof of an event against the latest checkpoint (O(log n) reads),
    which carries the cosignatures witnesses gave it so far."""
    with ctx.uow(write=False) as uow:
        found = uow.events.get(event_id)
        if found is None:
            raise NotFound(f"no event {event_id!r}")
        event, leaf = found
        latest = uow.ledger.latest_checkpoint()
        assert latest is not None, "an event is always covered by a checkpoint of its own batch"
        checkpoint = cosigned(uow, latest)
        nodes = uow.ledger.nodes(inclusion_coords(event.seq, checkpoint.tree_size))
    return InclusionProof(
        event_id=event.id,
        leaf_index=event.seq,
        tree_size=checkpoint.tree_size,
        leaf=leaf,
        leaf_hash=leaf_hash(leaf),
        inclusion_path=inclusion_proof(event.seq, checkpoint.tree_size, nodes),
        checkpoint=checkpoint.note,
    )


def prove_consistency(ctx: Context, *, size1: int, size2: int) -> dict[str, object]:
    """Proves that the tree of size2 extends the tree of size1."""
    with ctx.uow(write=False) as uow:
        size = uow.ledger.size()
        if not 0 < size1 <= size2 <= size:
            raise InvalidInput(
                f"sizes must satisfy 0 < from <= to <= {size}",
                errors=[FieldError("from", f"got from={size1} to={size2}")],
            )
        coords = consistency_coords(size1, size2) + root_coords(size1) + root_coords(size2)
        nodes = uow.ledger.nodes(coords)
    return {
        "size1": size1,
        "size2": size2,
        "root1": b64(root(size1, nodes)),
        "root2": b64(root(size2, nodes)),
        "proof": [b64(h) for h in consistency_proof(size1, size2, nodes)],
    }
