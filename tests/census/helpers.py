"""A small company whose census is clean, so each test can break one thing and see one rule."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tests.factories import add_notice, add_purpose, add_touchpoint

from trustguardian.domain.common import FixedClock
from trustguardian.domain.events import EventKind, PrivacyEvent
from trustguardian.domain.registry import Channel, Nature, ProofType, TouchpointKind
from trustguardian.domain.roles import Role
from trustguardian.domain.subjects import IdentifierKind
from trustguardian.service.access.users import create_user
from trustguardian.service.collect.evidence import ProofDraft
from trustguardian.service.context import Context
from trustguardian.service.engage.checks import CheckRequest, check_contact
from trustguardian.service.events.identifiers import normalise
from trustguardian.service.events.recording import record_events
from trustguardian.service.events.validate import EventDraft
from trustguardian.service.registry.census import Examination, examine_touchpoints

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
WEB = "web-newsletter"
STORE = "store-milano"
SEND = "newsletter-send"
CALLS = "telemarketing"
UNSUBSCRIBE = "unsubscribe"
PURPOSE = "newsletter"
NOTICE = "privacy-it"
MARIO = "mario.rossi@example.com"


def at(ctx: Context, moment: datetime) -> Context:
    return dataclasses.replace(ctx, clock=FixedClock(moment))


def clean_company(ctx: Context) -> Context:
    """Registry at T0: every touchpoint would be secured. Returns a context whose clock is T0+1h."""
    past = at(ctx, T0)
    add_purpose(past, PURPOSE, channels=(Channel.EMAIL, Channel.PHONE))
    add_notice(past, NOTICE)
    add_touchpoint(
        past,
        WEB,
        purposes=[PURPOSE],
        notice_key=NOTICE,
        required_proofs=[ProofType.NOTICE_SHOWN, ProofType.DOUBLE_OPT_IN],
    )
    add_touchpoint(
        past,
        STORE,
        name="Shop counter",
        channel=Channel.STORE,
        nature=Nature.PHYSICAL,
        purposes=[PURPOSE],
        notice_key=NOTICE,
        required_proofs=[ProofType.PAPER_FORM],
    )
    add_touchpoint(
        past,
        SEND,
        name="Newsletter sending",
        kind=TouchpointKind.ENGAGE,
        channel=Channel.EMAIL,
        purposes=[PURPOSE],
    )
    add_touchpoint(
        past,
        UNSUBSCRIBE,
        name="Unsubscribe link",
        kind=TouchpointKind.RIGHT,
        channel=Channel.EMAIL,
        purposes=[PURPOSE],
    )
    return at(ctx, T0 + timedelta(hours=1))


def add_calls(ctx: Context) -> None:
    """An engage touchpoint for phone marketing (the opposition register matters to it)."""
    add_touchpoint(
        ctx,
        CALLS,
        name="Outbound calls",
        kind=TouchpointKind.ENGAGE,
        channel=Channel.PHONE,
        nature=Nature.PHYSICAL,
        purposes=[PURPOSE],
    )


def signer(ctx: Context, username: str = "giulia.dpo") -> str:
    """A console user (the DPO) who may sign touchpoints off; returns the username."""
    create_user(ctx, username=username, password="correct horse battery", role=Role.DPO)
    return username


def examine(ctx: Context) -> dict[str, Examination]:
    return {r.touchpoint.key: r for r in examine_touchpoints(ctx)}


def rules(result: Examination) -> dict[str, str]:
    """rule -> severity of the open findings."""
    return {f.rule: f.severity for f in result.findings}


def paper_consent(ctx: Context, occurred_at: datetime, **changes: Any) -> PrivacyEvent:
    """Mario's consent on a paper form at the shop counter."""
    draft = EventDraft(
        kind=EventKind.CONSENT_GIVEN,
        touchpoint=STORE,
        occurred_at=occurred_at,
        identifiers=(normalise(IdentifierKind.EMAIL, MARIO),),
        purpose=PURPOSE,
        channels=(Channel.EMAIL,),
        proofs=(
            ProofDraft(
                ProofType.PAPER_FORM, {"operator": "Giulia"}, b"%PDF-1.4 scan", "application/pdf"
            ),
        ),
        fingerprint=f"{STORE}:{occurred_at.isoformat()}:{changes}",
        **changes,
    )
    [recorded] = record_events(ctx, drafts=[draft])
    return recorded.event


def contact(ctx: Context, occurred_at: datetime, check_id: str | None) -> PrivacyEvent:
    draft = EventDraft(
        kind=EventKind.CONTACT_MADE,
        touchpoint=SEND,
        occurred_at=occurred_at,
        identifiers=(normalise(IdentifierKind.EMAIL, MARIO),),
        purpose=PURPOSE,
        channels=(Channel.EMAIL,),
        campaign="black-friday",
        check_id=check_id,
        fingerprint=f"contact:{occurred_at.isoformat()}:{check_id}",
    )
    [recorded] = record_events(ctx, drafts=[draft])
    return recorded.event


def check(ctx: Context) -> tuple[bool, str]:
    outcome = check_contact(
        ctx,
        request=CheckRequest(
            purpose=PURPOSE,
            channel=Channel.EMAIL,
            identifier=normalise(IdentifierKind.EMAIL, MARIO),
        ),
    )
    assert outcome.check_id is not None
    return outcome.allowed, outcome.check_id


def today(ctx: Context) -> date:
    return ctx.clock.now().date()


def withdrawal(ctx: Context, occurred_at: datetime) -> PrivacyEvent:
    """Mario withdraws from the newsletter's footer link."""
    draft = EventDraft(
        kind=EventKind.CONSENT_WITHDRAWN,
        touchpoint=SEND,
        occurred_at=occurred_at,
        identifiers=(normalise(IdentifierKind.EMAIL, MARIO),),
        purpose=PURPOSE,
        fingerprint=f"withdrawal:{occurred_at.isoformat()}",
    )
    [recorded] = record_events(ctx, drafts=[draft])
    return recorded.event
