"""`trustguardian touchpoints examine|findings|secure`: the census rules, what they found, and
the sign-off that secures a touchpoint."""

from __future__ import annotations

import typer

from trustguardian.cli.common import JSON, console, context, print_json, table
from trustguardian.cli.registry import touchpoints
from trustguardian.service.registry import census, securing


@touchpoints.command("examine")
def examine(
    typer_ctx: typer.Context,
    key: str | None = typer.Argument(None, help="One touchpoint; every live one if omitted."),
    as_json: bool = JSON,
) -> None:
    """Examine touchpoints: find risks, move them censused -> examined (a sign-off secures)."""
    results = census.examine_touchpoints(context(typer_ctx), key=key)
    if as_json:
        print_json(
            [
                {
                    "touchpoint": r.touchpoint.key,
                    "status_before": r.status_before.value,
                    "status": r.touchpoint.status.value,
                    "findings": [_finding(f) for f in r.findings],
                }
                for r in results
            ]
        )
        return
    table(
        "Examination",
        ["touchpoint", "kind", "status", "high", "findings"],
        [
            (
                r.touchpoint.key,
                r.touchpoint.kind,
                f"{r.status_before} -> {r.touchpoint.status}",
                r.open_high,
                len(r.findings),
            )
            for r in results
        ],
    )
    rows = [(r.touchpoint.key, f) for r in results for f in r.findings]
    if rows:
        table(
            "Open findings",
            ["touchpoint", "severity", "rule", "finding", "fix"],
            [(k, f.severity, f.rule, f.message, f.fix) for k, f in rows],
        )
    else:
        console.print("No open findings.")


@touchpoints.command("findings")
def findings(
    typer_ctx: typer.Context,
    key: str = typer.Argument(..., help="The touchpoint."),
    include_resolved: bool = typer.Option(False, "--all", help="Resolved findings too."),
    as_json: bool = JSON,
) -> None:
    """Show what the examinations of a touchpoint found."""
    tp, examined_at, found = census.touchpoint_findings(
        context(typer_ctx), key=key, include_resolved=include_resolved
    )
    if as_json:
        print_json(
            {
                "touchpoint": tp.key,
                "status": tp.status.value,
                "examined_at": examined_at,
                "findings": [_finding(f) for f in found],
            }
        )
        return
    console.print(
        f"{tp.key}: {tp.status}"
        + (f", examined {examined_at:%Y-%m-%d %H:%M} UTC" if examined_at else ", never examined")
    )
    table(
        "Findings",
        ["severity", "rule", "target", "finding", "fix", "found", "resolved"],
        [
            (f.severity, f.rule, f.target, f.message, f.fix, f.first_found_at, f.resolved_at)
            for f in found
        ],
    )


def _finding(f: census.StoredFinding) -> dict[str, object]:
    return {
        "id": f.id,
        "rule": f.rule,
        "severity": f.severity,
        "target": f.target,
        "message": f.message,
        "fix": f.fix,
        "first_found_at": f.first_found_at,
        "last_found_at": f.last_found_at,
        "resolved_at": f.resolved_at,
    }


@touchpoints.command("secure")
def secure(
    typer_ctx: typer.Context,
    key: str = typer.Argument(..., help="The touchpoint, examined with no open high finding."),
    by: str = typer.Option(..., "--by", help="The console user who signs it off."),
    note: str = typer.Option(..., "--note", help="Why it is secured (what was checked)."),
    as_json: bool = JSON,
) -> None:
    """Sign a touchpoint off as secured (refused with an open high-severity finding)."""
    tp, signoff = securing.secure_touchpoint(context(typer_ctx), key=key, by=by, note=note)
    if as_json:
        print_json({"touchpoint": tp.key, "status": tp.status.value, **_signoff(signoff)})
        return
    console.print(f"{tp.key}: secured by {signoff.actor} at {signoff.signed_at:%Y-%m-%d %H:%M} UTC")


def _signoff(s: securing.SignOff) -> dict[str, object]:
    return {
        "seq": s.seq,
        "actor": s.actor,
        "note": s.note,
        "signed_at": s.signed_at,
        "examined_at": s.examined_at,
    }
