"""A touchpoint's dossier: what an inspector asks of one touchpoint, in one read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from trustguardian.domain.collect import Confirmation
from trustguardian.domain.errors import NotFound
from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import Purpose, Touchpoint
from trustguardian.service.context import Context
from trustguardian.service.registry.securing import SignOff, signoffs_of
from trustguardian.store.accountability import StoredFinding
from trustguardian.store.touchpoint_history import NoticeShown, SampleProof

SAMPLE_EVENTS = 10
CONSENT_KINDS = [EventKind.CONSENT_GIVEN.value, EventKind.CONSENT_CONFIRMED.value]


@dataclass(frozen=True)
class TouchpointDossier:
    touchpoint: Touchpoint
    purposes: list[Purpose]
    confirmation: Confirmation
    examined_at: datetime | None
    findings: list[StoredFinding]  # every finding ever made, open and resolved: its history
    signoffs: list[SignOff]
    notices_shown: list[NoticeShown]
    events_by_kind: dict[str, int]
    sample_proofs: list[SampleProof]
    generated_at: datetime


def touchpoint_dossier(ctx: Context, *, key: str) -> TouchpointDossier:
    """Reads a touchpoint's census history, notices shown, events and sample proofs."""
    with ctx.uow(write=False) as uow:
        tp = uow.touchpoints.get(key)
        if tp is None:
            raise NotFound(f"no touchpoint {key!r}")
        settings = uow.collect.settings_for([key]).get(key)
        history = uow.touchpoint_history
        return TouchpointDossier(
            touchpoint=tp,
            purposes=[p for k in tp.purposes if (p := uow.purposes.get(k)) is not None],
            confirmation=settings.confirmation if settings else Confirmation.NONE,
            examined_at=uow.accountability.examined_at(key),
            findings=uow.accountability.findings(key, open_only=False),
            signoffs=signoffs_of(uow, key),
            notices_shown=history.notices_shown(key),
            events_by_kind=history.events_by_kind(key),
            sample_proofs=history.sample_proofs(key, CONSENT_KINDS, SAMPLE_EVENTS),
            generated_at=ctx.clock.now(),
        )
