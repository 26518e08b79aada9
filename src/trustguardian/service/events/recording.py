"""Recording privacy events: one transaction writes the events, their proofs, the ledger leaves,
the checkpoint and the consent state, or nothing at all.

Here a batch is checked, and retries under an idempotency key are told apart from new events;
`service.events.writing` writes the checked events.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from trustguardian.domain.errors import Conflict, FieldError, InvalidInput, NotFound
from trustguardian.domain.events import PrivacyEvent
from trustguardian.service.collect import confirm_requests
from trustguardian.service.context import Context
from trustguardian.service.events.validate import EventDraft, Plan, check_draft
from trustguardian.service.events.writing import write_batch
from trustguardian.service.fingerprints import TAG, Fingerprint, same_request
from trustguardian.service.gc_pause import gc_paused
from trustguardian.service.ops import metrics
from trustguardian.service.pagination import Page, decode_cursor, paginate
from trustguardian.service.registry.cache import RegistryCache
from trustguardian.store.events import EventFilter as EventFilter  # callers filter lists with it
from trustguardian.store.events import IdempotencyRecord
from trustguardian.store.uow import UnitOfWork

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
    corrector: str | None = None,
) -> list[Recorded]:
    """Records events, all or nothing; an idempotent retry returns the original events.

    A consent.given through a touchpoint that confirms consents is recorded awaiting
    confirmation, and its message is sent after the commit. `before_commit` runs in the same
    transaction with the new events (e.g. to use up the link that confirmed them). `minted`
    marks confirmations this instance witnessed (see confirm_requests.awaiting). `corrector`
    names an admin key, console user or command-line user, who may correct another
    touchpoint's event when they give a reason (see writing._check_correction).
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
        fingerprint = batch_fingerprint(drafts)
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
        plans, waiting = confirm_requests.awaiting(ctx, uow, plans, minted=minted)
        within = {n: w.within for n, w in waiting.items()}
        recorded = write_batch(ctx, uow, size, plans, within, corrector) if plans else {}
        names = {p.touchpoint.key: p.touchpoint.name for _, p in plans}
        outgoing = confirm_requests.open_requests(ctx, uow, waiting, recorded, names)
        if batch_key is not None:
            ids = [recorded[n].id if n in recorded else replayed[n] for n in range(len(drafts))]
            uow.events.add_idempotency(
                [IdempotencyRecord(batch_scope, batch_key, fingerprint.value, ids, ctx.clock.now())]
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


def batch_fingerprint(drafts: Sequence[EventDraft]) -> Fingerprint:
    """A batch's fingerprint: its events' fingerprints, in order. A batch recorded before
    revision 0016 stored the same digest over its events' legacy fingerprints, untagged."""

    def over(parts: Sequence[str]) -> str:
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()

    def legacy() -> str:
        return over(
            [d.legacy_fingerprint() if d.legacy_fingerprint else d.fingerprint for d in drafts]
        )

    return Fingerprint(TAG + over([d.fingerprint for d in drafts]), legacy)


def _replay(
    uow: UnitOfWork, earlier: tuple[str, list[str]], fingerprint: Fingerprint, key: str
) -> list[Recorded]:
    if not fingerprint.matches(earlier[0]):
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


def check_drafts(
    ctx: Context, uow: UnitOfWork, drafts: Sequence[EventDraft], acting: str | None
) -> list[tuple[int, Plan]]:
    """Checks drafts against the registry without writing; raises `InvalidInput` with every
    problem found."""
    return _check_all(ctx, uow, list(enumerate(drafts)), acting)


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
    ctx: Context,
    uow: UnitOfWork,
    drafts: Sequence[EventDraft],
    *,
    acting: str | None = None,
    corrector: str | None = None,
    confirm_within: dict[int, timedelta] | None = None,
) -> list[PrivacyEvent]:
    """Records fresh events inside the caller's unit of work, which commits them with its own rows.

    For use cases whose rows must stand or fall with their events (a rights request and its
    step, an erasure and its key's destruction). No idempotency keys: the caller owns retries.
    No confirmation either: a message cannot wait for a commit the caller makes, so consents
    recorded here count at once (Right touchpoints, where the person acts through a signed link),
    unless `confirm_within` gives, by position, those the caller confirms in the same unit (a
    sign-up taken in from its intake).
    """
    if not drafts or len(drafts) > MAX_BATCH:
        raise InvalidInput(
            f"send between 1 and {MAX_BATCH} events",
            errors=[FieldError("events", str(len(drafts)))],
        )
    size = uow.ledger.lock_head()
    plans = _check_all(ctx, uow, list(enumerate(drafts)), acting)
    recorded = write_batch(ctx, uow, size, plans, confirm_within or {}, corrector)
    return [recorded[n] for n in range(len(drafts))]
