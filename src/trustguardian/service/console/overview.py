"""What the console's overview pages show: the dashboard, the touchpoint map, a touchpoint."""

from __future__ import annotations

import calendar
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from trustguardian.domain.access import ApiKey
from trustguardian.domain.errors import NotFound
from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import (
    NoticeVersion,
    Purpose,
    Touchpoint,
    TouchpointKind,
    TouchpointStatus,
    version_in_force,
)
from trustguardian.service.context import Context
from trustguardian.service.sync.status import DestinationStatus, sync_status
from trustguardian.store.access.admin import Verification
from trustguardian.store.accountability import StoredFinding
from trustguardian.store.ledger import StoredCheckpoint
from trustguardian.store.uow import UnitOfWork

CHART_MONTHS = 12


class RiskLevel(StrEnum):
    NONE = "none"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


_ORDER = [RiskLevel.NONE, RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH]


@dataclass(frozen=True)
class Risk:
    level: RiskLevel
    reasons: tuple[tuple[RiskLevel, str], ...] = ()
    # The census's open findings behind the level, the most severe first.
    findings: tuple[StoredFinding, ...] = ()
    examined_at: datetime | None = None


@dataclass(frozen=True)
class RiskFacts:
    """What the risk of a touchpoint is judged on, read once for all touchpoints."""

    purposes: dict[str, Purpose]
    findings: dict[str, list[StoredFinding]]
    examined: dict[str, datetime]
    events: dict[str, tuple[int, datetime | None]]


NEVER_EXAMINED = "never examined by the census: examine it to learn its risks"
NOTHING_OPEN = "examined: no open finding"


def touchpoint_risk(tp: Touchpoint, facts: RiskFacts) -> Risk:
    """The one place the console learns a touchpoint's risk: the census's open findings.

    The level is the worst open finding's severity; an examined touchpoint with none is low;
    one never examined is medium, since nobody has looked (the census rules run on examination,
    `trustguardian census examine` or the touchpoint page's button).
    """
    if tp.status is TouchpointStatus.RETIRED:
        return Risk(RiskLevel.NONE)
    examined_at = facts.examined.get(tp.key)
    if examined_at is None:
        return Risk(RiskLevel.MEDIUM, ((RiskLevel.MEDIUM, NEVER_EXAMINED),))
    found = sorted(
        facts.findings.get(tp.key, []),
        key=lambda f: (-_ORDER.index(RiskLevel(f.severity)), f.rule, f.target),
    )
    if not found:
        return Risk(RiskLevel.LOW, ((RiskLevel.LOW, NOTHING_OPEN),), (), examined_at)
    reasons = tuple((RiskLevel(f.severity), f.message) for f in found)
    return Risk(reasons[0][0], reasons, tuple(found), examined_at)


def all_touchpoints(uow: UnitOfWork) -> list[Touchpoint]:
    """Every touchpoint (the registry is small), by key."""
    found: list[Touchpoint] = []
    after: str | None = None
    while True:
        page = uow.touchpoints.page(after=after, limit=500)
        found.extend(page)
        if len(page) < 500:
            return found
        after = page[-1].key


def all_purposes(uow: UnitOfWork) -> dict[str, Purpose]:
    found: dict[str, Purpose] = {}
    after: str | None = None
    while True:
        page = uow.purposes.page(after=after, limit=500)
        found.update((p.key, p) for p in page)
        if len(page) < 500:
            return found
        after = page[-1].key


def risk_facts(uow: UnitOfWork, *, with_events: bool = False) -> RiskFacts:
    """What risk is judged on; `with_events` adds event counts (a scan of every event)."""
    by_touchpoint: dict[str, list[StoredFinding]] = {}
    for finding in uow.accountability.findings():  # open ones only
        by_touchpoint.setdefault(finding.touchpoint_key, []).append(finding)
    return RiskFacts(
        purposes=all_purposes(uow),
        findings=by_touchpoint,
        examined=uow.console.examinations(),
        events=uow.console.events_per_touchpoint() if with_events else {},
    )


def registry_purposes(ctx: Context) -> dict[str, Purpose]:
    """Every purpose of the registry, by key."""
    with ctx.uow(write=False) as uow:
        return all_purposes(uow)


def touchpoint_rows(ctx: Context) -> list[tuple[Touchpoint, Risk, int]]:
    """Every touchpoint with its risk and how many events it recorded (a scan of every event)."""
    with ctx.uow(write=False) as uow:
        tps = all_touchpoints(uow)
        facts = risk_facts(uow, with_events=True)
    return [(tp, touchpoint_risk(tp, facts), facts.events.get(tp.key, (0, None))[0]) for tp in tps]


def right_touchpoints(ctx: Context) -> list[tuple[str, str]]:
    """(key, name) of the live Right touchpoints: where a request may be filed."""
    with ctx.uow(write=False) as uow:
        return [
            (tp.key, tp.name)
            for tp in all_touchpoints(uow)
            if tp.kind is TouchpointKind.RIGHT and tp.status is not TouchpointStatus.RETIRED
        ]


@dataclass(frozen=True)
class LedgerState:
    checkpoint: StoredCheckpoint | None
    size: int
    verification: Verification | None


def ledger_state(ctx: Context) -> LedgerState:
    """The latest checkpoint, the tree size and the last full verification, read together."""
    with ctx.uow(write=False) as uow:
        return LedgerState(
            uow.ledger.latest_checkpoint(), uow.ledger.size(), uow.admin.last_verification()
        )


@dataclass(frozen=True)
class ChartSeries:
    months: list[str]
    given: list[int]
    withdrawn: list[int]

    @property
    def peak(self) -> int:
        return max([*self.given, *self.withdrawn, 1])


@dataclass(frozen=True)
class Dashboard:
    by_kind_status: dict[str, dict[str, int]]
    risk_counts: dict[str, int]
    at_risk: list[tuple[Touchpoint, Risk]]
    chart: ChartSeries
    consent_totals: dict[str, int]
    subjects: tuple[int, int]
    checkpoint: StoredCheckpoint | None
    verification: Verification | None
    sync: list[DestinationStatus]
    ledger_size: int
    # The census's open findings of high severity, by touchpoint, and open findings by severity.
    high_findings: list[StoredFinding] = field(default_factory=list)
    findings_by_severity: dict[str, int] = field(default_factory=dict)
    never_examined: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def month_bounds(now: datetime, months: int) -> list[datetime]:
    """The first instants (UTC) of the last `months` calendar months, and of the next one."""
    first = now.year * 12 + now.month - 1 - (months - 1)
    return [
        datetime((first + i) // 12, (first + i) % 12 + 1, 1, tzinfo=UTC) for i in range(months + 1)
    ]


def dashboard(ctx: Context) -> Dashboard:
    """The figures of the dashboard, read in one transaction (sync health in a second)."""
    now = ctx.clock.now()
    bounds = month_bounds(now, CHART_MONTHS)
    with ctx.uow(write=False) as uow:
        tps = all_touchpoints(uow)
        facts = risk_facts(uow)
        per_month = uow.console.kinds_per_month(
            [EventKind.CONSENT_GIVEN.value, EventKind.CONSENT_WITHDRAWN.value], bounds
        )
        totals = uow.console.consent_totals()
        subjects = uow.console.subject_count()
        checkpoint = uow.ledger.latest_checkpoint()
        verification = uow.admin.last_verification()
        size = uow.ledger.size()
    grid: dict[str, dict[str, int]] = {k.value: Counter() for k in TouchpointKind}
    for tp in tps:
        grid[tp.kind.value][tp.status.value] += 1
    risks = [(tp, touchpoint_risk(tp, facts)) for tp in tps]
    at_risk = [(tp, r) for tp, r in risks if r.level is RiskLevel.HIGH]
    live = {tp.key for tp in tps if tp.status is not TouchpointStatus.RETIRED}
    open_findings = [f for key in sorted(live) for f in facts.findings.get(key, [])]
    chart = ChartSeries(
        months=[f"{calendar.month_abbr[b.month]} {b.year % 100:02d}" for b in bounds[:-1]],
        given=per_month[EventKind.CONSENT_GIVEN.value],
        withdrawn=per_month[EventKind.CONSENT_WITHDRAWN.value],
    )
    return Dashboard(
        by_kind_status={k: dict(v) for k, v in grid.items()},
        risk_counts=dict(Counter(r.level.value for _, r in risks)),
        at_risk=at_risk,
        chart=chart,
        consent_totals=totals,
        subjects=subjects,
        checkpoint=checkpoint,
        verification=verification,
        sync=sync_status(ctx),
        ledger_size=size,
        high_findings=[f for f in open_findings if f.severity == "high"],
        findings_by_severity=dict(Counter(f.severity for f in open_findings)),
        never_examined=sum(1 for key in live if key not in facts.examined),
    )


@dataclass(frozen=True)
class MapNode:
    key: str
    label: str
    column: int
    x: int
    y: int
    risk: RiskLevel
    is_system: bool


@dataclass(frozen=True)
class TouchpointMap:
    nodes: list[MapNode]
    edges: list[tuple[MapNode, MapNode]]
    width: int
    height: int


COLUMN_X = (20, 300, 580, 860)
NODE_W, NODE_H, GAP = 240, 50, 14


def touchpoint_map(ctx: Context) -> TouchpointMap:
    """Collect → company systems → Engage → Right, laid out in four columns."""
    with ctx.uow(write=False) as uow:
        tps = [tp for tp in all_touchpoints(uow) if tp.status is not TouchpointStatus.RETIRED]
        facts = risk_facts(uow)
    columns: dict[int, list[tuple[str, str, RiskLevel, bool]]] = {0: [], 1: [], 2: [], 3: []}
    column_of = {TouchpointKind.COLLECT: 0, TouchpointKind.ENGAGE: 2, TouchpointKind.RIGHT: 3}
    systems = sorted({s for tp in tps for s in tp.systems})
    for tp in tps:
        columns[column_of[tp.kind]].append(
            (tp.key, tp.name, touchpoint_risk(tp, facts).level, False)
        )
    columns[1] = [(s, s, RiskLevel.NONE, True) for s in systems]
    nodes: dict[tuple[bool, str], MapNode] = {}
    for column, items in columns.items():
        for row, (key, label, risk, is_system) in enumerate(items):
            nodes[(is_system, key)] = MapNode(
                key, label, column, COLUMN_X[column], 50 + row * (NODE_H + GAP), risk, is_system
            )
    edges: list[tuple[MapNode, MapNode]] = []
    engage = [tp for tp in tps if tp.kind is TouchpointKind.ENGAGE]
    for tp in tps:
        node = nodes[(False, tp.key)]
        if tp.kind is TouchpointKind.RIGHT:
            # A Right touchpoint gives back control over what an Engage touchpoint uses.
            edges.extend(
                (nodes[(False, e.key)], node) for e in engage if set(e.purposes) & set(tp.purposes)
            )
            continue
        for system in tp.systems:
            sys_node = nodes[(True, system)]
            # Data flows from collection into the systems, and from the systems out to people.
            edges.append(
                (node, sys_node) if tp.kind is TouchpointKind.COLLECT else (sys_node, node)
            )
    tallest = max((len(items) for items in columns.values()), default=0)
    return TouchpointMap(
        nodes=list(nodes.values()),
        edges=edges,
        width=COLUMN_X[-1] + NODE_W + 20,
        height=60 + tallest * (NODE_H + GAP),
    )


@dataclass(frozen=True)
class TouchpointPage:
    touchpoint: Touchpoint
    purposes: list[Purpose]
    notice_title: str | None
    notice_in_force: NoticeVersion | None
    keys: list[ApiKey]
    recent: list[Any]
    events: int
    risk: Risk


def touchpoint_page(ctx: Context, *, key: str, recent: int = 20) -> TouchpointPage:
    """A touchpoint with its purposes, notice in force, keys, recent events and risk."""
    with ctx.uow(write=False) as uow:
        tp = uow.touchpoints.get(key)
        if tp is None:
            raise NotFound(f"no touchpoint {key!r}")
        facts = risk_facts(uow)
        events = uow.console.event_count(key)
        notice = uow.notices.get(tp.notice_key) if tp.notice_key else None
        in_force = (
            version_in_force(uow.notices.versions(tp.notice_key), ctx.clock.now())
            if tp.notice_key
            else None
        )
        keys = [k for k in uow.api_keys.all() if k.touchpoint_key == key]
        rows = uow.console.recent_events(key, recent)
    return TouchpointPage(
        touchpoint=tp,
        purposes=[facts.purposes[p] for p in tp.purposes if p in facts.purposes],
        notice_title=notice.title if notice else None,
        notice_in_force=in_force,
        keys=keys,
        recent=rows,
        events=events,
        risk=touchpoint_risk(tp, facts),
    )
