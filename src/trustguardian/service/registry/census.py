"""Examining the census: run the risk rules on touchpoints, keep their findings, move lifecycles."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from trustguardian.domain.collect import Confirmation
from trustguardian.domain.errors import Conflict, NotFound
from trustguardian.domain.registry import (
    Touchpoint,
    TouchpointKind,
    TouchpointStatus,
    version_in_force,
)
from trustguardian.domain.rights import OPEN
from trustguardian.domain.risk import (
    CONTACT_WINDOW,
    Finding,
    OverdueRequests,
    RegisterFacts,
    TouchpointFacts,
    blocks_securing,
    examine,
)
from trustguardian.service.context import Context
from trustguardian.service.events.records import record_objects
from trustguardian.store.accountability import StoredFinding as StoredFinding  # what callers get
from trustguardian.store.snapshots import EXAMINATION, TOUCHPOINT
from trustguardian.store.uow import UnitOfWork


@dataclass(frozen=True)
class Examination:
    touchpoint: Touchpoint
    examined_at: datetime
    findings: list[StoredFinding]
    status_before: TouchpointStatus

    @property
    def open_high(self) -> int:
        return sum(1 for f in self.findings if f.severity == "high")


def live_touchpoints(uow: UnitOfWork) -> list[Touchpoint]:
    """Every touchpoint that is not retired, by key."""
    found: list[Touchpoint] = []
    after: str | None = None
    while page := uow.touchpoints.page(after=after, limit=500):
        found.extend(tp for tp in page if tp.status is not TouchpointStatus.RETIRED)
        after = page[-1].key
    return found


def gather_facts(
    uow: UnitOfWork, tp: Touchpoint, now: datetime, live: Sequence[Touchpoint]
) -> TouchpointFacts:
    """Reads what the rules need about one touchpoint."""
    purposes = tuple(p for key in tp.purposes if (p := uow.purposes.get(key)) is not None)
    notice_exists = tp.notice_key is not None and uow.notices.get(tp.notice_key) is not None
    in_force = None
    shown = None
    if tp.notice_key is not None and notice_exists:
        in_force = version_in_force(uow.notices.versions(tp.notice_key), now)
        if in_force is not None:
            shown = uow.accountability.notice_version_shown(
                tp.key, tp.notice_key, in_force.effective_from
            )
    withdrawable: set[str] = set()
    for other in live:
        if other.kind is TouchpointKind.RIGHT:
            withdrawable.update(other.purposes or ("*",))
    settings = uow.collect.settings_for([tp.key]).get(tp.key)
    consents, imported = uow.accountability.imported_share(tp.key)
    registers = tuple(
        RegisterFacts(r.name, r.kind, r.register_date) for r in uow.engage.current_registers()
    )
    return TouchpointFacts(
        touchpoint=tp,
        now=now,
        purposes=purposes,
        notice_exists=notice_exists,
        notice_in_force=in_force,
        notice_version_shown=shown,
        flagged_contacts=uow.accountability.flagged_contacts(tp.key, now - CONTACT_WINDOW),
        withdrawable=frozenset(withdrawable),
        registers=registers,
        stale_consents=uow.accountability.stale_consents(tp.key, now),
        # Every request names the Right touchpoint that took it (only Right touchpoints record
        # `request.received`, and retiring one with open cases is refused), so it answers here.
        overdue_requests=tuple(
            OverdueRequests(kind, count, oldest)
            for kind, count, oldest in uow.accountability.overdue_requests(
                tp.key, now, [s.value for s in OPEN]
            )
        ),
        confirmation=settings.confirmation if settings else Confirmation.NONE,
        imported_only=0 < imported == consents,
        open_complaints=uow.accountability.open_complaints(tp.key, now),
    )


def examine_touchpoints(ctx: Context, *, key: str | None = None) -> list[Examination]:
    """Examines one touchpoint or every live one, in one transaction.

    New findings are opened, findings no longer made are resolved. A censused touchpoint
    becomes examined, and a secured one with a high-severity finding falls back to examined;
    only a person's sign-off (`secure_touchpoint`) secures one.
    """
    now = ctx.clock.now()
    with ctx.uow() as uow:
        live = live_touchpoints(uow)
        if key is not None:
            chosen = [tp for tp in live if tp.key == key]
            if not chosen:
                found = uow.touchpoints.get(key)
                if found is None:
                    raise NotFound(f"no touchpoint {key!r}")
                raise Conflict(f"touchpoint {key!r} is retired: there is nothing to examine")
        else:
            chosen = live
        results = [_examine_one(ctx, uow, tp, now, live) for tp in chosen]
        record_objects(ctx, uow, EXAMINATION, [tp.key for tp in chosen], "examined")
        for status in TouchpointStatus:
            moved = [
                r.touchpoint.key
                for r in results
                if r.touchpoint.status is status and r.status_before is not status
            ]
            record_objects(ctx, uow, TOUCHPOINT, moved, status.value)
        uow.commit()
    return results


def _examine_one(
    ctx: Context, uow: UnitOfWork, tp: Touchpoint, now: datetime, live: Sequence[Touchpoint]
) -> Examination:
    made = examine(gather_facts(uow, tp, now, live))
    _record(ctx, uow, tp.key, made, now)
    secured = tp.status is TouchpointStatus.SECURED and not blocks_securing(made)
    status = TouchpointStatus.SECURED if secured else TouchpointStatus.EXAMINED
    if status is not tp.status:
        uow.touchpoints.save(dataclasses.replace(tp, status=status, updated_at=now))
    uow.accountability.set_examination(tp.key, now, sum(f.severity == "high" for f in made))
    return Examination(
        touchpoint=dataclasses.replace(tp, status=status),
        examined_at=now,
        findings=uow.accountability.findings(tp.key),
        status_before=tp.status,
    )


def _record(
    ctx: Context, uow: UnitOfWork, touchpoint: str, made: list[Finding], now: datetime
) -> None:
    open_now = {(f.rule, f.target): f for f in uow.accountability.findings(touchpoint)}
    fresh = []
    for finding in made:
        known = open_now.pop((finding.rule.value, finding.target), None)
        if known is not None:
            uow.accountability.refresh_finding(known.id, at=now, message=finding.message)
            continue
        fresh.append(
            StoredFinding(
                id=ctx.ids.new_id("fnd"),
                touchpoint_key=touchpoint,
                rule=finding.rule.value,
                target=finding.target,
                severity=finding.severity.value,
                message=finding.message,
                fix=finding.fix,
                first_found_at=now,
                last_found_at=now,
                resolved_at=None,
            )
        )
    uow.accountability.add_findings(fresh)
    uow.accountability.resolve_findings([f.id for f in open_now.values()], now)


def touchpoint_findings(
    ctx: Context, *, key: str, include_resolved: bool = False
) -> tuple[Touchpoint, datetime | None, list[StoredFinding]]:
    """The findings of a touchpoint's examinations (open ones unless told otherwise)."""
    with ctx.uow(write=False) as uow:
        tp = uow.touchpoints.get(key)
        if tp is None:
            raise NotFound(f"no touchpoint {key!r}")
        return (
            tp,
            uow.accountability.examined_at(key),
            uow.accountability.findings(key, open_only=not include_resolved),
        )


def all_open_findings(ctx: Context) -> list[StoredFinding]:
    """Every open finding of the census."""
    with ctx.uow(write=False) as uow:
        return uow.accountability.findings()


def check_can_retire(uow: UnitOfWork, tp: Touchpoint) -> None:
    """Refuses retiring a touchpoint with open rights requests or complaints: their steps are
    recorded at the touchpoint that took them, which a retired touchpoint can no longer do."""
    requests, complaints = uow.accountability.open_cases(tp.key, [s.value for s in OPEN])
    if requests or complaints:
        raise Conflict(
            f"touchpoint {tp.key!r} has {requests} open rights request(s) and {complaints} open "
            "complaint(s): answer them before retiring it"
        )


def check_can_secure(uow: UnitOfWork, tp: Touchpoint) -> None:
    """Refuses securing a touchpoint never examined or with an open high-severity finding."""
    if uow.accountability.examined_at(tp.key) is None:
        raise Conflict(f"touchpoint {tp.key!r} was never examined: run the examination first")
    high = uow.accountability.open_high(tp.key)
    if high:
        raise Conflict(
            f"touchpoint {tp.key!r} has {high} open high-severity finding(s): fix them and "
            "examine it again"
        )
