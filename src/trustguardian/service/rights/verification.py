"""Identity verification of a rights request by a code sent by e-mail or SMS, and extensions.

Codes are six digits, kept only as a keyed hash, valid for a few minutes, with a few attempts.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from trustguardian.domain.errors import Conflict, FieldError, InvalidInput
from trustguardian.domain.registry import ProofType
from trustguardian.domain.rights import RequestStatus, deadline
from trustguardian.service.collect.evidence import ProofDraft
from trustguardian.service.context import Context
from trustguardian.service.events.sealing import seal_text
from trustguardian.service.rights.notify import contact_of, send, text
from trustguardian.service.rights.requests import RequestView, aad, load, step, view_of
from trustguardian.store.rights import NewCode, RequestChange
from trustguardian.store.uow import UnitOfWork
from trustguardian.vault import derive_key

PURPOSE_CODES = "verification-codes/v1"
MAX_CODES = 5
MAX_CODES_PER_HOUR = 5


class CodeRefused(InvalidInput):
    code = "verification-failed"
    title = "The verification code is not valid"


class TooManyCodes(Conflict):
    code = "too-many-codes"
    title = "Too many verification codes for this request"


class ExtensionTooLate(Conflict):
    code = "extension-too-late"
    title = "The deadline has passed: a request can no longer be extended"


@dataclass(frozen=True)
class CodeSent:
    request_id: str
    method: str
    expires_at: datetime
    message_id: str


def _hash(ctx: Context, code_id: str, code: str) -> str:
    key = derive_key(ctx.keys.master, PURPOSE_CODES)
    return hmac.new(key, f"{code_id}:{code}".encode(), hashlib.sha256).hexdigest()


def new_code(ctx: Context) -> str:
    """A fresh six-digit code."""
    # 10**6 does not divide 2**64: the bias is below 1e-13, far beneath any guessing odds.
    return f"{int.from_bytes(ctx.rng.token_bytes(8), 'big') % 1_000_000:06d}"


def send_code(ctx: Context, *, request_id: str, actor: str = "api") -> CodeSent:
    """Sends a verification code to the contact the person gave; moves the request to verifying."""
    with ctx.uow() as uow:
        uow.ledger.lock_head()
        sent = send_code_in_unit(ctx, uow, request_id=request_id, actor=actor)
        uow.commit()
    return sent


def send_code_in_unit(ctx: Context, uow: UnitOfWork, *, request_id: str, actor: str) -> CodeSent:
    """`send_code`'s work in the caller's unit of work (which holds the ledger lock).

    The message goes out last: call it as the last step before the commit, so that a failure to
    send rolls everything back and nothing was promised. A commit that fails after the send
    leaves the person a code for nothing, and no answer: they simply try again.
    """
    now = ctx.clock.now()
    minutes = ctx.settings.verification_code_minutes
    row = load(uow, request_id)
    if row.status not in (RequestStatus.RECEIVED.value, RequestStatus.VERIFYING.value):
        raise Conflict(f"a request that is {row.status} needs no verification")
    if uow.rights.codes_sent(request_id) >= MAX_CODES:
        raise TooManyCodes(f"{MAX_CODES} codes were sent already; verify by other means")
    # Requests anyone can file must not become a way to flood someone's inbox or phone.
    if row.contact_blind and (
        uow.rights.codes_to_contact_since(row.contact_blind, now - timedelta(hours=1))
        >= MAX_CODES_PER_HOUR
    ):
        raise TooManyCodes("too many codes were sent to this contact; try again in an hour")
    kind, to = contact_of(ctx, uow, row.subject_id, row.contact_blind)
    code, code_id = new_code(ctx), ctx.ids.new_id("vc")
    uow.rights.add_code(
        NewCode(
            id=code_id,
            request_id=request_id,
            code_hash=_hash(ctx, code_id, code),
            method=kind,
            attempts=0,
            sent_at=now,
            expires_at=now + timedelta(minutes=minutes),
        )
    )
    if row.status == RequestStatus.RECEIVED.value:
        step(ctx, uow, row, RequestStatus.VERIFYING, actor)
    message_id = send(
        ctx,
        kind,
        to,
        subject=text(row.language, "code_subject"),
        language=row.language,
        body=text(row.language, "code", code=code, minutes=minutes),
    )
    return CodeSent(request_id, kind, now + timedelta(minutes=minutes), message_id)


def confirm_code(ctx: Context, *, request_id: str, code: str, actor: str = "person") -> RequestView:
    """Checks a code; the right one moves the request to in progress with an `otp` proof."""
    with ctx.uow() as uow:
        uow.ledger.lock_head()
        view = confirm_in_unit(ctx, uow, request_id=request_id, code=code, actor=actor)
        uow.commit()  # a wrong attempt counts even though it is refused
    return view.result()


@dataclass(frozen=True)
class Confirmed:
    """The request moved on, or why the code was refused (the attempt is to be committed)."""

    view: RequestView | None
    refusal: str | None = None

    def result(self) -> RequestView:
        if self.view is None:
            refusal = self.refusal or "wrong code"
            raise CodeRefused(refusal, errors=[FieldError("code", refusal)])
        return self.view


def confirm_in_unit(
    ctx: Context, uow: UnitOfWork, *, request_id: str, code: str, actor: str
) -> Confirmed:
    """`confirm_code`'s work in the caller's unit of work (which holds the ledger lock); the
    caller commits either outcome, then raises the refusal (`Confirmed.result`)."""
    now = ctx.clock.now()
    row = load(uow, request_id)
    found = uow.rights.latest_code(request_id)
    if row.status != RequestStatus.VERIFYING.value or found is None:
        raise Conflict("this request is not waiting for a verification code")
    if found.used_at is not None:
        return Confirmed(None, "this code was used already")
    if now >= found.expires_at:
        return Confirmed(None, "this code has expired; ask for a new one")
    if found.attempts >= ctx.settings.verification_max_attempts:
        return Confirmed(None, "too many wrong attempts; ask for a new code")
    if not hmac.compare_digest(found.code_hash, _hash(ctx, found.id, code.strip())):
        uow.rights.count_attempt(found.id)
        return Confirmed(None, "wrong code")
    uow.rights.use_code(found.id, now)
    proof = ProofDraft(ProofType.OTP, {"method": found.method, "code": found.id})
    step(ctx, uow, row, RequestStatus.IN_PROGRESS, actor, proofs=[proof])
    return Confirmed(view_of(ctx, uow, load(uow, request_id)))


def extend_request(ctx: Context, *, request_id: str, reason: str, actor: str) -> RequestView:
    """Extends the deadline once by two months and tells the person why (art. 12(3))."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput(
            "an extension states its reason", errors=[FieldError("reason", "required")]
        )
    with ctx.uow() as uow:
        uow.ledger.lock_head()
        row = load(uow, request_id)
        now = ctx.clock.now()
        if now >= row.due_at:
            # Art. 12(3) lets the controller extend within the month, not after it: extending
            # late would move the deadline past a breach and hide it from the queue and the
            # inspection report.
            raise ExtensionTooLate(
                f"the deadline ended on {row.due_on.isoformat()}: the request is overdue and "
                "can no longer be extended; answer it now"
            )
        extended = deadline(row.received_at, extended=True)
        kind, to = contact_of(ctx, uow, row.subject_id, row.contact_blind)
        sealed = seal_text(ctx, uow, row.subject_id, reason, aad(row.id, "extension"))
        step(
            ctx,
            uow,
            row,
            RequestStatus.EXTENDED,
            actor,
            changes=RequestChange(
                due_on=extended.due_on,
                due_at=extended.ends_at,
                extended_at=now,
                extension_sealed=sealed,
                handler=actor,
            ),
        )
        message_id = send(
            ctx,
            kind,
            to,
            subject=text(row.language, "extended_subject", ref=row.id),
            language=row.language,
            body=text(
                row.language,
                "extended",
                ref=row.id,
                due=extended.due_on.isoformat(),
                reason=reason,
            ),
        )
        uow.rights.update(row.id, RequestChange(extension_message_id=message_id[:200]))
        view = view_of(ctx, uow, load(uow, request_id))
        uow.commit()
    return view
