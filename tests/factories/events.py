"""Privacy events built through the real service: a registry of purposes, a notice and three
touchpoints, event drafts for Mario and Luigi, and readings of what an event write touched."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from tests.factories import add_notice, add_purpose, add_touchpoint

from trustguardian.domain.common import FixedClock
from trustguardian.domain.events import EventKind, PrivacyEvent
from trustguardian.domain.registry import Channel, Nature, ProofType, TouchpointKind
from trustguardian.domain.subjects import Identifier, IdentifierKind
from trustguardian.service.collect.evidence import ProofDraft
from trustguardian.service.context import Context
from trustguardian.service.events.consent import subject_consents
from trustguardian.service.events.identifiers import normalise
from trustguardian.service.events.recording import record_events
from trustguardian.service.events.validate import EventDraft
from trustguardian.service.verify.full import verify_ledger
from trustguardian.store import tables as t

TP = "web-newsletter"
ENGAGE_TP = "newsletter-footer"
STORE_TP = "store-milano"
PURPOSE = "newsletter"
OTHER_PURPOSE = "profiling"
NOTICE = "privacy-it"
NOTICE_TEXT = "Informativa v1\n"
MARIO = "mario.rossi@example.com"
LUIGI = "luigi.verdi@example.com"
BOTH = (Channel.EMAIL, Channel.SMS)
HISTORY_DAYS = 60

COUNTED = (
    t.subjects,
    t.subject_keys,
    t.subject_identifiers,
    t.events,
    t.event_proofs,
    t.evidence_blobs,
    t.idempotency_keys,
    t.consent_states,
    t.tree_nodes,
    t.checkpoints,
)


def utcnow() -> datetime:
    return datetime.now(UTC)


def ago(*, days: float = 0, hours: float = 0, minutes: float = 0) -> datetime:
    return utcnow() - timedelta(days=days, hours=hours, minutes=minutes)


def at_instant(ctx: Context, moment: datetime) -> Context:
    """The same context with a clock stopped at `moment` (to create back-dated registry records)."""
    return dataclasses.replace(ctx, clock=FixedClock(moment))


def email(value: str = MARIO) -> Identifier:
    return normalise(IdentifierKind.EMAIL, value)


def fingerprint_of(draft: EventDraft) -> str:
    """What a caller would send as the content hash: everything but the idempotency key."""
    content = dataclasses.replace(draft, idempotency_key=None, fingerprint="")
    return hashlib.sha256(repr(content).encode()).hexdigest()


def make_draft(kind: EventKind = EventKind.CONSENT_GIVEN, **changes: Any) -> EventDraft:
    """A consent.given for Mario on the web form unless told otherwise; fingerprint filled in."""
    base = EventDraft(
        kind=kind,
        touchpoint=TP,
        occurred_at=ago(minutes=1),
        identifiers=(email(),),
        purpose=PURPOSE,
    )
    draft = dataclasses.replace(base, **changes)
    if not draft.fingerprint:
        draft = dataclasses.replace(draft, fingerprint=fingerprint_of(draft))
    return draft


def record(ctx: Context, *drafts: EventDraft, **options: Any) -> list[PrivacyEvent]:
    return [r.event for r in record_events(ctx, drafts=list(drafts), **options)]


def record_one(ctx: Context, draft: EventDraft) -> PrivacyEvent:
    [event] = record(ctx, draft)
    return event


def setup_registry(
    ctx: Context,
    *,
    lifetime_days: int | None = 730,
    required_proofs: Sequence[ProofType] = (),
) -> None:
    """Purposes and a notice that exist since HISTORY_DAYS ago, and three touchpoints.

    - TP: a web form (collect) with the notice, collecting PURPOSE on e-mail and SMS;
    - ENGAGE_TP: a newsletter footer (engage), which may only take withdrawals and refusals;
    - STORE_TP: a shop counter (collect, physical) for paper forms, same notice.
    """
    past = at_instant(ctx, ago(days=HISTORY_DAYS))
    add_purpose(past, PURPOSE, channels=BOTH, consent_lifetime_days=lifetime_days)
    add_purpose(past, OTHER_PURPOSE, name="Profiling", channels=(Channel.EMAIL,))
    add_notice(past, NOTICE, text=NOTICE_TEXT)
    add_touchpoint(
        ctx, TP, purposes=[PURPOSE], notice_key=NOTICE, required_proofs=list(required_proofs)
    )
    add_touchpoint(
        ctx, ENGAGE_TP, name="Newsletter footer", kind=TouchpointKind.ENGAGE, channel=Channel.EMAIL
    )
    add_touchpoint(
        ctx,
        STORE_TP,
        name="Shop counter",
        channel=Channel.STORE,
        nature=Nature.PHYSICAL,
        notice_key=NOTICE,
    )


def footprint(ctx: Context) -> dict[str, int]:
    """Row counts of every table an event write touches, and the ledger size."""
    with ctx.engine.connect() as conn:
        found = {
            table.name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
            for table in COUNTED
        }
    with ctx.uow(write=False) as uow:
        found["ledger_size"] = uow.ledger.size()
    return found


def statuses(
    ctx: Context, subject_id: str, at: datetime | None = None
) -> dict[tuple[str, Channel], str]:
    return {
        (state.purpose, state.channel): status
        for state, status in subject_consents(ctx, subject_id=subject_id, at=at)
    }


def all_are(
    status: str, purpose: str = PURPOSE, channels: Iterable[Channel] = BOTH
) -> dict[tuple[str, Channel], str]:
    return {(purpose, channel): status for channel in channels}


def assert_verifies(ctx: Context) -> None:
    report = verify_ledger(ctx)
    assert report.problems == []
    assert report.ok


# A signed paper form's scan, as a proof of a consent taken on paper.
SCAN = ProofDraft(
    ProofType.PAPER_FORM,
    {"form_reference": "PF-2024-0042"},
    b"%PDF-1.4 signed paper form",
    "application/pdf",
)


def ledger_size(ctx: Context) -> int:
    """The number of leaves: the events and the registry's own records."""
    with ctx.uow(write=False) as uow:
        return uow.ledger.size()
