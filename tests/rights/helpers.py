"""Shared builders for the Right touchpoint tests: a registry with Right touchpoints and people
who gave consent, all through the real service layer."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import message_from_bytes
from pathlib import Path

from tests.factories import add_purpose, add_touchpoint
from tests.factories.events import (
    BOTH,
    HISTORY_DAYS,
    NOTICE,
    OTHER_PURPOSE,
    PURPOSE,
    ago,
    at_instant,
    email,
    make_draft,
    record,
    setup_registry,
)

from trustguardian.domain.checks import TELEMARKETING_WINDOW
from trustguardian.domain.registry import Channel, LegalBasis, TouchpointKind
from trustguardian.domain.rights import RequestKind
from trustguardian.domain.subjects import Identifier, IdentifierKind
from trustguardian.service.context import Context
from trustguardian.service.engage.calendar import italian_holidays
from trustguardian.service.engage.checks import CheckRequest, check_contact
from trustguardian.service.events.identifiers import normalise
from trustguardian.service.rights.requests import submit_request
from trustguardian.service.rights.verification import confirm_code, send_code

DESK = "privacy-desk"
CENTRE = "preference-centre"
UNSUB = "unsubscribe-link"
SHARING = "partners"  # consent; e-mail; flagged as sale/sharing
POSTAL = "postal"  # legitimate interest; letter; marketing
ORDERS = "orders"  # contract; not choosable
ANNA = "anna.bianchi@example.com"
ANNA_PHONE = "+39 333 765 4321"

__all__ = ["BOTH", "NOTICE", "OTHER_PURPOSE", "PURPOSE", "email"]


@dataclass(frozen=True)
class Person:
    subject_id: str
    email: str


def setup_rights(ctx: Context) -> None:
    """setup_registry's purposes and touchpoints, more purposes, and three Right touchpoints."""
    setup_registry(ctx)
    past = at_instant(ctx, ago(days=HISTORY_DAYS))
    add_purpose(past, SHARING, name="Partners", channels=(Channel.EMAIL,))
    add_purpose(
        past,
        POSTAL,
        name="Postal catalogue",
        channels=(Channel.LETTER,),
        legal_basis=LegalBasis.LEGITIMATE_INTEREST,
        consent_lifetime_days=None,
    )
    add_purpose(
        past,
        ORDERS,
        name="Orders",
        channels=(Channel.EMAIL,),
        legal_basis=LegalBasis.CONTRACT,
        marketing=False,
        consent_lifetime_days=None,
    )
    add_touchpoint(ctx, DESK, name="Privacy desk", kind=TouchpointKind.RIGHT, channel=Channel.OTHER)
    add_touchpoint(
        ctx,
        CENTRE,
        name="Preference centre",
        kind=TouchpointKind.RIGHT,
        channel=Channel.WEB_FORM,
        purposes=[PURPOSE, OTHER_PURPOSE, SHARING, POSTAL],
        notice_key=NOTICE,
    )
    add_touchpoint(
        ctx, UNSUB, name="Unsubscribe link", kind=TouchpointKind.RIGHT, channel=Channel.EMAIL
    )
    add_touchpoint(ctx, "web-all", purposes=[PURPOSE, OTHER_PURPOSE, SHARING], notice_key=NOTICE)


def person(ctx: Context, address: str = ANNA, *, phone: str | None = None) -> Person:
    """Someone who gave consent for the newsletter (e-mail and SMS), profiling and partners."""
    ids: tuple[Identifier, ...] = (email(address),)
    if phone:
        ids += (normalise(IdentifierKind.PHONE, phone),)
    events = record(
        ctx,
        make_draft(touchpoint="web-all", identifiers=ids, purpose=PURPOSE, channels=BOTH),
        make_draft(touchpoint="web-all", identifiers=ids, purpose=OTHER_PURPOSE),
        make_draft(touchpoint="web-all", identifiers=ids, purpose=SHARING),
    )
    return Person(events[0].subject_id, address)


def check(ctx: Context, purpose: str, channel: Channel, address: str = ANNA) -> str:
    """What the Engage check answers for this person by e-mail address: now, or for a call at
    the next moment the telemarketing hours allow (the default window is Italy's, so a test run
    in the evening or on a holiday still reads the consent, not the clock)."""
    moment = _callable_moment(ctx.clock.now()) if channel is Channel.PHONE else None
    outcome = check_contact(
        ctx,
        request=CheckRequest(
            purpose=purpose, channel=channel, identifier=email(address), moment=moment
        ),
    )
    return outcome.reason.value


def _callable_moment(now: datetime) -> datetime:
    moment = now + timedelta(minutes=1)
    while not TELEMARKETING_WINDOW.allows(moment, italian_holidays(moment.year)):
        moment += timedelta(minutes=30)
    return moment


def outbox_files(directory: Path) -> list[Path]:
    return [p for p in directory.rglob("*") if p.is_file()] if directory.is_dir() else []


def submit(ctx: Context, kind: RequestKind = RequestKind.ACCESS, **kw: object) -> str:
    view = submit_request(
        ctx,
        kind=kind,
        touchpoint=DESK,
        channel=Channel.WEB_FORM,
        identifiers=[email(ANNA)],
        details="Vorrei sapere quali dati avete su di me.",
        **kw,  # type: ignore[arg-type]
    )
    return view.id


def last_code(outbox: Path) -> str:
    """The code in the newest message that carries one, read from its decoded text (a base64
    or quoted-printable body can hold six digits in a row that are no code)."""
    mails = sorted(outbox_files(outbox), key=lambda p: p.stat().st_mtime_ns)
    for mail in reversed(mails):
        for part in message_from_bytes(mail.read_bytes()).walk():
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                found = re.search(rb"\b(\d{6})\b", payload)
                if found is not None:
                    return found.group(1).decode()
    raise AssertionError(f"no message in {outbox} carries a code")


def newest_mail(ctx: Context) -> bytes:
    mails = sorted(outbox_files(ctx.settings.outbox_dir), key=lambda p: p.stat().st_mtime_ns)
    return text_part(mails[-1].read_bytes())


def text_part(mail: bytes) -> bytes:
    """The decoded text/plain part of a mail (mails to people are text and HTML)."""
    for part in message_from_bytes(mail).walk():
        if part.get_content_type() == "text/plain":
            return bytes(part.get_payload(decode=True))  # type: ignore[arg-type]
    raise AssertionError("no text part")


def verified(ctx: Context, kind: RequestKind = RequestKind.ACCESS) -> str:
    request_id = submit(ctx, kind)
    send_code(ctx, request_id=request_id)
    confirm_code(ctx, request_id=request_id, code=last_code(ctx.settings.outbox_dir))
    return request_id
