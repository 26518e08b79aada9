"""Registry changes as ledger leaves: appended under the sequencer lock, in the caller's unit
of work, so that a registry row and the leaf committing to it are kept or lost together.

Use: after writing the registry row, in the same unit of work,

    record_registry_change(ctx, uow, "registry.notice_version.published", "notice_version",
                           "privacy-clienti/2", {"sha256": ..., "effective_from": ...}, actor)

`content` is plain JSON (str, int, bool, None, lists, dicts with str keys): what `verify` later
recomputes from the registry row and compares with the latest record of that object.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from trustguardian.domain.events import timestamp
from trustguardian.ledger.records import RecordLeaf, content_text
from trustguardian.service.context import Context
from trustguardian.service.events.ledger import append_leaves
from trustguardian.store.records import StoredRecord
from trustguardian.store.uow import UnitOfWork


@dataclass(frozen=True)
class RegistryChange:
    """One registry change to commit: `kind` is `registry.<object type>.<what happened>`."""

    kind: str
    object_type: str
    object_key: str
    content: Mapping[str, object]
    actor: str


def record_registry_changes(
    ctx: Context, uow: UnitOfWork, changes: Sequence[RegistryChange]
) -> list[StoredRecord]:
    """Appends one leaf per change at the next ledger indexes (taking the sequencer lock for the
    caller's transaction) and signs a checkpoint; the caller commits. Nothing for no change.

    A caller that also writes events in the same unit of work takes `uow.ledger.lock_head()`
    after this, so its events follow these leaves."""
    if not changes:
        return []
    size = uow.ledger.lock_head()
    now = ctx.clock.now()
    at = timestamp(now)
    stored = []
    for offset, change in enumerate(changes):
        text = content_text(change.content)  # also refuses what is not plain JSON
        leaf = RecordLeaf(
            seq=size + offset,
            kind=change.kind,
            object_type=change.object_type,
            object_key=change.object_key,
            content=change.content,
            recorded_at=at,
            actor=change.actor,
        ).leaf()
        stored.append(
            StoredRecord(
                size + offset,
                change.kind,
                change.object_type,
                change.object_key,
                text,
                now,
                change.actor,
                leaf,
            )
        )
    uow.records.add_many(stored)
    append_leaves(ctx, uow, size, [r.leaf for r in stored])
    return stored


def record_registry_change(
    ctx: Context,
    uow: UnitOfWork,
    kind: str,
    object_type: str,
    object_key: str,
    content: Mapping[str, object],
    actor: str,
) -> StoredRecord:
    """Appends the leaf of one registry change (see `record_registry_changes`)."""
    (record,) = record_registry_changes(
        ctx, uow, [RegistryChange(kind, object_type, object_key, content, actor)]
    )
    return record
