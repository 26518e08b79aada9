"""Scheduled trusted time: the latest checkpoint stamped every `tsa_interval` when the log grew.

A pass is cheap when there is nothing to do (two reads), so a worker may run it often; the
schedule row says when the TSA is asked next. A failure is retried after 30 s, then 60 s,
doubling up to the interval, and the schedule survives restarts. The TSA is asked outside any
transaction: an outage never holds a write, and a dossier made meanwhile says "not stamped yet".
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from trustguardian.service.context import Context
from trustguardian.service.ops.timestamps import TimestampUnavailable, stamp_checkpoint
from trustguardian.store.accountability import StoredTimestamp
from trustguardian.store.ops.stamping import StampingSchedule

FIRST_RETRY_SECONDS = 30.0


@dataclass(frozen=True)
class StampPass:
    """What one pass did: `off` (no TSA), `idle` (nothing new to stamp), `waiting` (not yet
    time), `stamped` or `failed`; with the checkpoint tried and when the next try is."""

    outcome: str
    tree_size: int | None = None
    next_attempt_at: datetime | None = None
    error: str | None = None


@dataclass(frozen=True)
class StampingStatus:
    """How far the stamps are behind the ledger, and the schedule."""

    configured: bool
    ledger_size: int
    stamped_size: int
    schedule: StampingSchedule

    @property
    def behind(self) -> int:
        """Events recorded after the last stamped checkpoint."""
        return self.ledger_size - self.stamped_size


def retry_delay(failures: int, interval: float) -> timedelta:
    """The wait after `failures` failed tries in a row: 30 s doubling, capped at `interval`."""
    exponent = min(max(failures - 1, 0), 32)
    return timedelta(seconds=min(interval, FIRST_RETRY_SECONDS * 2**exponent))


def _record(ctx: Context, *, error: str | None) -> StampingSchedule:
    now = ctx.clock.now()
    with ctx.uow() as uow:
        schedule = uow.stamping.schedule()
        if error is None:
            after = StampingSchedule(
                now + timedelta(seconds=ctx.settings.tsa_interval), 0, None, now
            )
        else:
            failures = schedule.failures + 1
            after = replace(
                schedule,
                next_attempt_at=now + retry_delay(failures, ctx.settings.tsa_interval),
                failures=failures,
                last_error=error[:2000],
                last_attempt_at=now,
            )
        uow.stamping.save(after)
        uow.commit()
    return after


def stamp_due(ctx: Context) -> StampPass:
    """One scheduler pass: stamps the latest checkpoint if the log grew since the last stamp
    and the schedule says it is time; a failure is recorded and retried later, never raised."""
    if not ctx.settings.tsa_url:
        return StampPass("off")
    with ctx.uow(write=False) as uow:
        latest = uow.ledger.latest_checkpoint()
        stamped = uow.stamping.stamped_size()
        schedule = uow.stamping.schedule()
    if latest is None or latest.tree_size <= stamped:
        return StampPass("idle", next_attempt_at=schedule.next_attempt_at)
    due = schedule.next_attempt_at
    if due is not None and ctx.clock.now() < due:
        return StampPass("waiting", latest.tree_size, due)
    try:
        stamp_checkpoint(ctx, tree_size=latest.tree_size)
    except TimestampUnavailable as exc:
        after = _record(ctx, error=str(exc))
        return StampPass("failed", latest.tree_size, after.next_attempt_at, str(exc))
    after = _record(ctx, error=None)
    return StampPass("stamped", latest.tree_size, after.next_attempt_at)


def stamp_if_configured(ctx: Context) -> StoredTimestamp | None:
    """Stamps the latest checkpoint for a dossier when a TSA is configured and not in backoff.

    An unavailable TSA is recorded for the schedule and gives None: the dossier is made
    without a token for its checkpoint (the scheduler stamps a later one)."""
    if not ctx.settings.tsa_url:
        return None
    with ctx.uow(write=False) as uow:
        latest = uow.ledger.latest_checkpoint()
        schedule = uow.stamping.schedule()
    if latest is None:
        return None
    known = _stamped(ctx, latest.tree_size)
    backing_off = schedule.failures and schedule.next_attempt_at
    if known is not None or (backing_off and ctx.clock.now() < backing_off):
        return known
    try:
        stamped = stamp_checkpoint(ctx, tree_size=latest.tree_size)
    except TimestampUnavailable as exc:
        _record(ctx, error=str(exc))
        return None
    _record(ctx, error=None)  # a stamp made here counts for the schedule (and ends a backoff)
    return stamped


def _stamped(ctx: Context, tree_size: int) -> StoredTimestamp | None:
    with ctx.uow(write=False) as uow:
        return uow.accountability.timestamp(tree_size)


def stamping_status(ctx: Context) -> StampingStatus:
    """The ledger size, the last stamped size and the schedule."""
    with ctx.uow(write=False) as uow:
        latest = uow.ledger.latest_checkpoint()
        return StampingStatus(
            configured=bool(ctx.settings.tsa_url),
            ledger_size=latest.tree_size if latest else 0,
            stamped_size=uow.stamping.stamped_size(),
            schedule=uow.stamping.schedule(),
        )
