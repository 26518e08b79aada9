"""Erasure (art. 17): crypto-shredding with its proof, the systems told, nothing readable left.

One transaction records `subject.erased` (its outbox row tells connected systems) and destroys
the subject's key; the identifiers' keyed hashes stay, so a later check says `suppressed`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from trustguardian.domain.errors import Conflict, NotFound
from trustguardian.domain.events import EventKind, PrivacyEvent
from trustguardian.domain.registry import ProofType
from trustguardian.service.collect.evidence import ProofDraft
from trustguardian.service.context import Context
from trustguardian.service.defence.keeping import keep_defence_copy
from trustguardian.service.events.recording import record_in_unit
from trustguardian.service.events.subjects import identifiers_of, shred_subject
from trustguardian.service.events.validate import EventDraft
from trustguardian.service.sync.erasures import keep_erasure_identifiers
from trustguardian.store.uow import UnitOfWork


@dataclass(frozen=True)
class SystemToErase:
    """A connected system that holds (or was sent) the person's data and must erase it too."""

    key: str
    name: str | None
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ErasureReport:
    subject_id: str
    erased_at: datetime
    event_id: str
    systems: tuple[SystemToErase, ...]
    message_files_removed: int


def erasure_draft(subject_id: str, touchpoint: str, actor: str, at: datetime) -> EventDraft:
    return EventDraft(
        kind=EventKind.SUBJECT_ERASED,
        touchpoint=touchpoint,
        occurred_at=at,
        subject_id=subject_id,
        proofs=(ProofDraft(ProofType.OPERATOR, {"operator": actor}),),
    )


def systems_to_erase(uow: UnitOfWork, subject_id: str) -> tuple[SystemToErase, ...]:
    """Systems named by the touchpoints of the subject's events, sent its events, or its source."""
    reasons: dict[str, set[str]] = {}
    registered = {s.key: s for s in uow.sync.systems()}
    hooks = {h.destination: h.system_key for h in uow.sync.webhooks()}
    touchpoints = {e.touchpoint for e in uow.events.for_subject(subject_id)}
    for key in touchpoints:
        tp = uow.touchpoints.get(key)
        for system in tp.systems if tp else ():
            reasons.setdefault(system, set()).add(f"touchpoint {key}")
    for delivery in uow.sync.subject_deliveries(subject_id):
        sent_to = hooks.get(delivery.destination)
        if sent_to is not None:
            reasons.setdefault(sent_to, set()).add("was sent the subject's events")
    receiving = {h.system_key for h in uow.sync.webhooks(active_only=True)}
    for system in registered:
        if system in receiving:
            reasons.setdefault(system, set()).add("receives the subject.erased webhook")
    return tuple(
        SystemToErase(key, registered[key].name if key in registered else None, tuple(sorted(why)))
        for key, why in sorted(reasons.items())
    )


def shred_everything(ctx: Context, uow: UnitOfWork, subject_id: str) -> None:
    """Destroys the key (so every sealed value goes) and revokes the subject's links.

    The identifiers each system's `subject.erased` must carry are sealed for it first, and the
    proofs a claim may need are kept apart under the defence key (service.defence)."""
    keep_erasure_identifiers(ctx, uow, subject_id)
    keep_defence_copy(ctx, uow, subject_id)
    shred_subject(ctx, subject_id=subject_id, uow=uow)
    uow.rights.revoke_subject_links(subject_id, ctx.clock.now())


def erase_in_unit(
    ctx: Context,
    uow: UnitOfWork,
    *,
    subject_id: str,
    touchpoint: str,
    actor: str,
    also: Sequence[EventDraft] = (),
) -> ErasureReport:
    """Records `subject.erased` (after `also`) and shreds, inside the caller's unit of work."""
    subject = uow.subjects.get(subject_id)
    if subject is None:
        raise NotFound(f"no subject {subject_id!r}")
    if subject.shredded:
        raise Conflict(f"subject {subject_id!r} was erased already")
    now = ctx.clock.now()
    values = [i.value for i in identifiers_of(ctx, uow, subject_id) if i.value]
    events: list[PrivacyEvent] = record_in_unit(
        ctx, uow, [*also, erasure_draft(subject_id, touchpoint, actor, now)]
    )
    systems = systems_to_erase(uow, subject_id)
    shred_everything(ctx, uow, subject_id)
    removed = remove_message_files(ctx.settings.outbox_dir, values)
    return ErasureReport(subject_id, now, events[-1].id, systems, removed)


def erase_subject(ctx: Context, *, subject_id: str, touchpoint: str, actor: str) -> ErasureReport:
    """Erases a subject outside any rights request (an operator's decision, e.g. by the CLI)."""
    with ctx.uow() as uow:
        uow.ledger.lock_head()
        report = erase_in_unit(ctx, uow, subject_id=subject_id, touchpoint=touchpoint, actor=actor)
        uow.commit()
    return report


def remove_message_files(outbox: Path, values: Sequence[str]) -> int:
    """Deletes messages left in the directory outbox (the demo's mail) that name the person.

    With SMTP or an SMS gateway nothing stays here; the directory adapters keep files in clear.
    """
    removed = 0
    needles = [v.encode() for v in values if len(v) >= 3]
    if not needles or not outbox.is_dir():
        return 0
    for path in outbox.rglob("*"):
        if not path.is_file():
            continue
        content = path.read_bytes()
        if any(n in content for n in needles):
            path.unlink()
            removed += 1
    return removed
