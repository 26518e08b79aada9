"""Recording privacy events: one transaction writes the events, their proofs, the ledger leaves,
the checkpoint and the consent state, or nothing at all."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import Any

from trustguardian.domain.consent import PROTECTIVE, correctable
from trustguardian.domain.errors import Conflict, FieldError, InvalidInput, NotFound
from trustguardian.domain.events import EventKind, PrivacyEvent
from trustguardian.ledger import canonical_json_plain
from trustguardian.service.collect import confirm_requests
from trustguardian.service.collect.evidence import data_aad, seal_proof
from trustguardian.service.context import Context
from trustguardian.service.events.consent import update_consent
from trustguardian.service.events.ledger import append_leaves
from trustguardian.service.events.resolve import BatchSubjects
from trustguardian.service.events.validate import EventDraft, Plan, check_draft
from trustguardian.service.fingerprints import same_request
from trustguardian.service.gc_pause import gc_paused
from trustguardian.service.ops import metrics
from trustguardian.service.pagination import Page, decode_cursor, paginate
from trustguardian.service.registry.cache import RegistryCache
from trustguardian.store.events import EventFilter as EventFilter  # callers filter lists with it
from trustguardian.store.events import EventRef, StoredProof, event_columns
from trustguardian.store.uow import UnitOfWork
from trustguardian.vault import commitment, new_salt, seal

MAX_BATCH = 10_000


class IdempotencyKeyReused(Conflict):
    code = "idempotency-key-reused"
    title = "Idempotency key already used for a different request"


@dataclass(frozen=True)
class Recorded:
    event: PrivacyEvent
    replayed: bool


def record_events(
    ctx: Context,
    *,
    drafts: Sequence[EventDraft],
    acting: str | None = None,
    batch_key: str | None = None,
    batch_scope: str = "batch:service",
    before_commit: Callable[[UnitOfWork, list[PrivacyEvent]], None] | None = None,
    minted: bool = False,
) -> list[Recorded]:
    """Records events, all or nothing; an idempotent retry returns the original events.

    A consent.given through a touchpoint that confirms consents is recorded awaiting
    confirmation, and its message is sent after the commit. `before_commit` runs in the same
    transaction with the new events (e.g. to use up the link that confirmed them). `minted`
    marks confirmations this instance witnessed (see confirm_requests.awaiting).
    """
    if not drafts or len(drafts) > MAX_BATCH:
        raise InvalidInput(
            f"send between 1 and {MAX_BATCH} events",
            errors=[FieldError("events", str(len(drafts)))],
        )
    # A batch makes tens of thousands of short-lived objects: see service.gc_pause.
    with gc_paused(), ctx.uow() as uow:
        # Checking drafts only reads the registry, so it runs before the sequencer lock and
        # concurrent writers overlap it instead of queueing for it. A refused draft sends the
        # whole request down the locked path: a retry of an event recorded earlier must replay,
        # not fail, and only the lock makes the idempotency lookup authoritative.
        early = _precheck(ctx, uow, drafts, acting)
        size = uow.ledger.lock_head()
        fingerprint = hashlib.sha256("\n".join(d.fingerprint for d in drafts).encode()).hexdigest()
        if batch_key is not None:
            earlier = uow.events.idempotent(batch_scope, [batch_key]).get(batch_key)
            if earlier is not None:
                return _replay(uow, earlier, fingerprint, batch_key)
        replayed, fresh = _split_replays(uow, drafts)
        plans = (
            [(n, early[n]) for n, _ in fresh]
            if early is not None
            else _check_all(ctx, uow, fresh, acting)
        )
        waiting = confirm_requests.awaiting(ctx, uow, plans, minted=minted)
        within = {n: w.within for n, w in waiting.items()}
        recorded = _write(ctx, uow, size, plans, within) if plans else {}
        names = {p.touchpoint.key: p.touchpoint.name for _, p in plans}
        outgoing = confirm_requests.open_requests(ctx, uow, waiting, recorded, names)
        if batch_key is not None:
            ids = [recorded[n].id if n in recorded else replayed[n] for n in range(len(drafts))]
            uow.events.add_idempotency(
                [
                    {
                        "scope": batch_scope,
                        "key": batch_key,
                        "request_sha256": fingerprint,
                        "event_ids": ids,
                        "created_at": ctx.clock.now(),
                    }
                ]
            )
        earlier_events = {e.id: e for e in uow.events.by_ids(list(set(replayed.values())))}
        if before_commit is not None:
            before_commit(uow, [recorded[n] for n in sorted(recorded)])
        uow.commit()
    metrics.EVENTS_RECORDED.inc(len(recorded))
    if outgoing:
        confirm_requests.deliver(ctx, outgoing)
    return [
        Recorded(recorded[n], False)
        if n in recorded
        else Recorded(earlier_events[replayed[n]], True)
        for n in range(len(drafts))
    ]


def _replay(
    uow: UnitOfWork, earlier: tuple[str, list[str]], fingerprint: str, key: str
) -> list[Recorded]:
    if earlier[0] != fingerprint:
        raise IdempotencyKeyReused(f"idempotency key {key!r} was used for a different request")
    return [Recorded(e, True) for e in uow.events.by_ids(earlier[1])]


def _split_replays(
    uow: UnitOfWork, drafts: Sequence[EventDraft]
) -> tuple[dict[int, str], list[tuple[int, EventDraft]]]:
    """Separates retries (same touchpoint and idempotency key) from new events."""
    by_scope: dict[str, list[str]] = {}
    for d in drafts:
        if d.idempotency_key is not None:
            by_scope.setdefault(d.touchpoint, []).append(d.idempotency_key)
    known = {
        (scope, k): v
        for scope, keys in by_scope.items()
        for k, v in uow.events.idempotent(scope, keys).items()
    }
    replayed: dict[int, str] = {}
    fresh: list[tuple[int, EventDraft]] = []
    seen: dict[tuple[str, str], str] = {}
    for n, d in enumerate(drafts):
        if d.idempotency_key is None:
            fresh.append((n, d))
            continue
        slot = (d.touchpoint, d.idempotency_key)
        if slot in known:
            digest, ids = known[slot]
            if not same_request(digest, d.fingerprint, d.legacy_fingerprint):
                raise IdempotencyKeyReused(
                    f"idempotency key {d.idempotency_key!r} was used for a different event",
                    errors=[FieldError(f"events.{n}.idempotency_key", "reused")],
                )
            replayed[n] = ids[0]
        elif slot in seen:
            raise InvalidInput(
                "the same idempotency key appears twice in one batch",
                errors=[FieldError(f"events.{n}.idempotency_key", "duplicate in batch")],
            )
        else:
            seen[slot] = d.fingerprint
            fresh.append((n, d))
    return replayed, fresh


def _precheck(
    ctx: Context, uow: UnitOfWork, drafts: Sequence[EventDraft], acting: str | None
) -> dict[int, Plan] | None:
    """Every draft's plan when all of them pass, else None (the caller re-checks under lock)."""
    try:
        return dict(_check_all(ctx, uow, list(enumerate(drafts)), acting))
    except InvalidInput:
        return None


def _check_all(
    ctx: Context, uow: UnitOfWork, fresh: list[tuple[int, EventDraft]], acting: str | None
) -> list[tuple[int, Plan]]:
    registry = RegistryCache(uow)
    now = ctx.clock.now()
    skew = timedelta(seconds=ctx.settings.clock_skew_seconds)
    plans: list[tuple[int, Plan]] = []
    errors: list[FieldError] = []
    for n, draft in fresh:
        plan, problems = check_draft(
            draft, registry, now=now, skew=skew, acting=acting, loc=f"events.{n}"
        )
        errors.extend(problems)
        if plan is not None:
            plans.append((n, plan))
    if errors:
        raise InvalidInput(
            f"{len({e.loc.split('.')[1] for e in errors})} event(s) refused; nothing was recorded",
            errors=errors,
        )
    return plans


def _write(
    ctx: Context,
    uow: UnitOfWork,
    size: int,
    plans: list[tuple[int, Plan]],
    confirm_within: dict[int, timedelta],
) -> dict[int, PrivacyEvent]:
    subjects = BatchSubjects(ctx, uow)
    subjects.prepare(
        [p.draft.identifiers for _, p in plans], [p.draft.subject_id for _, p in plans]
    )
    corrected = uow.events.existing_ids([p.draft.corrects for _, p in plans if p.draft.corrects])
    now = ctx.clock.now()
    rows: list[dict[str, Any]] = []
    proofs: list[StoredProof] = []
    blobs: list[dict[str, Any]] = []
    leaves: list[bytes] = []
    idempotency: list[dict[str, Any]] = []
    recorded: dict[int, PrivacyEvent] = {}
    for offset, (n, plan) in enumerate(plans):
        d = plan.draft
        loc = f"events.{n}"
        subject_id, blinds = subjects.resolve(d.identifiers, d.subject_id, loc)
        if d.corrects is not None:
            _check_correction(d, corrected.get(d.corrects), subject_id, loc)
        seq = size + offset
        event_id = ctx.ids.new_id("evt")
        data_key = subjects.data_key(subject_id)
        sealed = [
            seal_proof(
                p,
                data_key=data_key,
                subject_id=subject_id,
                event_id=event_id,
                seq=seq,
                position=i,
                rng=ctx.rng,
                max_size=ctx.settings.max_evidence_bytes,
                loc=f"{loc}.proofs.{i}",
            )
            for i, p in enumerate(d.proofs)
        ]
        data_commitment, data_sealed = None, None
        if d.data is not None:
            content = canonical_json_plain(d.data)
            salt = new_salt(ctx.rng)
            data_commitment = commitment(salt, content)
            data_sealed = seal(data_key, salt + content, data_aad(event_id), ctx.rng)
        event = PrivacyEvent(
            id=event_id,
            seq=seq,
            kind=d.kind,
            touchpoint=plan.touchpoint.key,
            subject_id=subject_id,
            identifiers=tuple(blinds),
            purpose=plan.purpose.key if plan.purpose else None,
            purpose_version=plan.purpose.version if plan.purpose else None,
            channels=plan.channels,
            notice=plan.notice.key if plan.notice else None,
            notice_version=plan.notice.version if plan.notice else None,
            notice_sha256=plan.notice.sha256 if plan.notice else None,
            occurred_at=d.occurred_at.astimezone(UTC),
            recorded_at=now,
            corrects=d.corrects,
            proofs=tuple(s.record for s in sealed),
            data_commitment=data_commitment,
            campaign=d.campaign,
            check_id=d.check_id,
            confirm_by=now + confirm_within[n] if n in confirm_within else None,
        )
        leaf = canonical_json_plain(event.envelope())
        leaves.append(leaf)
        rows.append(event_columns(event, leaf, data_sealed))
        proofs.extend(s.stored for s in sealed)
        blobs.extend(
            {
                "subject_id": subject_id,
                "address": s.blob.address,
                "media_type": s.blob.media_type,
                "size": s.blob.size,
                "sealed": s.blob.sealed,
                "created_at": now,
            }
            for s in sealed
            if s.blob is not None
        )
        if d.idempotency_key is not None:
            idempotency.append(
                {
                    "scope": d.touchpoint,
                    "key": d.idempotency_key,
                    "request_sha256": d.fingerprint,
                    "event_ids": [event_id],
                    "created_at": now,
                }
            )
        recorded[n] = event
    subjects.flush()
    uow.events.add_many(rows)
    uow.sync.add_outbox(
        [
            {
                "seq": e.seq,
                "event_id": e.id,
                "subject_id": e.subject_id,
                "kind": e.kind.value,
                "purpose_key": e.purpose,
                "source_system": plan.draft.source_system,
                "created_at": now,
            }
            for n, plan in plans
            for e in (recorded[n],)
        ]
    )
    uow.events.add_proofs(proofs)
    uow.events.add_blobs(blobs)
    uow.events.add_idempotency(idempotency)
    uow.engage.add_contacts(_contacts(uow, list(recorded.values())))
    append_leaves(ctx, uow, size, leaves)
    refold = {
        (e.subject_id, purpose)
        for e in recorded.values()
        if e.corrects is not None
        for purpose in (e.purpose, corrected[e.corrects][1])
        if purpose is not None
    }
    update_consent(uow, [(recorded[n], plan) for n, plan in plans], refold)
    return recorded


def _check_correction(
    draft: EventDraft, target: EventRef | None, subject_id: str, loc: str
) -> None:
    """A correction names an event of the same subject, recorded at the same touchpoint, of a
    kind it may correct (domain.consent.correctable): no touchpoint can undo what another
    recorded, and nothing takes back a withdrawal or refusal."""
    if target is None or target.subject_id != subject_id:
        problem = f"no event {draft.corrects!r} of this subject"
    elif target.touchpoint != draft.touchpoint:
        problem = (
            f"event {draft.corrects!r} was recorded by touchpoint {target.touchpoint!r}: only "
            "that touchpoint may correct it"
        )
    elif not correctable(target.kind, draft.kind):
        problem = (
            f"a {draft.kind.value} cannot correct a {target.kind}: a withdrawal or refusal is "
            "superseded only by a later, dated consent with its own proofs"
            if target.kind in PROTECTIVE
            else f"a {draft.kind.value} cannot correct a {target.kind}"
        )
    else:
        return
    raise InvalidInput(
        "a correction names an event of the same subject, touchpoint and a compatible kind",
        errors=[FieldError(f"{loc}.corrects", problem)],
    )


# A check older than this before the contact no longer vouches for it.
CHECK_VALIDITY = timedelta(hours=24)
# A contact reported by another system may carry that system's clock.
CHECK_SKEW = timedelta(minutes=5)


def _contacts(uow: UnitOfWork, events: list[PrivacyEvent]) -> list[dict[str, Any]]:
    """Contact rows (for frequency caps), each flagged when no allowed check stands behind it."""
    made = [e for e in events if e.kind is EventKind.CONTACT_MADE]
    cited = [e.check_id for e in made if e.check_id]
    checks = uow.engage.checks(cited)  # with those the server journalled a moment ago
    rows = []
    for e in made:
        check = checks.get(e.check_id or "")
        if e.check_id is None:
            flag: str | None = "no_check"
        elif check is None:
            flag = "unknown_check"
        elif (check.subject_id, check.purpose_key, check.channel) != (
            e.subject_id,
            e.purpose,
            e.channels[0].value,
        ):
            flag = "check_mismatch"
        elif not check.allowed:
            flag = "despite_denial"
        elif check.checked_at > e.occurred_at + CHECK_SKEW:
            flag = "check_after_contact"
        elif check.checked_at < e.occurred_at - CHECK_VALIDITY:
            flag = "stale_check"
        else:
            flag = None
        rows.append(
            {
                "event_seq": e.seq,
                "subject_id": e.subject_id,
                "purpose_key": e.purpose,
                "channel": e.channels[0].value,
                "touchpoint_key": e.touchpoint,
                "campaign": e.campaign,
                "check_id": e.check_id,
                "occurred_at": e.occurred_at,
                "flag": flag,
            }
        )
    return rows


def get_event(ctx: Context, *, event_id: str) -> PrivacyEvent:
    """Gets one event by its id."""
    with ctx.uow(write=False) as uow:
        found = uow.events.get(event_id)
    if found is None:
        raise NotFound(f"no event {event_id!r}")
    return found[0]


def list_events(
    ctx: Context, *, flt: EventFilter, cursor: str | None = None, limit: int | None = None
) -> Page[PrivacyEvent]:
    """Lists events in ledger order, filtered, a page at a time."""
    size = ctx.limit(limit)
    after = decode_cursor(cursor)
    if after is not None and not after.isdigit():
        raise InvalidInput(
            "invalid cursor", errors=[FieldError("cursor", "not a cursor we issued")]
        )
    with ctx.uow(write=False) as uow:
        rows = uow.events.page(flt, after=int(after) if after else None, limit=size + 1)
    return paginate(rows, size, lambda e: str(e.seq))


def record_in_unit(
    ctx: Context, uow: UnitOfWork, drafts: Sequence[EventDraft], *, acting: str | None = None
) -> list[PrivacyEvent]:
    """Records fresh events inside the caller's unit of work, which commits them with its own rows.

    For use cases whose rows must stand or fall with their events (a rights request and its
    step, an erasure and its key's destruction). No idempotency keys: the caller owns retries.
    No confirmation either: a message cannot wait for a commit the caller makes, so consents
    recorded here count at once (Right touchpoints, where the person acts through a signed link).
    """
    if not drafts or len(drafts) > MAX_BATCH:
        raise InvalidInput(
            f"send between 1 and {MAX_BATCH} events",
            errors=[FieldError("events", str(len(drafts)))],
        )
    size = uow.ledger.lock_head()
    plans = _check_all(ctx, uow, list(enumerate(drafts)), acting)
    recorded = _write(ctx, uow, size, plans, {})
    return [recorded[n] for n in range(len(drafts))]
