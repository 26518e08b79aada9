"""A world for legal defence: a person's consent and withdrawal, a purpose keeping its proofs,
a privacy desk to erase them at, and a DPO, a lawyer and a marketer with console accounts."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from tests.factories import add_touchpoint
from tests.factories.events import PURPOSE, SCAN, make_draft, record, setup_registry, utcnow

from trustguardian.domain.common import FixedClock
from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import Channel, TouchpointKind
from trustguardian.domain.roles import Role
from trustguardian.service.access.users import create_user
from trustguardian.service.context import Context
from trustguardian.service.registry.purposes import set_defence_retention

DESK = "privacy-desk"
TEN_YEARS = 3650
PASSWORD = "correct horse battery staple"
REASON = "claim 2026/17 by the data subject"


def defence_world(
    ctx: Context, *, days: int = TEN_YEARS, start: datetime | None = None
) -> tuple[Context, FixedClock, str]:
    """Mario consents on the web form with a signed scan, then withdraws; the newsletter keeps
    proofs `days` days. Returns the context on a clock stopped at `start`, the clock and Mario's
    subject id."""
    clock = FixedClock(start or utcnow())
    ctx = dataclasses.replace(ctx, clock=clock)
    setup_registry(ctx)
    add_touchpoint(ctx, DESK, name="Privacy desk", kind=TouchpointKind.RIGHT, channel=Channel.OTHER)
    set_defence_retention(ctx, key=PURPOSE, days=days)
    for name, role in (("dpo", Role.DPO), ("lawyer", Role.LEGAL), ("marketer", Role.MARKETING)):
        create_user(ctx, username=name, password=PASSWORD, role=role)
    given, _ = record(
        ctx,
        make_draft(occurred_at=clock.now() - timedelta(days=2), proofs=(SCAN,)),
        make_draft(EventKind.CONSENT_WITHDRAWN, occurred_at=clock.now() - timedelta(days=1)),
    )
    return ctx, clock, given.subject_id
