"""The registry entered into the ledger once: a genesis snapshot leaf per registry object.

A database from a release before registry records holds touchpoints, purposes, notices, keys
and users that no leaf commits to. `trustguardian migrate` (and `init`) records each such object
as it stands, with kind `registry.<object type>.genesis`, in one unit of work under the
sequencer lock; objects that already have a leaf are left alone, so running it again records
nothing. From then on every change records its own leaf, and `verify` checks each row.
"""

from __future__ import annotations

from trustguardian.service.context import Context
from trustguardian.service.events.records import RegistryChange, record_registry_changes
from trustguardian.store.snapshots import OBJECT_TYPES

GENESIS_ACTOR = "migrate"


def enter_registry_genesis(ctx: Context) -> int:
    """Records every registry object no leaf records yet; returns how many were recorded."""
    with ctx.uow() as uow:
        uow.ledger.lock_head()  # two processes migrating at once: the second finds the first's
        changes: list[RegistryChange] = []
        for object_type in OBJECT_TYPES:
            recorded = {key for _, key in uow.records.latest(object_type)}
            changes.extend(
                RegistryChange(
                    f"registry.{object_type}.genesis", object_type, key, content, GENESIS_ACTOR
                )
                for key, content in sorted(uow.snapshots.of(object_type).items())
                if key not in recorded
            )
        record_registry_changes(ctx, uow, changes)
        uow.commit()
    return len(changes)
