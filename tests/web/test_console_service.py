"""What the overview pages are built from, on both backends: risk, the map, the chart."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.factories import add_touchpoint
from tests.web.helpers import Company

from trustguardian.domain.registry import Channel, ProofType, TouchpointKind, TouchpointStatus
from trustguardian.service.console import overview as console
from trustguardian.service.context import Context
from trustguardian.service.registry.census import examine_touchpoints
from trustguardian.service.registry.touchpoints import TouchpointPatch, update_touchpoint


def _risk(ctx: Context, key: str) -> console.Risk:
    with ctx.uow(write=False) as uow:
        tp = uow.touchpoints.get(key)
        facts = console.risk_facts(uow)
    assert tp is not None
    return console.touchpoint_risk(tp, facts)


def test_risk_is_the_census_open_findings_and_follows_their_fixes(
    ctx: Context, company: Company
) -> None:
    never = _risk(ctx, "web-newsletter")
    assert never.level is console.RiskLevel.MEDIUM  # nobody has looked yet
    assert never.reasons == ((console.RiskLevel.MEDIUM, console.NEVER_EXAMINED),)
    assert never.findings == ()
    examine_touchpoints(ctx)
    risk = _risk(ctx, "web-newsletter")
    assert risk.level is console.RiskLevel.HIGH
    assert risk.examined_at is not None
    assert [(f.rule, f.target, f.severity) for f in risk.findings] == [
        ("marketing_without_double_opt_in", "newsletter", "high"),
        ("marketing_without_double_opt_in", "sms-marketing", "high"),
        ("no_right_touchpoint", "sms-marketing", "high"),
    ]
    assert all(f.fix for f in risk.findings)
    clean = _risk(ctx, "unsubscribe-link")
    assert clean.level is console.RiskLevel.LOW
    assert clean.reasons == ((console.RiskLevel.LOW, console.NOTHING_OPEN),)
    board = console.dashboard(ctx)
    # The store desk (registered with the digital nature) collects in person with a scanned
    # form: it is not "collected online", so nothing high is found there.
    assert [f.touchpoint_key for f in board.high_findings] == [
        "web-newsletter",
        "web-newsletter",
        "web-newsletter",
    ]
    assert board.never_examined == 0

    # Fixing the touchpoint and examining again resolves its findings: the risk drops.
    update_touchpoint(
        ctx,
        key="web-newsletter",
        patch=TouchpointPatch(
            required_proofs=[ProofType.FORM_SNAPSHOT, ProofType.NETWORK, ProofType.DOUBLE_OPT_IN]
        ),
    )
    add_touchpoint(
        ctx,
        "sms-stop",
        name="SMS STOP",
        kind=TouchpointKind.RIGHT,
        channel=Channel.SMS,
        purposes=["sms-marketing"],
    )
    assert _risk(ctx, "web-newsletter").level is console.RiskLevel.HIGH  # until examined again
    examine_touchpoints(ctx, key="web-newsletter")
    assert _risk(ctx, "web-newsletter").level is console.RiskLevel.LOW
    assert console.dashboard(ctx).never_examined == 1  # the new SMS STOP
    update_touchpoint(ctx, key="sms-stop", patch=TouchpointPatch(status=TouchpointStatus.RETIRED))
    assert _risk(ctx, "sms-stop").level is console.RiskLevel.NONE


def test_the_map_flows_from_collect_through_systems_to_engage_and_right(
    ctx: Context, company: Company
) -> None:
    add_touchpoint(
        ctx,
        "privacy-desk",
        name="Privacy desk",
        kind=TouchpointKind.RIGHT,
        systems=["crm"],
    )
    add_touchpoint(ctx, "old-form", systems=["legacy"])
    update_touchpoint(ctx, key="old-form", patch=TouchpointPatch(status=TouchpointStatus.RETIRED))
    found = console.touchpoint_map(ctx)
    edges = {(a.key, b.key) for a, b in found.edges}
    assert edges == {
        ("web-newsletter", "crm"),
        ("store-desk", "crm"),
        ("crm", "weekly-newsletter"),
        ("weekly-newsletter", "unsubscribe-link"),  # both serve the newsletter purpose
    }
    columns = {n.key: n.column for n in found.nodes}
    assert columns == {
        "store-desk": 0,
        "web-newsletter": 0,
        "crm": 1,
        "weekly-newsletter": 2,
        "privacy-desk": 3,
        "unsubscribe-link": 3,
    }  # the retired form and its system are gone from the picture


def test_months_of_the_chart_cross_the_year() -> None:
    bounds = console.month_bounds(datetime(2026, 2, 10, 9, tzinfo=UTC), 3)
    assert bounds == [
        datetime(2025, 12, 1, tzinfo=UTC),
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(2026, 2, 1, tzinfo=UTC),
        datetime(2026, 3, 1, tzinfo=UTC),
    ]
    assert console.month_bounds(datetime(2026, 12, 31, tzinfo=UTC), 1)[-1] == datetime(
        2027, 1, 1, tzinfo=UTC
    )


def test_the_dashboard_counts_consents_per_month_of_occurrence(
    ctx: Context, company: Company
) -> None:
    board = console.dashboard(ctx)
    assert sum(board.chart.given) == 2
    assert sum(board.chart.withdrawn) == 1
    assert len(board.chart.months) == console.CHART_MONTHS
    assert board.by_kind_status["collect"] == {"censused": 2}
    assert board.ledger_size == 3
    assert board.checkpoint is not None
    assert board.checkpoint.tree_size == 3
    assert board.subjects == (1, 0)
