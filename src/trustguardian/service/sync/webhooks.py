"""Use cases for a webhook's life (disable, enable, delete) and for its dead letters.

Retrying or discarding dead letters is a registry record (object type `dead_letters`, keyed by
the webhook, the system or `all`): one leaf naming who moved how many, which events, and the
SHA-256 of the `destination seq` lines moved. A discarded letter is a system never told of an
event, which an inspector may ask about."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace

from trustguardian.domain.errors import Conflict, NotFound
from trustguardian.domain.sync import DeliveryStatus, Webhook
from trustguardian.service.context import Context
from trustguardian.service.events.records import record_objects, record_registry_change
from trustguardian.store.snapshots import WEBHOOK
from trustguardian.store.sync import DeadLetter
from trustguardian.store.uow import UnitOfWork

ACTIVE, DISABLED, DELETED = "active", "disabled", "deleted"
DEAD_LETTERS = "dead_letters"
MOVES = {DeliveryStatus.PENDING: "retried", DeliveryStatus.DISCARDED: "discarded"}


@dataclass(frozen=True)
class DeadLetterView:
    """A dead letter with the webhook and system it was meant for."""

    letter: DeadLetter
    webhook_id: str | None
    system: str | None


def disable_webhook(ctx: Context, *, hook_id: str, actor: str = "registry") -> Webhook:
    """Stops deliveries to a webhook; it keeps its place and resumes from there when enabled."""
    return _set_status(ctx, hook_id, DISABLED, actor)


def enable_webhook(ctx: Context, *, hook_id: str, actor: str = "registry") -> Webhook:
    """Resumes deliveries to a disabled webhook from where it stopped."""
    return _set_status(ctx, hook_id, ACTIVE, actor)


def delete_webhook(ctx: Context, *, hook_id: str, actor: str = "registry") -> Webhook:
    """Deletes a webhook for good: its secrets are destroyed, what it was owed is discarded.

    Its record stays (marked deleted) so that the deliveries it made still name their system.
    """
    now = ctx.clock.now()
    with ctx.uow() as uow:
        hook = _live(uow, hook_id)
        uow.sync.set_webhook_status(hook_id, DELETED)
        uow.sync.delete_secrets(hook_id)
        uow.sync.discard_open(hook.destination, now)
        uow.sync.forget_position(hook.destination)
        uow.sync.purge_erasure_notices()
        record_objects(ctx, uow, WEBHOOK, [hook_id], DELETED, actor)
        uow.commit()
    return replace(hook, status=DELETED)


def list_dead_letters(
    ctx: Context, *, hook_id: str | None = None, system: str | None = None, limit: int = 1000
) -> list[DeadLetterView]:
    """Lists the deliveries that ran out of attempts, oldest event first."""
    with ctx.uow(write=False) as uow:
        destinations = _destinations(uow, hook_id, system)
        hooks = {h.destination: h for h in uow.sync.webhooks()}
        letters = uow.sync.dead_letters(destinations, None, limit)
    return [
        DeadLetterView(
            d,
            hooks[d.delivery.destination].id if d.delivery.destination in hooks else None,
            hooks[d.delivery.destination].system_key if d.delivery.destination in hooks else None,
        )
        for d in letters
    ]


def retry_dead_letters(
    ctx: Context,
    *,
    hook_id: str | None = None,
    system: str | None = None,
    seqs: Sequence[int] | None = None,
    actor: str = "registry",
) -> int:
    """Makes dead letters due again, with a fresh count of attempts; returns how many.

    A retried `subject.erased` no longer carries identifiers: they left when it went dead."""
    return _move_dead(ctx, Letters(hook_id, system, seqs), DeliveryStatus.PENDING, actor)


def discard_dead_letters(
    ctx: Context,
    *,
    hook_id: str | None = None,
    system: str | None = None,
    seqs: Sequence[int] | None = None,
    actor: str = "registry",
) -> int:
    """Gives dead letters up on purpose (they leave the reconciliation); returns how many."""
    return _move_dead(ctx, Letters(hook_id, system, seqs), DeliveryStatus.DISCARDED, actor)


@dataclass(frozen=True)
class Letters:
    """Which dead letters: a webhook's, a system's, some events' (None: no such limit)."""

    hook_id: str | None
    system: str | None
    seqs: Sequence[int] | None

    @property
    def scope(self) -> str:
        """What a record of moving them is keyed by: `webhook:ID`, `system:KEY` or `all`."""
        if self.hook_id is not None:
            return f"webhook:{self.hook_id}"
        return "all" if self.system is None else f"system:{self.system}"


def _move_dead(ctx: Context, which: Letters, status: DeliveryStatus, actor: str) -> int:
    """Moves the dead letters and, when any moved, records in one leaf who moved which."""
    with ctx.uow() as uow:
        destinations = _destinations(uow, which.hook_id, which.system)
        moved = uow.sync.set_dead(destinations, which.seqs, status, ctx.clock.now())
        if moved:
            lines = "".join(f"{destination} {seq}\n" for destination, seq in moved)
            content = {
                "webhook": which.hook_id,
                "system": which.system,
                "letters": len(moved),
                "letters_sha256": hashlib.sha256(lines.encode()).hexdigest(),
                "seqs": sorted({seq for _, seq in moved}),
            }
            change = MOVES[status]
            kind = f"registry.{DEAD_LETTERS}.{change}"
            record_registry_change(ctx, uow, kind, DEAD_LETTERS, which.scope, content, actor)
        uow.commit()
    return len(moved)


def _destinations(uow: UnitOfWork, hook_id: str | None, system: str | None) -> list[str] | None:
    """The destinations a filter names (None: every destination)."""
    if hook_id is not None:
        hook = uow.sync.webhook(hook_id)
        if hook is None or (system is not None and hook.system_key != system):
            raise NotFound(f"no webhook {hook_id!r}")
        return [hook.destination]
    if system is not None:
        if uow.sync.system(system) is None:
            raise NotFound(f"no system {system!r}")
        return [h.destination for h in uow.sync.webhooks() if h.system_key == system]
    return None


def _set_status(ctx: Context, hook_id: str, status: str, actor: str) -> Webhook:
    with ctx.uow() as uow:
        hook = _live(uow, hook_id)
        uow.sync.set_webhook_status(hook_id, status)
        if status != ACTIVE:
            uow.sync.purge_erasure_notices()
        change = {ACTIVE: "enabled", DISABLED: "disabled"}[status]
        record_objects(ctx, uow, WEBHOOK, [hook_id], change, actor)
        uow.commit()
    return replace(hook, status=status)


def _live(uow: UnitOfWork, hook_id: str) -> Webhook:
    hook = uow.sync.webhook(hook_id)
    if hook is None:
        raise NotFound(f"no webhook {hook_id!r}")
    if hook.status == DELETED:
        raise Conflict(f"webhook {hook_id!r} was deleted")
    return hook
