"""The preference centre's one form: a switch per purpose and channel, saved together.

The page sends, for every switch it showed, the state it showed and the state sent back; only
the switches the person moved are changes. A form sent twice, or an older tab sent after a
newer one, records nothing for a switch already in the wanted state, and never undoes a change
the person made elsewhere. Every change of one purpose in one direction is one event, with the
same `network` and `form_snapshot` proofs as a single click.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from trustguardian.domain.errors import FieldError, InvalidInput
from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import Channel
from trustguardian.service.context import Context
from trustguardian.service.engage.preferences import (
    Action,
    Network,
    centre_of,
    click_proofs,
    offered_choices,
)
from trustguardian.service.events.recording import record_in_unit
from trustguardian.service.events.validate import EventDraft


@dataclass(frozen=True)
class Switch:
    """One channel of one purpose: on or off as the page showed it, and as it came back."""

    purpose: str
    channel: Channel
    was_on: bool
    on: bool


@dataclass(frozen=True)
class Change:
    """What saving did to one purpose: given or withdrawn on these channels."""

    purpose: str
    action: Action
    channels: tuple[Channel, ...]


def _not_offered(switch: Switch) -> InvalidInput:
    return InvalidInput(
        "this purpose and channel are not offered here",
        errors=[FieldError("purpose", f"{switch.purpose} on {switch.channel.value}")],
    )


def save_preferences(
    ctx: Context, *, token: str, switches: Sequence[Switch], network: Network
) -> list[Change]:
    """Records the switches the person moved: one event per purpose and direction, or none."""
    with ctx.uow() as uow:
        found, tp = centre_of(ctx, uow, token)
        subject_id = str(found.subject_id)
        now = ctx.clock.now()
        offered = {
            (c.purpose, c.channel): c for c in offered_choices(uow, subject_id, tp.purposes, now)
        }
        moved: dict[tuple[str, Action], list[Channel]] = {}
        for switch in switches:
            choice = offered.get((switch.purpose, switch.channel))
            if choice is None or (switch.on and not switch.was_on and not choice.can_give):
                raise _not_offered(switch)
            if switch.on == switch.was_on or switch.on == choice.on:
                continue  # not moved, or already so (the form sent twice, another tab)
            action: Action = "give" if switch.on else "withdraw"
            channels = moved.setdefault((switch.purpose, action), [])
            if switch.channel not in channels:
                channels.append(switch.channel)
        changes = [Change(p, a, tuple(chs)) for (p, a), chs in moved.items()]
        drafts = [
            EventDraft(
                kind=EventKind.CONSENT_GIVEN if c.action == "give" else EventKind.CONSENT_WITHDRAWN,
                touchpoint=tp.key,
                occurred_at=now,
                subject_id=subject_id,
                purpose=c.purpose,
                channels=c.channels,
                proofs=click_proofs(
                    network,
                    {
                        "purpose": c.purpose,
                        "channel": " ".join(ch.value for ch in c.channels),
                        "action": c.action,
                    },
                    {"link": found.id},
                ),
            )
            for c in changes
        ]
        if drafts:
            record_in_unit(ctx, uow, drafts)
            uow.commit()
    return changes
