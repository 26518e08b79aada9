"""Destroying defence copies when their retention ends, unless a legal hold stands.

Destruction deletes the wrapped data key and the sealed proofs, and is a ledger leaf; from then
on nothing of the copy can be read. The dispatcher runs it with its periodic work, and
`trustguardian defence purge` runs it by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

from trustguardian.service.context import Context
from trustguardian.service.events.records import record_objects
from trustguardian.store.snapshots import DEFENCE_COPY
from trustguardian.store.uow import UnitOfWork
from trustguardian.vault.keys import (
    PURPOSE_DEFENCE_WRAP,
    unwrap_with_any,
    wrap_data_key,
    wrapped_key_id,
)


@dataclass(frozen=True)
class PurgeReport:
    destroyed: tuple[str, ...]  # subject ids
    held: dict[str, tuple[str, ...]]  # subject id -> the holds that keep its copy


def purge_defence_copies(ctx: Context) -> PurgeReport:
    """Destroys every defence copy past its retention that no standing legal hold covers."""
    now = ctx.clock.now()
    destroyed: list[str] = []
    held: dict[str, tuple[str, ...]] = {}
    with ctx.uow() as uow:
        for copy in uow.defence.due(now):
            touchpoints = sorted({e.touchpoint for e in uow.events.for_subject(copy.subject_id)})
            holds = uow.defence.standing_holds(copy.subject_id, touchpoints)
            if holds:
                held[copy.subject_id] = tuple(h.id for h in holds)
                continue
            uow.defence.destroy(copy.subject_id, now)
            destroyed.append(copy.subject_id)
        if destroyed:
            record_objects(ctx, uow, DEFENCE_COPY, destroyed, "destroyed")
        uow.commit()
    return PurgeReport(tuple(destroyed), held)


def rewrap_defence_keys(ctx: Context, uow: UnitOfWork) -> int:
    """Wraps every kept defence copy's data key under the current master key (a rotation)."""
    current = ctx.keys.master.key_id
    done = 0
    for copy in uow.defence.copies(kept_only=True):
        if copy.wrapped_key is None or wrapped_key_id(copy.wrapped_key) == current:
            continue
        key = unwrap_with_any(
            ctx.keys.masters, copy.subject_id, copy.wrapped_key, PURPOSE_DEFENCE_WRAP
        )
        wrapped = wrap_data_key(
            ctx.keys.master, copy.subject_id, key, ctx.rng, PURPOSE_DEFENCE_WRAP
        )
        uow.defence.set_wrapped(copy.subject_id, wrapped)
        done += 1
    return done
