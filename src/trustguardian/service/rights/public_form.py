"""The public rights form: nothing is recorded until the person proves the address or number.

Filing keeps the submission as a pending intake (no subject, no event, no request): the form's
token is redeemed, the submission sealed under a key derived for the purpose, a keyed hash of a
fresh code stored, the verification page's token minted, and the code sent, last, all in one
transaction; a used form, a contact we cannot use, a cap reached or a failed send keep nothing.
Anyone can type anyone's address, so messages are capped per recipient (an hour and a day), per
client address and for the whole instance (an hour): over a cap the form answers 429 with
Retry-After and sends nothing.

When the right code comes back, one transaction takes the request in from the intake: the
subject, `request.received` (dated when the form was sent, so the legal deadline runs from
then), `request.verifying` and `request.in_progress` with the `otp` proof. An intake nobody
confirms expires with its code and is deleted a day after it was made.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from trustguardian.domain.errors import DomainError, FieldError, InvalidInput, TooManyAttempts
from trustguardian.domain.registry import Channel, ProofType
from trustguardian.domain.rights import RequestKind, RequestStatus
from trustguardian.domain.subjects import Identifier, IdentifierKind
from trustguardian.service.collect.evidence import ProofDraft
from trustguardian.service.context import Context
from trustguardian.service.engage.tokens import mint_token, read_token, redeem_form_token
from trustguardian.service.events.identifiers import normalise
from trustguardian.service.events.subjects import blind
from trustguardian.service.rights.notify import send, text
from trustguardian.service.rights.requests import Intake, RequestView, load, step, submit_in_unit
from trustguardian.service.rights.verification import CodeRefused, new_code
from trustguardian.service.rights.views import view_of
from trustguardian.store.rights.intakes import PendingIntake
from trustguardian.store.uow import UnitOfWork
from trustguardian.vault import derive_key, open_sealed, seal

VERIFY = "rights-verify"
VERIFY_TTL = timedelta(days=1)
KEPT = timedelta(days=1)  # the longest cap's window: an intake is counted, then deleted
KINDS = frozenset(k.value for k in RequestKind)
MAX_DETAILS = 5000
PURPOSE_SEAL = "pending-intakes/v1"
PURPOSE_CODES = "pending-intake-codes/v1"
PURPOSE_CLIENTS = "pending-intake-clients/v1"


class BadContact(InvalidInput):
    """The form names no request kind we know or no e-mail address or phone number we can use."""


@dataclass(frozen=True)
class Filed:
    """A submission kept pending and the token of its verification page."""

    intake_id: str
    verify_token: str


@dataclass(frozen=True)
class Visitor:
    """Where the form came from, kept as the request's network proof."""

    ip: str
    user_agent: str


def file_request(
    ctx: Context,
    *,
    form_token: str,
    kind: str,
    contact: str,
    details: str | None,
    language: str,
    visitor: Visitor,
    form_fields: Mapping[str, str | None],
) -> Filed:
    """Keeps a submission pending and sends its code, all or nothing.

    Raises `InvalidToken` for a form token that is not good for one more use, `BadContact`,
    `TooManyAttempts` over a message cap (with its `retry_after`) and `SendFailed`.
    """
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.ledger.lock_head()  # one submission at a time: the caps count what is committed
        redeem_form_token(ctx, uow, form_token)  # first: a replayed form is refused as such
        identifier = contact_identifier(ctx, contact)
        if identifier is None or kind not in KINDS:
            raise BadContact(
                "the form needs a request kind and an e-mail address or phone number",
                errors=[FieldError("contact", "not an e-mail address or phone number")],
            )
        uow.intakes.purge(now - KEPT)
        recipient = blind(ctx, identifier)
        client = _mac(ctx, PURPOSE_CLIENTS, visitor.ip)
        _within_caps(ctx, uow, now, recipient, client)
        intake_id, code = ctx.ids.new_id("int"), new_code(ctx)
        submission = {
            "kind": kind,
            "contact": [identifier.kind.value, identifier.value],
            "details": (details or "").strip()[:MAX_DETAILS] or None,
            "language": language,
            "network": {"ip": visitor.ip, "user_agent": visitor.user_agent},
            "fields": dict(form_fields),
        }
        minutes = ctx.settings.verification_code_minutes
        uow.intakes.add(
            PendingIntake(
                id=intake_id,
                recipient_blind=recipient,
                client_blind=client,
                method=identifier.kind.value,
                sealed=seal(
                    _seal_key(ctx), json.dumps(submission).encode(), _aad(intake_id), ctx.rng
                ),
                code_mac=_mac(ctx, PURPOSE_CODES, f"{intake_id}:{code}"),
                attempts=0,
                created_at=now,
                expires_at=now + timedelta(minutes=minutes),
            )
        )
        verify = mint_token(
            ctx, uow, VERIFY, claims={"i": intake_id}, ttl=VERIFY_TTL, single_use=False
        )
        # Last, so that a refusal or a failed send keeps nothing.
        send(
            ctx,
            identifier.kind.value,
            identifier.value,
            subject=text(language, "code_subject"),
            language=language,
            body=text(language, "code", code=code, minutes=minutes),
        )
        uow.commit()
    return Filed(intake_id, verify)


def check_verify_token(ctx: Context, *, token: str) -> str:
    """The pending intake a verification page's token stands for (raises `InvalidToken`)."""
    with ctx.uow(write=False) as uow:
        return _intake_of(ctx, uow, token)


def confirm_filed(ctx: Context, *, token: str, code: str) -> RequestView:
    """Checks the code typed on a verification page; the right one takes the request in.

    Raises `InvalidToken` for the page's token and `CodeRefused` for a wrong, expired or spent
    code (a wrong attempt counts all the same).
    """
    with ctx.uow() as uow:
        uow.ledger.lock_head()
        found = uow.intakes.get(_intake_of(ctx, uow, token), lock=True)
        refusal = _refusal(ctx, found, code)
        if refusal is None and found is not None and found.request_id is None:
            view = _take_in(ctx, uow, found)
        elif refusal is None and found is not None and found.request_id is not None:
            view = view_of(ctx, uow, load(uow, found.request_id))  # the page sent twice
        else:
            if refusal == "wrong code" and found is not None:
                uow.intakes.count_attempt(found.id)
            uow.commit()  # a wrong attempt counts even though it is refused
            raise CodeRefused(refusal or "wrong code", errors=[FieldError("code", "refused")])
        uow.commit()
    return view


def _refusal(ctx: Context, found: PendingIntake | None, code: str) -> str | None:
    if found is None:
        return "this code has expired; fill in the form again"
    if found.confirmed_at is not None:
        return None if _code_matches(ctx, found, code) else "this code was used already"
    if ctx.clock.now() >= found.expires_at:
        return "this code has expired; fill in the form again"
    if found.attempts >= ctx.settings.verification_max_attempts:
        return "too many wrong attempts; fill in the form again"
    return None if _code_matches(ctx, found, code) else "wrong code"


def _take_in(ctx: Context, uow: UnitOfWork, found: PendingIntake) -> RequestView:
    """Records the request the intake holds: subject, received, verifying, in progress."""
    assert found.sealed is not None  # sealed until confirmed
    submission = json.loads(open_sealed(_seal_key(ctx), found.sealed, _aad(found.id)))
    kind, value = submission["contact"]
    identifier = Identifier(IdentifierKind(kind), value)
    view = submit_in_unit(
        ctx,
        uow,
        Intake(
            kind=RequestKind(submission["kind"]),
            touchpoint=ctx.settings.rights_touchpoint,
            channel=Channel.WEB_FORM,
            identifiers=[identifier],
            details=submission["details"],
            language=submission["language"],
        ),
        received_at=found.created_at,
        proofs=[
            ProofDraft(ProofType.NETWORK, submission["network"]),
            ProofDraft(ProofType.FORM_SNAPSHOT, {"fields": submission["fields"]}),
        ],
        actor="person",
    )
    step(ctx, uow, load(uow, view.id), RequestStatus.VERIFYING, "person")
    proof = ProofDraft(ProofType.OTP, {"method": found.method, "code": found.id})
    step(ctx, uow, load(uow, view.id), RequestStatus.IN_PROGRESS, "person", proofs=[proof])
    uow.intakes.confirm(found.id, ctx.clock.now(), view.id)
    return view_of(ctx, uow, load(uow, view.id))


def _within_caps(ctx: Context, uow: UnitOfWork, now: datetime, recipient: str, client: str) -> None:
    """Refuses a message over a cap, saying when the oldest counted one leaves the window."""
    s = ctx.settings
    hour, day = timedelta(hours=1), timedelta(days=1)
    caps: list[tuple[timedelta, int, dict[str, str], str]] = [
        (hour, s.public_messages_per_recipient_hour, {"recipient": recipient}, "to this contact"),
        (day, s.public_messages_per_recipient_day, {"recipient": recipient}, "to this contact"),
        (hour, s.public_messages_per_client_hour, {"client": client}, "from this address"),
        (hour, s.public_messages_per_hour, {}, "from this service"),
    ]
    for window, limit, who, what in caps:
        count, oldest = uow.intakes.sent_since(now - window, **who)
        if count >= limit and oldest is not None:
            wait = (oldest + window - now).total_seconds()
            raise TooManyAttempts(
                f"too many codes were sent {what} lately; try again later",
                retry_after=max(1.0, wait),
            )


def _intake_of(ctx: Context, uow: UnitOfWork, token: str) -> str:
    return str(read_token(ctx, uow, token, VERIFY).claims["i"])


def _code_matches(ctx: Context, found: PendingIntake, code: str) -> bool:
    return hmac.compare_digest(
        found.code_mac, _mac(ctx, PURPOSE_CODES, f"{found.id}:{code.strip()}")
    )


def _mac(ctx: Context, purpose: str, message: str) -> str:
    return hmac.new(
        derive_key(ctx.keys.master, purpose), message.encode(), hashlib.sha256
    ).hexdigest()


def _seal_key(ctx: Context) -> bytes:
    return derive_key(ctx.keys.master, PURPOSE_SEAL)


def _aad(intake_id: str) -> bytes:
    return f"pending-intake:{intake_id}".encode()


def contact_identifier(ctx: Context, value: str) -> Identifier | None:
    """The e-mail address or phone number a form names, normalised; None if it is neither."""
    value = value.strip()
    kind = IdentifierKind.EMAIL if "@" in value else IdentifierKind.PHONE
    try:
        return normalise(kind, value, region=ctx.settings.default_phone_region)
    except DomainError:
        return None
