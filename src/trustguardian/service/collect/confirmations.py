"""Confirming consents: the double opt-in link and the one-time code.

Every refusal (forged, expired, used, locked, wrong code) raises before anything is recorded, so
the consent stays exactly as it was. A wrong code still uses up one of the request's attempts,
counted in its own committed transaction.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from trustguardian.domain.collect import OTP_DIGITS, Confirmation, ConfirmationRequest
from trustguardian.domain.consent import PROTECTIVE
from trustguardian.domain.errors import Erased, FieldError, InvalidInput, InvalidToken
from trustguardian.domain.events import EventKind, PrivacyEvent, timestamp
from trustguardian.service.collect.confirm_requests import DOI_LINK_KIND, code_mac, recipient_aad
from trustguardian.service.collect.evidence import ProofDraft
from trustguardian.service.collect.intakes import confirmed_draft, drafts_of, recipient_of, take_in
from trustguardian.service.context import Context
from trustguardian.service.engage.tokens import read_token, redeem_token
from trustguardian.service.events.recording import record_events
from trustguardian.service.events.subjects import keyring
from trustguardian.service.rights.gpc import Signal, honour_gpc
from trustguardian.store.uow import UnitOfWork
from trustguardian.vault import SubjectShredded, open_sealed


class WrongCode(InvalidInput):
    code = "wrong-code"
    title = "The confirmation code is not right"


@dataclass(frozen=True)
class LinkView:
    """What the confirmation page shows before the click."""

    request: ConfirmationRequest
    touchpoint_name: str
    purposes: tuple[str, ...]


def client_ip(value: str | None) -> str | None:
    """An IP address as a proof keeps it (None when the peer is not an IP, e.g. a test client)."""
    if value is None:
        return None
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def open_link(ctx: Context, *, token: str) -> LinkView:
    """Checks a confirmation link without using it."""
    with ctx.uow(write=False) as uow:
        claims = read_token(ctx, uow, token, DOI_LINK_KIND)
        request = _request(ctx, uow, str(claims.claims.get("c")))
        if request.intake:
            wanted = [
                d.purpose for d in drafts_of(ctx, request) if d.kind is EventKind.CONSENT_GIVEN
            ]
        else:
            wanted = [e.purpose for e in uow.events.by_ids(list(request.event_ids))]
        tp = uow.touchpoints.get(request.touchpoint_key)
        names = []
        for key in wanted:
            purpose = uow.purposes.get(key) if key else None
            names.append(purpose.current.content.name if purpose else (key or ""))
    return LinkView(request, tp.name if tp else request.touchpoint_key, tuple(names))


def confirm_link(
    ctx: Context, *, token: str, ip: str | None, user_agent: str | None
) -> list[PrivacyEvent]:
    """Confirms the consents behind a link: records consent.confirmed and uses the link up."""
    now = ctx.clock.now()
    with ctx.uow(write=False) as uow:
        claims = read_token(ctx, uow, token, DOI_LINK_KIND)
        request = _request(ctx, uow, str(claims.claims.get("c")))
        recipient = _recipient(ctx, uow, request)
        pending = [] if request.intake else uow.events.by_ids(list(request.event_ids))
    proof = ProofDraft(
        Confirmation.DOUBLE_OPT_IN.proof,
        _proof_fields(request, recipient, now, ip, user_agent),
    )
    if request.intake:
        return _take_in(
            ctx, request.id, proof, lambda uow: redeem_token(ctx, uow, token, DOI_LINK_KIND)
        )

    def finish(uow: UnitOfWork, events: list[PrivacyEvent]) -> None:
        redeem_token(ctx, uow, token, DOI_LINK_KIND)
        if not uow.collect.mark_confirmed(request.id, now, [e.id for e in events]):
            raise InvalidToken("This link was used already.", reason="used")

    drafts = [confirmed_draft(e, proof, request.id, now) for e in _still_wanted(ctx, pending)]
    return [r.event for r in record_events(ctx, drafts=drafts, before_commit=finish, minted=True)]


def confirm_code(
    ctx: Context,
    *,
    confirmation_id: str,
    code: str,
    ip: str | None,
    user_agent: str | None,
    touchpoint: str | None = None,
) -> list[PrivacyEvent]:
    """Checks a one-time code (one attempt used, right or wrong) and confirms on a match.

    `touchpoint` limits the caller to requests of its own touchpoint (publishable keys).
    """
    now = ctx.clock.now()
    with ctx.uow() as uow:
        request = uow.collect.confirmation(confirmation_id)
        if (
            request is None
            or request.method is Confirmation.DOUBLE_OPT_IN
            or (touchpoint is not None and request.touchpoint_key != touchpoint)
        ):
            raise InvalidToken("There is no such confirmation request.", reason="unknown")
        _check_open(request, now)
        if not uow.collect.take_attempt(request.id):
            raise InvalidToken(
                "Too many wrong codes: this request is locked; ask for a new one.",
                reason="locked",
            )
        uow.commit()
        recipient = _recipient(ctx, uow, request)
        pending = [] if request.intake else uow.events.by_ids(list(request.event_ids))
    good = (
        len(code) == OTP_DIGITS
        and code.isascii()
        and code.isdigit()
        and request.code_mac is not None
        and hmac.compare_digest(code_mac(ctx, request.id, code), request.code_mac)
    )
    if not good:
        left = max(request.max_attempts - request.attempts - 1, 0)
        raise WrongCode(
            f"wrong code; {left} attempt(s) left", errors=[FieldError("code", "does not match")]
        )
    fields = _proof_fields(request, recipient, now, ip, user_agent)
    fields["attempts"] = request.attempts + 1
    fields["sent_by"] = "sms" if request.method is Confirmation.OTP_SMS else "email"
    proof = ProofDraft(Confirmation.OTP_SMS.proof, fields)
    if request.intake:
        return _take_in(ctx, request.id, proof, lambda uow: uow.tokens.use(request.token_id, now))

    def finish(uow: UnitOfWork, events: list[PrivacyEvent]) -> None:
        if not uow.collect.mark_confirmed(request.id, now, [e.id for e in events]):
            raise InvalidToken("This code was used already.", reason="used")
        uow.tokens.use(request.token_id, now)

    drafts = [confirmed_draft(e, proof, request.id, now) for e in _still_wanted(ctx, pending)]
    return [r.event for r in record_events(ctx, drafts=drafts, before_commit=finish, minted=True)]


def _take_in(
    ctx: Context, request_id: str, proof: ProofDraft, use: Callable[[UnitOfWork], object]
) -> list[PrivacyEvent]:
    """Takes a sign-up in from its intake: subject, events and confirmations, one transaction."""
    with ctx.uow() as uow:
        uow.ledger.lock_head()
        request = _request(ctx, uow, request_id)  # confirmed or expired meanwhile: refused
        use(uow)
        taken = take_in(ctx, uow, request, proof, ctx.clock.now())
        uow.commit()
    gpc = (taken.after or {}).get("gpc")
    if gpc is not None:
        # The browser objected to sale and sharing when it signed up: honoured now that the
        # person is known here, as it is at once for a sign-up that needs no confirmation.
        honour_gpc(
            ctx,
            signal=Signal(gpc["entry"], gpc["ip"], gpc["user_agent"]),
            subject_id=taken.subject_id,
            spared=gpc["spared"],
        )
    return taken.confirmed


def _still_wanted(ctx: Context, pending: list[PrivacyEvent]) -> list[PrivacyEvent]:
    """The pending consents no withdrawal or refusal has cancelled since the sign-up.

    A withdrawal recorded after the sign-up (or dated at or after it) cancels its confirmation:
    the click is later than the withdrawal, and would otherwise bring the consent back.
    """
    if not pending:
        return []
    with ctx.uow(write=False) as uow:
        history = uow.events.for_subject(pending[0].subject_id)
    refusals = [e for e in history if e.kind in PROTECTIVE]
    wanted = [
        e
        for e in pending
        if not any(
            r.purpose == e.purpose and (r.seq > e.seq or r.occurred_at >= e.occurred_at)
            for r in refusals
        )
    ]
    if not wanted:
        raise InvalidToken(
            "This confirmation was cancelled: a withdrawal or refusal was recorded after it.",
            reason="cancelled",
        )
    return wanted


def get_request(ctx: Context, *, confirmation_id: str) -> ConfirmationRequest | None:
    with ctx.uow(write=False) as uow:
        return uow.collect.confirmation(confirmation_id)


def request_for_events(ctx: Context, *, event_ids: list[str]) -> ConfirmationRequest | None:
    """The confirmation request opened for any of these events, or the intake that gave out
    their ids (before they are recorded)."""
    with ctx.uow(write=False) as uow:
        for event_id in event_ids[:1]:
            found = uow.signups.for_event(event_id)
            if found is not None:
                return found
        return uow.collect.confirmation_for_events(event_ids)


def _request(ctx: Context, uow: UnitOfWork, confirmation_id: str) -> ConfirmationRequest:
    request = uow.collect.confirmation(confirmation_id)
    if request is None:
        raise InvalidToken("This link is not known here.", reason="unknown")
    _check_open(request, ctx.clock.now())
    return request


def _check_open(request: ConfirmationRequest, now: datetime) -> None:
    if request.confirmed_at is not None:
        raise InvalidToken("This confirmation was given already.", reason="used")
    if now >= request.expires_at:
        raise InvalidToken("This confirmation request has expired.", reason="expired")


def _recipient(ctx: Context, uow: UnitOfWork, request: ConfirmationRequest) -> str:
    if request.intake:
        return recipient_of(ctx, request)
    assert request.subject_id is not None
    assert request.recipient_sealed is not None
    try:
        key = keyring(ctx, uow).data_key_for(request.subject_id)
    except SubjectShredded as exc:
        raise Erased("the person's data was erased: nothing can be confirmed") from exc
    return open_sealed(key, request.recipient_sealed, recipient_aad(request.id)).decode()


def _proof_fields(
    request: ConfirmationRequest,
    recipient: str,
    now: datetime,
    ip: str | None,
    user_agent: str | None,
) -> dict[str, object]:
    return {
        "address": recipient,
        "sent_at": timestamp(request.sent_at or request.created_at),
        "message_id": request.message_id,
        "confirmed_at": timestamp(now),
        "confirming_ip": client_ip(ip),
        "confirming_user_agent": (user_agent or "")[:2000] or None,
        "confirmation": request.id,
    }
