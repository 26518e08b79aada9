"""A single check's one autocommit statement (store.engage.check_one) reads what the unit of
work's `CheckReads.one` reads: the same subject, state, identifiers and suppression, by keyed hash
or by subject id, for people known, unknown, suppressed, withdrawn and without any state."""

from __future__ import annotations

from tests.factories.events import PURPOSE, email

from trustguardian.domain.events import EventKind
from trustguardian.service.context import Context
from trustguardian.service.engage import admin as engage_admin
from trustguardian.service.engage.check_registry import STAMP
from trustguardian.service.events.subjects import blind
from trustguardian.store.engage.check_one import read_one
from trustguardian.store.engage.check_reads import OneSubject

from .helpers import become_customer, event, phone
from .helpers import setup_engage as setup


def both(
    ctx: Context,
    *,
    blind_of: str | None = None,
    subject_id: str | None = None,
    purpose: str = PURPOSE,
    channel: str = "email",
) -> tuple[OneSubject, OneSubject]:
    """The one statement's answer and the unit of work's, for the same question."""
    named = {"subject_id": subject_id, "blind": blind_of, "purpose": purpose, "channel": channel}
    with ctx.uow(write=False) as uow:
        through_uow = uow.check_reads.one(stamp=STAMP, **named)  # type: ignore[arg-type]
    return read_one(ctx.engine, stamp=STAMP, **named), through_uow  # type: ignore[arg-type]


def test_one_statement_reads_what_the_unit_of_work_reads(ctx: Context) -> None:
    setup(ctx)
    given = event(ctx)
    luigi = email("luigi@example.com")
    withdrawn = event(ctx, who=[luigi, phone()])
    event(ctx, EventKind.CONSENT_WITHDRAWN, who=[luigi])
    anna = email("anna@example.com")
    event(ctx, who=[anna])
    engage_admin.suppress(ctx, identifiers=[anna], reason="asked by phone")
    become_customer(ctx, who=[email("customer@example.com")])
    known = blind(ctx, email())
    cases = [
        both(ctx, blind_of=known),
        both(ctx, subject_id=given.subject_id),
        both(ctx, blind_of=blind(ctx, luigi)),
        both(ctx, subject_id=withdrawn.subject_id, channel="sms"),
        both(ctx, blind_of=blind(ctx, anna)),
        both(ctx, blind_of=blind(ctx, email("customer@example.com")), purpose="orders"),
        both(ctx, blind_of=blind(ctx, email("nobody@example.com"))),
        both(ctx, subject_id="sub_unknown"),
    ]
    for fast, slow in cases:
        assert fast == slow
    by_blind, by_id = cases[0][0], cases[1][0]
    assert by_blind.state is not None
    assert by_blind.state.since.tzinfo is not None
    assert by_blind == by_id
    assert by_blind.subject == given.subject_id
    assert cases[2][0].state is not None
    assert cases[2][0].state.status.value == "withdrawn"
    assert cases[4][0].blind_suppressed
    assert cases[5][0].customer
    assert cases[6][0].subject is None
    assert cases[6][0].stamp is not None
