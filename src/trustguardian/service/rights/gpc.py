"""Global Privacy Control (`Sec-GPC: 1`) on every public entry point: the rights form and its
complaint form, the preference-centre e-mail form and the web-form SDK.

The signal objects to every purpose flagged as selling or sharing data. It is recorded for the
person the entry point names once they are known here (nobody is created for it), once per
person and purpose: a purpose already withdrawn or refused on each of its channels gets nothing
new, so a browser that sends the signal with every request records it a single time. An
opt-out needs no proof of identity, so the forms' unverified contacts are enough to honour it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from trustguardian.domain.consent import ConsentStatus
from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import ProofType
from trustguardian.domain.subjects import Identifier
from trustguardian.service.collect.evidence import ProofDraft
from trustguardian.service.context import Context
from trustguardian.service.engage.preferences import GPC_SIGNAL
from trustguardian.service.events.recording import record_in_unit
from trustguardian.service.events.subjects import blind
from trustguardian.service.events.validate import EventDraft
from trustguardian.store.uow import UnitOfWork

OBJECTED = (ConsentStatus.WITHDRAWN, ConsentStatus.REFUSED)


@dataclass(frozen=True)
class Signal:
    """Where a GPC signal came from: the entry point and the browser's network proof."""

    entry: str
    ip: str
    user_agent: str


def sends_gpc(headers: Iterable[tuple[str, str]]) -> bool:
    """Whether request headers (name, value) carry `Sec-GPC: 1`."""
    return any(n.lower() == "sec-gpc" and v.strip() == "1" for n, v in headers)


def honour_gpc(
    ctx: Context,
    *,
    signal: Signal,
    subject_id: str | None = None,
    identifier: Identifier | None = None,
    spared: Iterable[str] = (),
) -> list[str]:
    """Records the signal for the person named (by id, else by identifier): a withdrawal per
    sale/sharing purpose not yet objected to, except the `spared` ones (chosen explicitly in
    the same submission), at the preference centre's touchpoint whatever the entry point.
    Returns the purposes withdrawn; nothing when nobody is known."""
    touchpoint = ctx.settings.preferences_touchpoint
    with ctx.uow() as uow:
        uow.ledger.lock_head()
        if subject_id is None and identifier is not None:
            owners = uow.subjects.find_by_blind([blind(ctx, identifier)])
            subject_id = next(iter(owners.values()), None)
        subject = uow.subjects.get(subject_id) if subject_id is not None else None
        if subject is None or subject.shredded:
            return []
        drafts = _drafts(ctx, uow, subject.id, touchpoint, signal, set(spared))
        if drafts:
            record_in_unit(ctx, uow, drafts)
            uow.commit()
    return [str(d.purpose) for d in drafts]


def _drafts(
    ctx: Context,
    uow: UnitOfWork,
    subject_id: str,
    touchpoint: str,
    signal: Signal,
    spared: set[str],
) -> list[EventDraft]:
    now = ctx.clock.now()
    found = uow.consent.for_subject(subject_id)
    states = {(s.purpose, s.channel): s.at(now) for s in found}
    # A state dated ahead of our clock (within the skew) would outrank a withdrawal dated now.
    latest: dict[str, datetime] = {}
    for s in found:
        latest[s.purpose] = max(latest.get(s.purpose, now), s.since)
    drafts = []
    for key in sorted(uow.rights.sale_sharing() - spared):
        purpose = uow.purposes.get(key)
        if purpose is None:
            continue
        channels = purpose.current.content.channels
        if all(states.get((key, c)) in OBJECTED for c in channels):
            continue
        proof = {
            "ip": signal.ip,
            "user_agent": signal.user_agent,
            "signal": GPC_SIGNAL,
            "basis": "objection to sale/sharing",
            "entry": signal.entry,
        }
        drafts.append(
            EventDraft(
                kind=EventKind.CONSENT_WITHDRAWN,
                touchpoint=touchpoint,
                occurred_at=latest.get(key, now),
                subject_id=subject_id,
                purpose=key,
                channels=channels,
                proofs=(
                    ProofDraft(ProofType.NETWORK, proof),
                    ProofDraft(ProofType.FORM_SNAPSHOT, {"fields": {"action": "gpc"}}),
                ),
            )
        )
    return drafts
