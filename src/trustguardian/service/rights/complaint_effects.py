"""What a complaint changes while it is open: a complaint about a contact holds that channel for
the person (every check on it is refused, `complaint_open`) until the complaint is closed."""

from __future__ import annotations

from datetime import datetime

from trustguardian.domain.complaints import ComplaintKind
from trustguardian.domain.errors import FieldError, InvalidInput
from trustguardian.domain.events import EventKind, PrivacyEvent
from trustguardian.domain.holds import Hold, HoldCause
from trustguardian.domain.registry import Channel
from trustguardian.service.context import Context
from trustguardian.store.uow import UnitOfWork


def kind_of(
    given: ComplaintKind | None, about: PrivacyEvent | None, channel: Channel | None
) -> ComplaintKind:
    """The complaint's kind: as given, else `contact` when it names a contact or its channel."""
    if given is not None:
        return given
    if channel is not None or (about is not None and about.kind is EventKind.CONTACT_MADE):
        return ComplaintKind.CONTACT
    return ComplaintKind.OTHER


def contact_channel(
    kind: ComplaintKind, about: PrivacyEvent | None, given: Channel | None
) -> Channel | None:
    """The channel a complaint about a contact holds: the one named, else the contact's own."""
    if kind is not ComplaintKind.CONTACT:
        return None
    if given is not None:
        return given
    if about is not None and about.kind is EventKind.CONTACT_MADE and about.channels:
        return about.channels[0]
    raise InvalidInput(
        "a complaint about a contact names the contact's event or its channel",
        errors=[FieldError("contact_channel", "required for a complaint about a contact")],
    )


def hold_channel(
    ctx: Context,
    uow: UnitOfWork,
    *,
    complaint_id: str,
    subject_id: str,
    channel: Channel,
    event_id: str,
    at: datetime,
) -> None:
    """Holds a channel for a person, every purpose, until the complaint is closed."""
    uow.holds.add(
        Hold(
            id=ctx.ids.new_id("hold"),
            subject_id=subject_id,
            purpose=None,
            channel=channel,
            cause=HoldCause.COMPLAINT,
            source_id=complaint_id,
            started_at=at,
        ),
        event_id,
    )
