"""Right touchpoints: the cost of a one-click unsubscribe (token checked, withdrawal recorded
with its proofs, in one transaction) against recording the same withdrawal directly, and the
deadline list (`requests list --due-within 7d`) over many open requests.

    python bench/rights.py [--backend sqlite|postgresql] [--people 300] [--requests 2000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from common import context, database, percentile
from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import (
    Channel,
    LegalBasis,
    Nature,
    ProofType,
    PurposeContent,
    TouchpointKind,
)
from trustguardian.domain.rights import RequestKind
from trustguardian.domain.subjects import IdentifierKind
from trustguardian.service.collect.evidence import ProofDraft
from trustguardian.service.context import Context
from trustguardian.service.engage.links import unsubscribe_links
from trustguardian.service.engage.preferences import Network, unsubscribe
from trustguardian.service.events.identifiers import normalise
from trustguardian.service.events.recording import record_events
from trustguardian.service.events.validate import EventDraft
from trustguardian.service.registry import purposes, touchpoints
from trustguardian.service.registry.touchpoints import TouchpointDraft
from trustguardian.service.rights.requests import list_requests, submit_request

NET = Network(ip="203.0.113.1", user_agent="bench")


def setup(ctx: Context, people: int) -> list[str]:
    purposes.create_purpose(
        ctx,
        key="newsletter",
        content=PurposeContent(
            name="Newsletter",
            description="",
            legal_basis=LegalBasis.CONSENT,
            channels=(Channel.EMAIL,),
            controller="Bench",
            retention_days=730,
            consent_lifetime_days=None,
            marketing=True,
        ),
    )
    for key, kind, channel in (
        ("web", TouchpointKind.COLLECT, Channel.WEB_FORM),
        ("unsub", TouchpointKind.RIGHT, Channel.EMAIL),
        ("desk", TouchpointKind.RIGHT, Channel.OTHER),
    ):
        touchpoints.create_touchpoint(
            ctx,
            draft=TouchpointDraft(
                key=key, name=key, kind=kind, channel=channel, nature=Nature.DIGITAL
            ),
        )
    now = ctx.clock.now()
    drafts = [
        EventDraft(
            kind=EventKind.CONSENT_GIVEN,
            touchpoint="web",
            occurred_at=now - timedelta(days=1),
            identifiers=(normalise(IdentifierKind.EMAIL, f"p{n}@example.com"),),
            purpose="newsletter",
        )
        for n in range(people * 2)
    ]
    return [r.event.subject_id for r in record_events(ctx, drafts=drafts)]


def timed(action: Callable[[Any], object], items: Sequence[Any]) -> list[float]:
    """Seconds each call took."""
    spent = []
    for item in items:
        start = time.perf_counter()
        action(item)
        spent.append(time.perf_counter() - start)
    return spent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", default="sqlite", choices=["sqlite", "postgresql"])
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url, drop = database(args.backend, Path(tmp))
        try:
            ctx = context(url, Path(tmp))
            subjects = setup(ctx, args.people)
            direct, linked = subjects[: args.people], subjects[args.people :]
            tokens = [
                link.url.rsplit("/", 1)[1]
                for link in unsubscribe_links(
                    ctx,
                    subject_ids=linked,
                    purpose="newsletter",
                    channel=Channel.EMAIL,
                    touchpoint="unsub",
                )
            ]
            proofs = (
                ProofDraft(ProofType.NETWORK, {"ip": NET.ip, "user_agent": NET.user_agent}),
                ProofDraft(ProofType.FORM_SNAPSHOT, {"fields": {"List-Unsubscribe": "One-Click"}}),
            )
            raw = timed(
                lambda s: record_events(
                    ctx,
                    drafts=[
                        EventDraft(
                            kind=EventKind.CONSENT_WITHDRAWN,
                            touchpoint="unsub",
                            occurred_at=datetime.now(UTC),
                            subject_id=s,
                            purpose="newsletter",
                            channels=(Channel.EMAIL,),
                            proofs=proofs,
                        )
                    ],
                ),
                list(direct),
            )
            clicks = timed(
                lambda tk: unsubscribe(ctx, token=tk, network=NET, one_click=True), list(tokens)
            )
            now = datetime.now(UTC)
            for n in range(args.requests):
                submit_request(
                    ctx,
                    kind=RequestKind.ACCESS,
                    touchpoint="desk",
                    channel=Channel.EMAIL,
                    subject_id=subjects[n % len(subjects)],
                    received_at=now - timedelta(hours=n * 30 % (40 * 24)),
                )
            listing = timed(
                lambda _: list_requests(ctx, due_within=timedelta(days=7), limit=500),
                list(range(20)),
            )
            ctx.engine.dispose()
        finally:
            drop()
    figures = {
        "backend": args.backend,
        "withdrawal_direct_p50_ms": round(statistics.median(raw) * 1000, 2),
        "one_click_p50_ms": round(statistics.median(clicks) * 1000, 2),
        "one_click_p95_ms": round(percentile(clicks, 0.95) * 1000, 2),
        "one_click_ratio_to_direct": round(statistics.median(clicks) / statistics.median(raw), 2),
        "due_within_7d_list_p50_ms": round(statistics.median(listing) * 1000, 2),
        "open_requests": args.requests,
    }
    print(f"direct withdrawal      p50 {figures['withdrawal_direct_p50_ms']} ms")
    print(
        f"one-click unsubscribe  p50 {figures['one_click_p50_ms']} ms, "
        f"p95 {figures['one_click_p95_ms']} ms "
        f"({figures['one_click_ratio_to_direct']}x the direct withdrawal)"
    )
    listed = figures["due_within_7d_list_p50_ms"]
    print(f"requests due within 7 days (of {args.requests} open), first 500: p50 {listed} ms")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
