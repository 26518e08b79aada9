"""The public rights form: a person files a request and is sent a code that proves who they are.

Filing is one transaction: the form's single-use token is redeemed, the request taken in (its
`request.received` event), the code recorded and the request moved to `verifying`
(`request.verifying`), the token of the verification page minted, and the code sent, last.
Nothing is kept unless the code went out: a used form, a contact we cannot use, too many codes
or a failed send leave no request and the form token unused, and the person submits again.
Sending is the one step outside the database: if the commit fails after it, the person holds a
code for a request that does not exist and is shown an error, never a confirmation.

The verification page then reads its token and checks the code, again in one transaction each.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from trustguardian.domain.errors import DomainError, FieldError, InvalidInput
from trustguardian.domain.registry import Channel, ProofType
from trustguardian.domain.rights import RequestKind
from trustguardian.domain.subjects import Identifier, IdentifierKind
from trustguardian.service.collect.evidence import ProofDraft
from trustguardian.service.context import Context
from trustguardian.service.engage.tokens import mint_token, read_token, redeem_form_token
from trustguardian.service.events.identifiers import normalise
from trustguardian.service.rights.requests import Intake, RequestView, submit_in_unit
from trustguardian.service.rights.verification import confirm_in_unit, send_code_in_unit
from trustguardian.store.uow import UnitOfWork

VERIFY = "rights-verify"
VERIFY_TTL = timedelta(days=1)
KINDS = frozenset(k.value for k in RequestKind)
MAX_DETAILS = 5000


class BadContact(InvalidInput):
    """The form names no request kind we know or no e-mail address or phone number we can use."""


@dataclass(frozen=True)
class Filed:
    """A request filed through the form and the token of its verification page."""

    request: RequestView
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
    """Files a request from the public form and sends its verification code, all or nothing.

    Raises `InvalidToken` for a form token that is not good for one more use, `BadContact`,
    and any refusal of the intake or of the code (`TooManyCodes`, `SendFailed`, ...).
    """
    with ctx.uow() as uow:
        uow.ledger.lock_head()
        redeem_form_token(ctx, uow, form_token)  # first: a replayed form is refused as such
        identifier = contact_identifier(ctx, contact)
        if identifier is None or kind not in KINDS:
            raise BadContact(
                "the form needs a request kind and an e-mail address or phone number",
                errors=[FieldError("contact", "not an e-mail address or phone number")],
            )
        view = submit_in_unit(
            ctx,
            uow,
            Intake(
                kind=RequestKind(kind),
                touchpoint=ctx.settings.rights_touchpoint,
                channel=Channel.WEB_FORM,
                identifiers=[identifier],
                details=(details or "").strip()[:MAX_DETAILS] or None,
                language=language,
            ),
            proofs=[
                ProofDraft(ProofType.NETWORK, {"ip": visitor.ip, "user_agent": visitor.user_agent}),
                ProofDraft(ProofType.FORM_SNAPSHOT, {"fields": dict(form_fields)}),
            ],
            actor="person",
        )
        verify = mint_token(
            ctx,
            uow,
            VERIFY,
            subject_id=view.subject_id,
            claims={"r": view.id},
            ttl=VERIFY_TTL,
            single_use=False,
        )
        # Last, so that a refusal or a failed send keeps nothing.
        send_code_in_unit(ctx, uow, request_id=view.id, actor="person")
        uow.commit()
    return Filed(view, verify)


def check_verify_token(ctx: Context, *, token: str) -> str:
    """The request a verification page's token stands for (raises `InvalidToken`)."""
    with ctx.uow(write=False) as uow:
        return _request_of(ctx, uow, token)


def confirm_filed(ctx: Context, *, token: str, code: str) -> RequestView:
    """Checks the code typed on a verification page; the right one starts the request's work.

    Raises `InvalidToken` for the page's token and `CodeRefused` for a wrong code (the attempt
    counts all the same).
    """
    with ctx.uow() as uow:
        uow.ledger.lock_head()
        request_id = _request_of(ctx, uow, token)
        confirmed = confirm_in_unit(ctx, uow, request_id=request_id, code=code, actor="person")
        uow.commit()
    return confirmed.result()


def _request_of(ctx: Context, uow: UnitOfWork, token: str) -> str:
    return str(read_token(ctx, uow, token, VERIFY).claims["r"])


def contact_identifier(ctx: Context, value: str) -> Identifier | None:
    """The e-mail address or phone number a form names, normalised; None if it is neither."""
    value = value.strip()
    kind = IdentifierKind.EMAIL if "@" in value else IdentifierKind.PHONE
    try:
        return normalise(kind, value, region=ctx.settings.default_phone_region)
    except DomainError:
        return None
