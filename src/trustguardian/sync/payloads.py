"""What a company system is told about an event: only what it needs, in its own terms."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from trustguardian.domain.consent import STATUS_OF
from trustguardian.domain.events import PrivacyEvent, timestamp
from trustguardian.domain.sync import System
from trustguardian.service.context import Context
from trustguardian.service.subjects import identifiers_of
from trustguardian.store.uow import UnitOfWork


def current_states(uow: UnitOfWork, event: PrivacyEvent, moment: datetime) -> dict[str, str]:
    """Our consent state now, per channel of the event's purpose.

    A system is told where things stand, not only what one event said: a paper form signed
    before a withdrawal but recorded after it must not re-subscribe anyone downstream.
    """
    if event.purpose is None or event.kind not in STATUS_OF:
        return {}
    keys = [(event.subject_id, event.purpose, c) for c in event.channels]
    states = uow.consent.get_many(keys)
    return {str(key[2]): str(states[key].at(moment)) for key in keys if key in states}


def webhook_payload(
    ctx: Context, uow: UnitOfWork, system: System, event: PrivacyEvent
) -> dict[str, Any]:
    """The Standard Webhooks body for one event, for one system."""
    status = STATUS_OF.get(event.kind)
    now_states = current_states(uow, event, ctx.clock.now())
    wanted = set(system.identifier_kinds)
    identifiers = [
        {"kind": str(i.kind), "system": i.system, "value": i.value}
        for i in identifiers_of(ctx, uow, event.subject_id)
        if i.value is not None and (f"external:{i.system}" if i.system else str(i.kind)) in wanted
    ]
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
                    "status": now_states.get(str(c), str(status)),
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

    `states` is our consent state now per channel, as in `current_states`.
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
