"""What an attacker with write access to the database can do with our own code: rewrite an
event's row and leaf, rebuild the Merkle tree over the leaves, register a key of their own and
re-sign every checkpoint with it. Tests use these to show that only pinned trust stops them."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import delete, insert, select, update

from trustguardian.ledger import (
    Checkpoint,
    Signer,
    canonical_json_plain,
    leaf_hash,
    root,
    sign_checkpoint,
)
from trustguardian.service.context import Context
from trustguardian.service.events.consent import _refold
from trustguardian.service.verify.fast import tree_levels
from trustguardian.store import tables as t


def rewrite_event(
    ctx: Context, seq: int, *, row: dict[str, Any] | None = None, **leaf_changes: Any
) -> dict[str, Any]:
    """Changes fields of an event's leaf, written canonically as our writer would, and the
    row's columns that follow them (the kind, and any named in `row`); returns the new leaf."""
    with ctx.engine.begin() as c:
        leaf = bytes(c.execute(select(t.events.c.leaf).where(t.events.c.seq == seq)).scalar_one())
        envelope = {**json.loads(leaf), **leaf_changes}
        values: dict[str, Any] = {"leaf": canonical_json_plain(envelope)}
        if "kind" in leaf_changes:
            values["kind"] = leaf_changes["kind"]
        values.update(row or {})
        c.execute(update(t.events).where(t.events.c.seq == seq).values(**values))
    return envelope


def refold(ctx: Context, subject_id: str, purpose: str) -> None:
    """The subject's stored consent states rebuilt from its (rewritten) events by our fold."""
    with ctx.uow() as uow:
        _refold(uow, {(subject_id, purpose)})
        uow.commit()


def rebuild_tree(ctx: Context) -> list[bytes]:
    """Every tree node recomputed from the stored leaves and written back; returns each
    checkpoint's new root, by tree size."""
    with ctx.engine.begin() as c:
        # Every leaf of the tree: the events' and the registry records', by index.
        events = select(t.events.c.seq, t.events.c.leaf)
        records = select(t.registry_records.c.seq, t.registry_records.c.leaf)
        ordered = c.execute(events.union_all(records).order_by("seq")).all()
        leaves = [leaf for _, leaf in ordered]
        levels = tree_levels([leaf_hash(bytes(leaf)) for leaf in leaves])
        c.execute(delete(t.tree_nodes))
        c.execute(
            insert(t.tree_nodes),
            [
                {"level": level, "idx": index, "hash": digest}
                for level, hashes in enumerate(levels)
                for index, digest in enumerate(hashes)
            ],
        )
        nodes = {
            (level, index): digest
            for level, hashes in enumerate(levels)
            for index, digest in enumerate(hashes)
        }
        sizes = c.execute(select(t.checkpoints.c.tree_size)).scalars().all()
        roots = []
        for size in sizes:
            digest = root(size, nodes)
            c.execute(
                update(t.checkpoints)
                .where(t.checkpoints.c.tree_size == size)
                .values(root_hash=digest)
            )
            roots.append(digest)
    return roots


def re_sign_every_checkpoint(ctx: Context, signer: Signer) -> int:
    """Every checkpoint signed anew by `signer` over the roots stored now; returns how many."""
    with ctx.engine.begin() as c:
        rows = c.execute(select(t.checkpoints.c.tree_size, t.checkpoints.c.root_hash)).all()
        for size, root_hash in rows:
            note = sign_checkpoint(Checkpoint(signer.name, size, bytes(root_hash)), signer)
            c.execute(
                update(t.checkpoints).where(t.checkpoints.c.tree_size == size).values(note=note)
            )
    return len(rows)


def register_key(ctx: Context, signer: Signer, *, replace_all: bool = False) -> None:
    """Registers `signer` as the current signing key from tree size 0, unendorsed, as an
    attacker writing `signing_keys` would; `replace_all` first deletes every key there."""
    with ctx.engine.begin() as c:
        if replace_all:
            c.execute(delete(t.signing_keys))
        else:
            c.execute(
                update(t.signing_keys)
                .where(t.signing_keys.c.until_tree_size.is_(None))
                .values(until_tree_size=0)
            )
        c.execute(
            insert(t.signing_keys).values(
                key_hash=signer.verifier.key_hash.hex(),
                verifier_key=signer.verifier_key,
                from_tree_size=0,
                until_tree_size=None,
                activated_at=ctx.clock.now(),
                retired_at=None,
                endorsement=None,
            )
        )
