"""Sign-ups kept as intakes: nothing is recorded until the person proves the address or number.

A public form on a touchpoint that confirms consents by double opt-in or OTP creates no subject,
no identifier and no ledger leaf when it is sent. Its events are checked as if they were to be
recorded, given their ids, and kept as one confirmation request holding the submission sealed
under a key derived for the purpose, a keyed hash of the recipient and, for a code, its keyed
hash; the link or code goes out after the commit. Anyone can type anyone's address, so messages
are capped per recipient (an hour and a day) and for the whole instance (an hour): over a cap
the form is answered 429 with Retry-After and nothing is kept or sent.

When the person confirms, one transaction takes the sign-up in (`take_in`): the subject, the
events exactly as sent (dated when the form was sent, with the notice shown and the proofs of
genuineness), and the consent.confirmed with the double opt-in or OTP proof. An intake nobody
confirms loses its sealed submission when it expires (`purge`, run by every new sign-up).
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from trustguardian.domain.collect import Confirmation, ConfirmationRequest
from trustguardian.domain.consent import PROTECTIVE
from trustguardian.domain.errors import InvalidToken, TooManyAttempts
from trustguardian.domain.events import EventKind, PrivacyEvent
from trustguardian.domain.registry import Channel, ProofType
from trustguardian.domain.subjects import Identifier, IdentifierKind
from trustguardian.service.collect.confirm_requests import (
    DOI_LINK_KIND,
    OTP_REQUEST_KIND,
    Outgoing,
    awaiting,
    code_mac,
    named_purposes,
    otp_code,
)
from trustguardian.service.collect.evidence import ProofDraft
from trustguardian.service.context import Context
from trustguardian.service.engage.tokens import mint_token, read_token
from trustguardian.service.events.recording import (
    IdempotencyKeyReused,
    check_drafts,
    record_in_unit,
)
from trustguardian.service.events.subjects import blind
from trustguardian.service.events.validate import EventDraft
from trustguardian.store.collect import NewConfirmation
from trustguardian.store.uow import UnitOfWork
from trustguardian.vault import derive_key, open_sealed, seal

PURPOSE_SEAL = "signup-intakes/v1"
KEPT = timedelta(days=1)  # the longest cap's window: a recipient's keyed hash is kept this long


@dataclass(frozen=True)
class Held:
    """A sign-up kept as an intake: its request, and its drafts with the ids given out."""

    request: ConfirmationRequest
    drafts: list[EventDraft]
    outgoing: Outgoing | None
    replayed: bool


def awaits_confirmation(ctx: Context, touchpoint: str) -> str | None:
    """The touchpoint's name when it has consents confirmed by this instance (its sign-ups
    may then be kept as intakes), else None."""
    with ctx.uow(write=False) as uow:
        s = uow.collect.settings_for([touchpoint]).get(touchpoint)
        if s is None or s.confirmation is Confirmation.NONE or s.confirmed_by is not None:
            return None
        tp = uow.touchpoints.get(touchpoint)
    return tp.name if tp is not None else touchpoint


def hold(
    ctx: Context,
    *,
    drafts: list[EventDraft],
    acting: str,
    submission_key: str,
    fingerprint: str,
    touchpoint_name: str,
    after: dict[str, Any] | None = None,
) -> Held | None:
    """Keeps a submission as an intake when one of its consents awaits confirmation (None when
    none does: the caller records it); the caller sends `outgoing` once this returns. `after`
    is kept sealed with it for what the confirmation must do next (a browser's GPC signal).

    Raises `InvalidInput` for drafts that could not be recorded, `IdempotencyKeyReused` for a
    submission id sent again with other content, and `TooManyAttempts` over a message cap.
    """
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.ledger.lock_head()  # one sign-up at a time: the caps count what is committed
        earlier = uow.signups.by_submission(acting, submission_key)
        if earlier is not None and earlier.confirmed_at is not None:
            return None  # confirmed since: its events replay through their idempotency keys
        if earlier is not None and earlier.sealed is not None:  # sent again while it waits
            if _payload(ctx, earlier)["fingerprint"] != fingerprint:
                raise IdempotencyKeyReused(
                    f"submission {submission_key!r} was sent before with other content"
                )
            return Held(earlier, drafts_of(ctx, earlier), None, True)
        plans, waiting = awaiting(ctx, uow, check_drafts(ctx, uow, drafts, acting))
        if not waiting:
            return None
        uow.signups.purge(now, now - KEPT)
        first = waiting[min(waiting)]
        s = first.settings
        recipient = blind(ctx, Identifier(s.confirmation.recipient_kind, first.recipient))
        _within_caps(ctx, uow, now, recipient)
        confirmation_id = ctx.ids.new_id("cnf")
        kind = DOI_LINK_KIND if s.confirmation is Confirmation.DOUBLE_OPT_IN else OTP_REQUEST_KIND
        expires = now + first.within
        token = mint_token(ctx, uow, kind, claims={"c": confirmation_id}, ttl=first.within)
        code = None if s.confirmation is Confirmation.DOUBLE_OPT_IN else otp_code(ctx)
        named = [replace(p.draft, event_id=ctx.ids.new_id("evt")) for _, p in plans]
        payload = {
            "drafts": [_draft_json(d) for d in named],
            "waiting": sorted(waiting),
            "recipient": first.recipient,
            "fingerprint": fingerprint,
            "after": after,
        }
        ids = [str(d.event_id) for d in named]
        uow.collect.add_confirmations(
            [
                NewConfirmation(
                    id=confirmation_id,
                    token_id=read_token(ctx, uow, token, kind).id,
                    subject_id=None,
                    touchpoint_key=acting,
                    method=s.confirmation.value,
                    event_ids=ids,
                    recipient_sealed=None,
                    code_mac=None if code is None else code_mac(ctx, confirmation_id, code),
                    max_attempts=s.otp_max_attempts,
                    language=s.language,
                    created_at=now,
                    expires_at=expires,
                    sealed=_seal(ctx, confirmation_id, payload),
                    recipient_blind=recipient,
                    submission_key=submission_key,
                )
            ]
        )
        uow.signups.name_events(confirmation_id, ids)
        request = uow.collect.confirmation(confirmation_id)
        assert request is not None
        uow.commit()
    link = None
    if code is None:
        link = f"{ctx.settings.public_base_url.rstrip('/')}/confirm/{token}"
    purposes, controller = named_purposes(list(waiting.values()), s.language)
    outgoing = Outgoing(
        confirmation_id,
        s.confirmation,
        first.recipient,
        s.language,
        touchpoint_name,
        expires,
        link,
        code,
        purposes,
        controller,
    )
    return Held(request, named, outgoing, False)


def drafts_of(ctx: Context, request: ConfirmationRequest) -> list[EventDraft]:
    """The drafts an intake keeps, with the ids given out for them."""
    return [_draft_of(d) for d in _payload(ctx, request)["drafts"]]


def recipient_of(ctx: Context, request: ConfirmationRequest) -> str:
    """Where an intake's message went."""
    return str(_payload(ctx, request)["recipient"])


@dataclass(frozen=True)
class TakenIn:
    """The consent.confirmed events of an intake taken in, and what its sign-up asked for next."""

    confirmed: list[PrivacyEvent]
    subject_id: str
    after: dict[str, Any] | None


def take_in(
    ctx: Context, uow: UnitOfWork, request: ConfirmationRequest, proof: ProofDraft, now: datetime
) -> TakenIn:
    """Records an intake's events and the confirmation of its consents in the caller's unit of
    work, and marks the intake confirmed.

    Raises `InvalidToken` when the intake was confirmed already or every consent it holds was
    withdrawn or refused since the form was sent (the person had changed their mind)."""
    payload = _payload(ctx, request)
    drafts = [_draft_of(d) for d in payload["drafts"]]
    waiting = [int(n) for n in payload["waiting"]]
    # The deadline stays the one the message gave: the consent was pending until then.
    within = dict.fromkeys(waiting, request.expires_at - now)
    recorded = record_in_unit(
        ctx, uow, drafts, acting=request.touchpoint_key, confirm_within=within
    )
    subject_id = recorded[0].subject_id
    fresh = {e.id for e in recorded}
    refusals = [
        e for e in uow.events.for_subject(subject_id) if e.kind in PROTECTIVE and e.id not in fresh
    ]
    # As for a recorded pending consent: a withdrawal or refusal recorded since the form was
    # sent, or dated at or after it, cancels the confirmation (the click would bring it back).
    wanted = [
        recorded[n]
        for n in waiting
        if not any(
            r.purpose == recorded[n].purpose
            and (r.recorded_at >= request.created_at or r.occurred_at >= recorded[n].occurred_at)
            for r in refusals
        )
    ]
    if not wanted:
        raise InvalidToken(
            "This confirmation was cancelled: a withdrawal or refusal was recorded after it.",
            reason="cancelled",
        )
    confirmed = record_in_unit(
        ctx, uow, [confirmed_draft(e, proof, request.id, now) for e in wanted]
    )
    if not uow.signups.take_in(
        request.id, subject_id=subject_id, at=now, event_ids=[e.id for e in confirmed]
    ):
        raise InvalidToken("This confirmation was given already.", reason="used")
    return TakenIn(confirmed, subject_id, payload.get("after"))


def confirmed_draft(
    event: PrivacyEvent, proof: ProofDraft, confirmation_id: str, now: datetime
) -> EventDraft:
    """The consent.confirmed of a pending consent, with the proof of its confirmation."""
    key = f"confirm:{confirmation_id}:{event.id}"
    return EventDraft(
        kind=EventKind.CONSENT_CONFIRMED,
        touchpoint=event.touchpoint,
        occurred_at=now,
        subject_id=event.subject_id,
        purpose=event.purpose,
        purpose_version=event.purpose_version,
        channels=event.channels,
        notice=event.notice,
        notice_version=event.notice_version,
        proofs=(proof,),
        confirms=event.id,
        idempotency_key=key,
        fingerprint=hashlib.sha256(key.encode()).hexdigest(),
    )


def _within_caps(ctx: Context, uow: UnitOfWork, now: datetime, recipient: str) -> None:
    """Refuses a message over a cap, saying when the oldest counted one leaves the window."""
    s = ctx.settings
    hour, day = timedelta(hours=1), timedelta(days=1)
    caps: list[tuple[timedelta, int, str | None, str]] = [
        (hour, s.confirmation_messages_per_hour, recipient, "to this address"),
        (day, s.confirmation_messages_per_day, recipient, "to this address"),
        (hour, s.public_messages_per_hour, None, "by this service"),
    ]
    for window, limit, who, what in caps:
        count, oldest = uow.signups.sent_since(now - window, recipient=who)
        if count >= limit and oldest is not None:
            raise TooManyAttempts(
                f"too many confirmation messages were sent {what} lately; try again later",
                retry_after=max(1.0, (oldest + window - now).total_seconds()),
            )


def _key(ctx: Context) -> bytes:
    return derive_key(ctx.keys.master, PURPOSE_SEAL)


def _aad(confirmation_id: str) -> bytes:
    return f"signup-intake:{confirmation_id}".encode()


def _seal(ctx: Context, confirmation_id: str, payload: dict[str, Any]) -> bytes:
    return seal(_key(ctx), json.dumps(payload).encode(), _aad(confirmation_id), ctx.rng)


def _payload(ctx: Context, request: ConfirmationRequest) -> dict[str, Any]:
    if request.sealed is None:
        raise InvalidToken("This confirmation request has expired.", reason="expired")
    found: dict[str, Any] = json.loads(open_sealed(_key(ctx), request.sealed, _aad(request.id)))
    return found


def _draft_json(d: EventDraft) -> dict[str, Any]:
    return {
        "event_id": d.event_id,
        "kind": d.kind.value,
        "touchpoint": d.touchpoint,
        "occurred_at": d.occurred_at.isoformat(),
        "identifiers": [[i.kind.value, i.value, i.system] for i in d.identifiers],
        "subject_id": d.subject_id,
        "purpose": d.purpose,
        "purpose_version": d.purpose_version,
        "channels": [c.value for c in d.channels],
        "notice": d.notice,
        "notice_version": d.notice_version,
        "proofs": [
            {
                "type": p.type.value,
                "fields": p.fields,
                "content": None if p.content is None else base64.b64encode(p.content).decode(),
                "media_type": p.media_type,
                "claimed_by": p.claimed_by,
            }
            for p in d.proofs
        ],
        "data": d.data,
        "idempotency_key": d.idempotency_key,
        "fingerprint": d.fingerprint,
        "source_system": d.source_system,
        "campaign": d.campaign,
    }


def _draft_of(d: dict[str, Any]) -> EventDraft:
    return EventDraft(
        event_id=d["event_id"],
        kind=EventKind(d["kind"]),
        touchpoint=d["touchpoint"],
        occurred_at=datetime.fromisoformat(d["occurred_at"]),
        identifiers=tuple(Identifier(IdentifierKind(k), v, s) for k, v, s in d["identifiers"]),
        subject_id=d["subject_id"],
        purpose=d["purpose"],
        purpose_version=d["purpose_version"],
        channels=tuple(Channel(c) for c in d["channels"]),
        notice=d["notice"],
        notice_version=d["notice_version"],
        proofs=tuple(
            ProofDraft(
                ProofType(p["type"]),
                p["fields"],
                None if p["content"] is None else base64.b64decode(p["content"]),
                p["media_type"],
                p["claimed_by"],
            )
            for p in d["proofs"]
        ),
        data=d["data"],
        idempotency_key=d["idempotency_key"],
        fingerprint=d["fingerprint"],
        source_system=d["source_system"],
        campaign=d["campaign"],
    )
