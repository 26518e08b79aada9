"""Opening confirmation requests while consents are recorded, and sending them afterwards.

`record_events` calls `awaiting` before it writes (which consent.given events must wait for a
confirmation, and where the message goes), `open_requests` inside its transaction (one request
per subject and touchpoint, with its link token or keyed-hash code), and `deliver` after the
commit: a message never goes out for a consent that was not stored.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from trustguardian.domain.collect import (
    OTP_DIGITS,
    SELF_CONFIRMING,
    CollectSettings,
    Confirmation,
)
from trustguardian.domain.errors import FieldError, InvalidInput
from trustguardian.domain.events import EventKind, PrivacyEvent
from trustguardian.domain.registry import ProofType, PurposeVersion, purpose_label
from trustguardian.messaging import EmailMessage, SmsMessage, sms_sender_for
from trustguardian.messaging.ports import MessagingError
from trustguardian.service.brand.mail import branded_mailer
from trustguardian.service.collect.confirm_texts import MailTexts, code_email, code_sms, link_email
from trustguardian.service.context import Context
from trustguardian.service.engage.tokens import mint_token, read_token
from trustguardian.service.events.subjects import keyring
from trustguardian.service.events.validate import Plan
from trustguardian.store.collect import NewConfirmation
from trustguardian.store.uow import UnitOfWork
from trustguardian.vault import derive_key, seal

log = logging.getLogger(__name__)

PURPOSE_OTP_CODES = "otp-codes/v1"
# The proofs of a confirmation this instance witnessed: never taken from a client on a touchpoint
# that confirms consents itself.
CONFIRMED_BY_US = frozenset({ProofType.DOUBLE_OPT_IN, ProofType.OTP})
DOI_LINK_KIND = "doi"
# Codes are checked against the request, not a link; their token only bounds the request's life.
OTP_REQUEST_KIND = "otp"


@dataclass(frozen=True)
class Awaiting:
    """A consent.given that must be confirmed before it counts."""

    settings: CollectSettings
    recipient: str
    within: timedelta  # the deadline is this long after the event is recorded
    purpose: PurposeVersion | None = None  # named in the message, with its controller


@dataclass(frozen=True)
class Outgoing:
    """A message to send once the transaction is committed."""

    confirmation_id: str
    method: Confirmation
    recipient: str
    language: str
    touchpoint_name: str
    expires_at: datetime
    link: str | None
    code: str | None
    purposes: tuple[str, ...] = ()  # the purposes' names in the person's language
    controller: str | None = None  # the purposes' controller (the brand's name comes first)


def named_purposes(waits: Sequence[Awaiting], language: str) -> tuple[tuple[str, ...], str | None]:
    """The names (in `language`) of the purposes a message confirms, and their controller."""
    found = [w.purpose for w in waits if w.purpose is not None]
    names = tuple(dict.fromkeys(purpose_label(p, language) for p in found))
    return names, next((p.content.controller for p in found if p.content.controller), None)


def recipient_aad(confirmation_id: str) -> bytes:
    return f"confirmation:{confirmation_id}".encode()


def code_mac(ctx: Context, confirmation_id: str, code: str) -> str:
    """The keyed hash a code is kept as: without the master key, 10^6 guesses prove nothing."""
    key = derive_key(ctx.keys.master, PURPOSE_OTP_CODES)
    return hmac.new(key, f"{confirmation_id}:{code}".encode(), hashlib.sha256).hexdigest()


def otp_code(ctx: Context) -> str:
    """A fresh one-time code."""
    number = int.from_bytes(ctx.rng.token_bytes(8), "big") % 10**OTP_DIGITS
    return f"{number:0{OTP_DIGITS}d}"


def awaiting(
    ctx: Context, uow: UnitOfWork, plans: Sequence[tuple[int, Plan]], *, minted: bool = False
) -> tuple[list[tuple[int, Plan]], dict[int, Awaiting]]:
    """The plans with their claims marked, and which consents await confirmation; refuses a
    consent with nowhere to send its confirmation.

    On a touchpoint that confirms consents, only the instance records a confirmation: a
    `consent.confirmed`, or a `double_opt_in` or `otp` proof, sent by a client is refused (its
    proof would read as one we witnessed), unless the touchpoint declares that a named external
    system confirms its consents. Every such proof a client sends is recorded as a claim: of
    that system, else of the company system or touchpoint that sent it. `minted` marks the
    instance's own confirmations, the only proofs recorded as ours.
    """
    giving = [
        (n, p)
        for n, p in plans
        if p.draft.kind in (EventKind.CONSENT_GIVEN, EventKind.CONSENT_CONFIRMED)
        or any(proof.type in CONFIRMED_BY_US for proof in p.draft.proofs)
    ]
    if not giving:
        return list(plans), {}
    settings = uow.collect.settings_for(p.touchpoint.key for _, p in giving)
    found: dict[int, Awaiting] = {}
    claims: dict[int, Plan] = {}
    errors: list[FieldError] = []
    for n, plan in giving:
        s = settings.get(plan.touchpoint.key)
        external = s.confirmed_by if s is not None else None
        if not minted and any(p.type in CONFIRMED_BY_US for p in plan.draft.proofs):
            claims[n] = _claimed(plan, external)
        if s is None or s.confirmation is Confirmation.NONE or external is not None:
            continue
        if not minted and (plan.draft.kind is EventKind.CONSENT_CONFIRMED or n in claims):
            errors.append(
                FieldError(
                    f"events.{n}.proofs",
                    f"touchpoint {plan.touchpoint.key!r} confirms consents by "
                    f"{s.confirmation.value}: a consent.confirmed and its double_opt_in or otp "
                    "proof are recorded only when the person confirms, never sent by a client",
                )
            )
            continue
        if plan.draft.kind is not EventKind.CONSENT_GIVEN or any(
            p.type in SELF_CONFIRMING for p in plan.draft.proofs
        ):
            continue
        kind = s.confirmation.recipient_kind
        recipient = next((i.value for i in plan.draft.identifiers if i.kind is kind), None)
        if recipient is None:
            errors.append(
                FieldError(
                    f"events.{n}.identifiers",
                    f"touchpoint {plan.touchpoint.key!r} confirms consents by "
                    f"{s.confirmation.value}: name the {kind.value} to send it to",
                )
            )
            continue
        found[n] = Awaiting(s, recipient, timedelta(minutes=s.confirm_within_minutes), plan.purpose)
    if errors:
        raise InvalidInput("consent(s) cannot be confirmed; nothing was recorded", errors=errors)
    return [(n, claims.get(n, p)) for n, p in plans], found


def _claimed(plan: Plan, external: str | None) -> Plan:
    """The plan with its confirmation proofs recorded as the claim of `external`, else of the
    company system or the touchpoint that sent them: never as a confirmation we witnessed."""
    draft = plan.draft
    by = external or (
        f"system:{draft.source_system}" if draft.source_system else f"touchpoint:{draft.touchpoint}"
    )
    proofs = tuple(
        replace(p, claimed_by=by) if p.type in CONFIRMED_BY_US else p for p in draft.proofs
    )
    return replace(plan, draft=replace(draft, proofs=proofs))


def _held(ctx: Context, this_hour: int, today: int) -> str | None:
    """Why a confirmation message is held back, if it is: the person had the cap already."""
    per_hour = ctx.settings.confirmation_messages_per_hour
    per_day = ctx.settings.confirmation_messages_per_day
    if this_hour > per_hour:
        return f"not sent: {per_hour} confirmation messages to this person in the last hour already"
    if today > per_day:
        return f"not sent: {per_day} confirmation messages to this person in the last day already"
    return None


def open_requests(
    ctx: Context,
    uow: UnitOfWork,
    waiting: dict[int, Awaiting],
    recorded: dict[int, PrivacyEvent],
    names: dict[str, str],
) -> list[Outgoing]:
    """Creates one request per subject, touchpoint and address, inside the recording transaction."""
    groups: dict[tuple[str, str, str], list[int]] = {}
    for n, wait in waiting.items():
        event = recorded[n]
        groups.setdefault((event.subject_id, event.touchpoint, wait.recipient), []).append(n)
    ring = keyring(ctx, uow)
    now = ctx.clock.now()
    rows: list[NewConfirmation] = []
    outgoing: list[Outgoing] = []
    subjects = {subject for subject, _, _ in groups}
    sent_lately = uow.collect.confirmations_since(subjects, now - timedelta(hours=1))
    sent_today = uow.collect.confirmations_since(subjects, now - timedelta(days=1))
    for (subject_id, touchpoint, recipient), ns in groups.items():
        s = waiting[ns[0]].settings
        expires = recorded[ns[0]].confirm_by or now
        confirmation_id = ctx.ids.new_id("cnf")
        kind = DOI_LINK_KIND if s.confirmation is Confirmation.DOUBLE_OPT_IN else OTP_REQUEST_KIND
        token = mint_token(
            ctx,
            uow,
            kind,
            subject_id=subject_id,
            claims={"c": confirmation_id},
            ttl=expires - now,
        )
        token_id = read_token(ctx, uow, token, kind).id
        code = None if s.confirmation is Confirmation.DOUBLE_OPT_IN else otp_code(ctx)
        sealed = seal(
            ring.data_key_for(subject_id),
            recipient.encode(),
            recipient_aad(confirmation_id),
            ctx.rng,
        )
        # One person, one address: past the hourly or the daily cap, a sign-up is recorded and
        # no message sent.
        sent_lately[subject_id] = sent_lately.get(subject_id, 0) + 1
        sent_today[subject_id] = sent_today.get(subject_id, 0) + 1
        held = _held(ctx, sent_lately[subject_id], sent_today[subject_id])
        rows.append(
            NewConfirmation(
                id=confirmation_id,
                token_id=token_id,
                subject_id=subject_id,
                touchpoint_key=touchpoint,
                method=s.confirmation.value,
                event_ids=[recorded[n].id for n in ns],
                recipient_sealed=sealed,
                code_mac=None if code is None else code_mac(ctx, confirmation_id, code),
                max_attempts=s.otp_max_attempts,
                language=s.language,
                created_at=now,
                expires_at=expires,
                send_error=held,
            )
        )
        if held:
            continue
        link = None
        if s.confirmation is Confirmation.DOUBLE_OPT_IN:
            link = f"{ctx.settings.public_base_url.rstrip('/')}/confirm/{token}"
        purposes, controller = named_purposes([waiting[n] for n in ns], s.language)
        outgoing.append(
            Outgoing(
                confirmation_id,
                s.confirmation,
                recipient,
                s.language,
                names.get(touchpoint, touchpoint),
                expires,
                link,
                code,
                purposes,
                controller,
            )
        )
    uow.collect.add_confirmations(rows)
    return outgoing


def deliver(ctx: Context, outgoing: Sequence[Outgoing]) -> None:
    """Sends each message and records the outcome; a failure leaves the consent pending."""
    for message in outgoing:
        try:
            message_id = _send(ctx, message)
            sent_at, error = ctx.clock.now(), None
        except MessagingError as exc:
            message_id, sent_at, error = None, None, str(exc)
            log.warning("confirmation %s not sent: %s", message.confirmation_id, exc)
        with ctx.uow() as uow:
            uow.collect.mark_sent(
                message.confirmation_id, at=sent_at, message_id=message_id, error=error
            )
            uow.commit()


def _send(ctx: Context, message: Outgoing) -> str:
    zone = ctx.settings.timezone
    if message.method is Confirmation.OTP_SMS:
        assert message.code is not None
        text = code_sms(
            message.language, message.touchpoint_name, message.code, message.expires_at, zone
        )
        return sms_sender_for(ctx.settings).send(SmsMessage(to=message.recipient, text=text))
    mailer, brand = branded_mailer(ctx)
    texts = MailTexts(
        message.language,
        message.touchpoint_name,
        message.expires_at,
        zone,
        brand,
        brand.company_name or message.controller,
        message.purposes,
        ctx.settings.public_base_url,
    )
    if message.method is Confirmation.OTP_EMAIL:
        assert message.code is not None
        subject, text, html = code_email(texts, message.code)
    else:
        assert message.link is not None
        subject, text, html = link_email(texts, message.link)
    return mailer.send(EmailMessage(to=message.recipient, subject=subject, text=text, html=html))
