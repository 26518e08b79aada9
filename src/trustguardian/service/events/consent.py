"""Consent state: kept in step with every recorded event, and read back for a subject."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from trustguardian.domain.consent import STATUS_OF, ConsentFact, ConsentState, fold, newer, state_of
from trustguardian.domain.errors import NotFound
from trustguardian.domain.events import PrivacyEvent
from trustguardian.domain.registry import Channel
from trustguardian.service.context import Context
from trustguardian.store.uow import UnitOfWork

if TYPE_CHECKING:
    from trustguardian.service.events.validate import Plan


def fact_of(event: PrivacyEvent, lifetime_days: int | None) -> ConsentFact | None:
    """The consent-deciding part of an event (None for events that decide nothing)."""
    if event.kind not in STATUS_OF or event.purpose is None or event.purpose_version is None:
        return None
    return ConsentFact(
        seq=event.seq,
        event_id=event.id,
        kind=event.kind,
        subject_id=event.subject_id,
        purpose=event.purpose,
        purpose_version=event.purpose_version,
        channels=event.channels,
        notice=event.notice,
        notice_version=event.notice_version,
        occurred_at=event.occurred_at,
        corrects=event.corrects,
        lifetime_days=lifetime_days,
        confirm_by=event.confirm_by,
    )


def lifetimes(uow: UnitOfWork) -> dict[tuple[str, int], int | None]:
    """Consent lifetime of every purpose version (the registry is small)."""
    found: dict[tuple[str, int], int | None] = {}
    cursor = None
    while True:
        page = uow.purposes.page(after=cursor, limit=500)
        for purpose in page:
            for v in uow.purposes.versions(purpose.key):
                found[(v.key, v.version)] = v.content.consent_lifetime_days
        if len(page) < 500:
            return found
        cursor = page[-1].key


def update_consent(
    uow: UnitOfWork, batch: Sequence[tuple[PrivacyEvent, Plan]], refold: set[tuple[str, str]]
) -> None:
    """Applies a batch's events to the stored state; it follows `occurred_at`, not arrival.

    `refold` names subject x purpose pairs touched by a correction: those are rebuilt from
    their whole history, since a corrected event may have been the one that decided.
    """
    if refold:
        _refold(uow, refold)
    facts: list[ConsentFact] = []
    for event, plan in batch:
        fact = fact_of(event, plan.purpose.content.consent_lifetime_days if plan.purpose else None)
        if fact is not None and (fact.subject_id, fact.purpose) not in refold:
            facts.append(fact)
    current = uow.consent.get_many(
        [(f.subject_id, f.purpose, c) for f in facts for c in f.channels]
    )
    changed: dict[tuple[str, str, Channel], ConsentState] = {}
    for fact in facts:
        for channel in fact.channels:
            candidate = state_of(fact, channel)
            if (
                newer(changed.get(candidate.key) or current.get(candidate.key), candidate)
                is candidate
            ):
                changed[candidate.key] = candidate
    uow.consent.put_many(list(changed.values()))


def _refold(uow: UnitOfWork, pairs: set[tuple[str, str]]) -> None:
    lifetime = lifetimes(uow)
    for subject_id, purpose in sorted(pairs):
        events = uow.events.for_subject(subject_id)
        facts = [
            f
            for e in events
            if e.purpose == purpose
            and (f := fact_of(e, lifetime.get((purpose, e.purpose_version or 0)))) is not None
        ]
        states = fold(facts, corrected=[e.corrects for e in events if e.corrects is not None])
        uow.consent.delete_subject_purpose(subject_id, purpose)
        uow.consent.put_many(list(states.values()))


def subject_consents(
    ctx: Context, *, subject_id: str, at: datetime | None = None
) -> list[tuple[ConsentState, str]]:
    """The subject's consent states with their status at an instant (expiry applied)."""
    moment = at or ctx.clock.now()
    with ctx.uow(write=False) as uow:
        if uow.subjects.get(subject_id) is None:
            raise NotFound(f"no subject {subject_id!r}")
        return [(s, s.at(moment).value) for s in uow.consent.for_subject(subject_id)]


def subject_timeline(ctx: Context, *, subject_id: str) -> list[PrivacyEvent]:
    """Every event of a subject, in the order they happened."""
    with ctx.uow(write=False) as uow:
        if uow.subjects.get(subject_id) is None:
            raise NotFound(f"no subject {subject_id!r}")
        events = uow.events.for_subject(subject_id)
    return sorted(events, key=lambda e: (e.occurred_at, e.seq))
