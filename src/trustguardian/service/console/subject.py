"""What the console shows of one person: consents, timeline, proofs, checks, contacts, sync."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from trustguardian.domain.consent import ConsentState
from trustguardian.domain.errors import NotFound
from trustguardian.domain.events import PrivacyEvent
from trustguardian.domain.registry import NoticeVersion, ProofType
from trustguardian.domain.subjects import Identifier
from trustguardian.service.collect.proofs import OpenedProof, read_proof
from trustguardian.service.context import Context
from trustguardian.service.events.subjects import SubjectView, blind, get_subject
from trustguardian.service.sync.status import subject_sync

RECENT = 200


@dataclass(frozen=True)
class SubjectPage:
    view: SubjectView
    consents: list[tuple[ConsentState, str]]
    timeline: list[PrivacyEvent]
    checks: list[Any]
    contacts: list[Any]
    deliveries: list[tuple[Any, str | None, str]]
    touchpoint_names: dict[str, str]


def find_subject_id(ctx: Context, *, identifier: Identifier) -> str:
    """The pseudonymous id of the subject an identifier belongs to (through the blind index)."""
    with ctx.uow(write=False) as uow:
        found = uow.subjects.find_by_blind([blind(ctx, identifier)])
    if not found:
        raise NotFound("no subject has this identifier")
    return next(iter(found.values()))


def subject_page(ctx: Context, *, subject_id: str) -> SubjectPage:
    """Everything the subject page shows; the caller logs the view."""
    view = get_subject(ctx, subject_id=subject_id)
    now = ctx.clock.now()
    # A writer's unit of work: the checks a server journalled a moment ago are read too.
    with ctx.uow() as uow:
        checks = uow.engage.recent_checks(subject_id, RECENT)
        consents = [(s, s.at(now).value) for s in uow.consent.for_subject(subject_id)]
        events = uow.events.for_subject(subject_id)
        contacts = uow.console.subject_contacts(subject_id, RECENT)
        names = {tp.key: tp.name for tp in _touchpoints(uow, {e.touchpoint for e in events})}
        uow.commit()
    return SubjectPage(
        view=view,
        consents=sorted(consents, key=lambda c: (c[0].purpose, c[0].channel.value)),
        timeline=sorted(events, key=lambda e: (e.occurred_at, e.seq), reverse=True),
        checks=checks,
        contacts=contacts,
        deliveries=subject_sync(ctx, subject_id=subject_id),
        touchpoint_names=names,
    )


def _touchpoints(uow: Any, keys: set[str]) -> list[Any]:
    return [tp for key in sorted(keys) if (tp := uow.touchpoints.get(key)) is not None]


@dataclass(frozen=True)
class ProofPage:
    event: PrivacyEvent
    proof: OpenedProof
    type: ProofType
    notice: NoticeVersion | None
    snapshot_html: str | None


def proof_page(ctx: Context, *, event_id: str, position: int) -> ProofPage:
    """An event's proof opened and checked against its commitment, with the notice text shown."""
    with ctx.uow(write=False) as uow:
        found = uow.events.get(event_id)
    if found is None:
        raise NotFound(f"no event {event_id!r}")
    event = found[0]
    opened = read_proof(ctx, event_id=event_id, position=position)
    kind = ProofType(str(opened.content.get("type")))
    notice = _notice_shown(ctx, event, opened)
    snapshot = None
    if kind is ProofType.FORM_SNAPSHOT and opened.file is not None:
        snapshot = opened.file.decode("utf-8", errors="replace")
    return ProofPage(event, opened, kind, notice, snapshot)


def _notice_shown(ctx: Context, event: PrivacyEvent, proof: OpenedProof) -> NoticeVersion | None:
    """The notice version the proof (or else the event) says was shown."""
    key, version = event.notice, event.notice_version
    content = proof.content
    if content.get("type") == ProofType.NOTICE_SHOWN.value and content.get("key"):
        key, version = str(content["key"]), int(content.get("version") or 0)
    if key is None or not version:
        return None
    with ctx.uow(write=False) as uow:
        return uow.notices.version(key, version)


def event_of_subject(ctx: Context, *, event_id: str) -> PrivacyEvent:
    with ctx.uow(write=False) as uow:
        found = uow.events.get(event_id)
    if found is None:
        raise NotFound(f"no event {event_id!r}")
    return found[0]


@dataclass(frozen=True)
class DiffLine:
    tag: str  # "same", "added", "removed"
    text: str


def line_diff(old: str, new: str) -> list[DiffLine]:
    """A line-by-line diff of two texts (difflib), for the versions pages."""
    found: list[DiffLine] = []
    a, b = old.splitlines(), new.splitlines()
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            found.extend(DiffLine("same", line) for line in a[a1:a2])
            continue
        found.extend(DiffLine("removed", line) for line in a[a1:a2])
        found.extend(DiffLine("added", line) for line in b[b1:b2])
    return found
