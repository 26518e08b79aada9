"""What a company system is told about an event: only what it needs, in its own terms."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from trustguardian.domain.consent import STATUS_OF
from trustguardian.domain.events import PrivacyEvent, timestamp
from trustguardian.domain.sync import System
from trustguardian.service.context import Context
from trustguardian.service.events.subjects import identifiers_of
from trustguardian.store.uow import UnitOfWork


def states_now(
    uow: UnitOfWork, events: Sequence[PrivacyEvent], moment: datetime
) -> dict[str, dict[str, str]]:
    """Our consent state now, per event and channel of its purpose, read in one query.

    A system is told where things stand, not only what one event said: a paper form signed
    before a withdrawal but recorded after it must not re-subscribe anyone downstream.
    """
    deciding = [e for e in events if e.purpose is not None and e.kind in STATUS_OF]
    keys = [(e.subject_id, e.purpose or "", c) for e in deciding for c in e.channels]
    states = uow.consent.get_many(keys)
    return {
        e.id: {
            str(c): str(states[k].at(moment))
            for c in e.channels
            if (k := (e.subject_id, e.purpose or "", c)) in states
        }
        for e in deciding
    }


def webhook_payloads(
    ctx: Context,
    uow: UnitOfWork,
    system: System,
    events: Sequence[PrivacyEvent],
    erased: Mapping[str, list[dict[str, Any]]] | None = None,
) -> dict[str, dict[str, Any]]:
    """The Standard Webhooks body of each event for one system, built with a few reads.

    `erased` gives, per `subject.erased` event id, the identifiers kept for this system when
    the key went (service.sync.erasures); an erased subject's own identifiers read as nothing.
    """
    wanted = set(system.identifier_kinds)
    people = {
        subject: [
            {"kind": str(i.kind), "system": i.system, "value": i.value}
            for i in identifiers_of(ctx, uow, subject)
            if i.value is not None
            and (f"external:{i.system}" if i.system else str(i.kind)) in wanted
        ]
        for subject in {e.subject_id for e in events}
    }
    now = states_now(uow, events, ctx.clock.now())
    kept = erased or {}
    return {
        e.id: _payload(system, e, kept.get(e.id, people[e.subject_id]), now.get(e.id, {}))
        for e in events
    }


def _payload(
    system: System, event: PrivacyEvent, identifiers: list[dict[str, Any]], now: dict[str, str]
) -> dict[str, Any]:
    status = STATUS_OF.get(event.kind)
    targets = system.mapping.get(event.purpose or "", {})
    return {
        "type": str(event.kind),
        "timestamp": timestamp(event.recorded_at),
        "data": {
            "event_id": event.id,
            "seq": event.seq,
            "subject_id": event.subject_id,
            "touchpoint": event.touchpoint,
            "purpose": event.purpose,
            "purpose_version": event.purpose_version,
            "occurred_at": timestamp(event.occurred_at),
            "consent": [
                {
                    "channel": str(c),
                    "status": now.get(str(c), str(status)),
                    "event_status": str(status),
                    "target": targets.get(str(c)),
                }
                for c in event.channels
            ]
            if status is not None
            else [],
            "identifiers": identifiers,
        },
    }


def broker_payload(event: PrivacyEvent, states: dict[str, str]) -> dict[str, Any]:
    """The broker message: pseudonymous, for internal consumers (identifiers stay with us).

    `states` is our consent state now per channel, as `states_now` gives it.
    """
    status = STATUS_OF.get(event.kind)
    return {
        "state": states,
        "event_id": event.id,
        "seq": event.seq,
        "kind": str(event.kind),
        "subject_id": event.subject_id,
        "touchpoint": event.touchpoint,
        "purpose": event.purpose,
        "channels": [str(c) for c in event.channels],
        "status": None if status is None else str(status),
        "occurred_at": timestamp(event.occurred_at),
        "recorded_at": timestamp(event.recorded_at),
    }
