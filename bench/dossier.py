"""Dossier benchmark: building a subject's dossier (proofs, evidence, two PDFs) and verifying it
offline, against a raw read of the same subject's rows; SQLite and PostgreSQL.

    python bench/dossier.py [--events 20000] [--subject-events 100] [--backends sqlite,postgresql]

Prints each figure, then one JSON line with all of them.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from common import context, database
from trustguardian.domain.common import FixedClock
from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import (
    Channel,
    LegalBasis,
    Nature,
    ProofType,
    PurposeContent,
    TouchpointKind,
)
from trustguardian.domain.subjects import Identifier, IdentifierKind
from trustguardian.reports.dossier import subject_dossier
from trustguardian.reports.dossier_verify import verify_dossier
from trustguardian.service.collect.evidence import ProofDraft
from trustguardian.service.context import Context
from trustguardian.service.events.recording import record_events
from trustguardian.service.events.validate import EventDraft
from trustguardian.service.registry import notices, purposes, touchpoints
from trustguardian.service.registry.touchpoints import TouchpointDraft
from trustguardian.store import tables as t

T0 = datetime(2026, 1, 1, tzinfo=UTC)
TARGET = "mario.rossi@example.com"


def setup(ctx: Context) -> Context:
    past = dataclasses.replace(ctx, clock=FixedClock(T0))
    purposes.create_purpose(
        past,
        key="newsletter",
        content=PurposeContent(
            "Newsletter",
            "Promotions",
            LegalBasis.CONSENT,
            (Channel.EMAIL,),
            "Bottega Rossi",
            730,
            730,
            True,
        ),
    )
    notices.create_notice(past, key="privacy", language="it", title="Informativa", text="v1\n")
    touchpoints.create_touchpoint(
        past,
        draft=TouchpointDraft(
            "web",
            "Web form",
            TouchpointKind.COLLECT,
            Channel.WEB_FORM,
            Nature.DIGITAL,
            purposes=("newsletter",),
            notice_key="privacy",
        ),
    )
    return dataclasses.replace(ctx, clock=FixedClock(T0 + timedelta(days=400)))


def draft(n: int, who: str, kind: EventKind) -> EventDraft:
    return EventDraft(
        kind=kind,
        touchpoint="web",
        occurred_at=T0 + timedelta(minutes=n),
        identifiers=(Identifier(IdentifierKind.EMAIL, who),),
        purpose="newsletter",
        proofs=(
            ProofDraft(
                ProofType.FORM_SNAPSHOT,
                {"url": "https://shop.example/join"},
                f"<form>{n}</form>".encode(),
                "text/html",
            ),
        ),
        fingerprint=f"{who}:{n}",
    )


def fill(ctx: Context, events: int, subject_events: int) -> str:
    """Records `events` events; one in every events/subject_events is Mario's. Returns his id."""
    every = max(1, events // subject_events)
    kinds = (EventKind.CONSENT_GIVEN, EventKind.CONSENT_WITHDRAWN)
    batch: list[EventDraft] = []
    for n in range(events):
        mine = n % every == 0 and n // every < subject_events
        who = TARGET if mine else f"person{n}@example.com"
        batch.append(draft(n, who, kinds[(n // every) % 2] if mine else EventKind.CONSENT_GIVEN))
        if len(batch) == 1000 or n == events - 1:
            record_events(ctx, drafts=batch)
            batch = []
    with ctx.engine.connect() as conn:  # event 0 is Mario's
        return str(
            conn.execute(
                select(t.events.c.subject_id).where(t.events.c.occurred_at == T0)
            ).scalar_one()
        )


def raw_read(ctx: Context, subject_id: str) -> float:
    started = time.perf_counter()
    with ctx.engine.connect() as conn:
        seqs = [
            r.seq for r in conn.execute(select(t.events).where(t.events.c.subject_id == subject_id))
        ]
        list(conn.execute(select(t.event_proofs).where(t.event_proofs.c.event_seq.in_(seqs))))
    return time.perf_counter() - started


def run(backend: str, events: int, subject_events: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        url, drop = database(backend, Path(tmp))
        try:
            ctx = setup(context(url, Path(tmp)))
            subject_id = fill(ctx, events, subject_events)
            started = time.perf_counter()
            body = subject_dossier(ctx, subject_id=subject_id)
            build = time.perf_counter() - started
            started = time.perf_counter()
            check = verify_dossier(body)
            verify = time.perf_counter() - started
            assert check.ok, check.problems
            baseline = raw_read(ctx, subject_id)
            ctx.engine.dispose()
        finally:
            drop()
    figures = {
        f"{backend}_subject_events": float(check.events),
        f"{backend}_dossier_build_s": round(build, 3),
        f"{backend}_dossier_verify_s": round(verify, 3),
        f"{backend}_dossier_bytes": float(len(body)),
        f"{backend}_raw_read_s": round(baseline, 4),
        f"{backend}_build_over_raw_read": round(build / baseline, 1),
    }
    for name, value in figures.items():
        print(f"{name}: {value}")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--subject-events", type=int, default=100)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    figures: dict[str, float] = {}
    for backend in args.backends.split(","):
        figures.update(run(backend, args.events, args.subject_events))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
