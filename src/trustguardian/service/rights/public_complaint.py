"""The complaint form of the public rights page: a person complains about a contact, a request
or their data, with a single-use form token as the rights form has.

A complaint is opened only for someone we know by the address or number given: for anyone
else nothing is written (no subject holding a stranger's address), and the page answers the
same, so the form tells no one whether an address is known here.
"""

from __future__ import annotations

from dataclasses import dataclass

from trustguardian.domain.complaints import ComplaintKind
from trustguardian.domain.errors import FieldError, InvalidInput
from trustguardian.domain.registry import Channel
from trustguardian.service.context import Context
from trustguardian.service.engage.tokens import redeem_form_token
from trustguardian.service.events.subjects import blind
from trustguardian.service.rights.complaints import ComplaintView, open_complaint
from trustguardian.service.rights.public_form import BadContact, contact_identifier

MAX_SUMMARY = 5000
KINDS = frozenset(k.value for k in ComplaintKind)
# The channels a person can say an unwanted contact came by.
CONTACT_CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.PHONE, Channel.CALL_CENTER, Channel.LETTER)


@dataclass(frozen=True)
class ComplaintForm:
    form_token: str
    kind: str
    contact: str
    summary: str
    contact_channel: str | None = None


def file_complaint(ctx: Context, *, form: ComplaintForm) -> ComplaintView | None:
    """Opens the complaint of the public form; None when nobody is known by the contact given.

    Raises `BadContact` or `InvalidInput` for a form that cannot stand (nothing is written, the
    form token stays good) and `InvalidToken` for a form token that is not good for one more use.
    """
    identifier = contact_identifier(ctx, form.contact)
    if identifier is None:
        raise BadContact(
            "the form needs an e-mail address or a phone number",
            errors=[FieldError("contact", "not an e-mail address or phone number")],
        )
    summary = form.summary.strip()[:MAX_SUMMARY]
    if form.kind not in KINDS or not summary:
        raise InvalidInput(
            "say what the complaint is about",
            errors=[FieldError("summary" if summary else "kind", "missing")],
        )
    kind = ComplaintKind(form.kind)
    channel = None
    if kind is ComplaintKind.CONTACT:
        channel = next((c for c in CONTACT_CHANNELS if c.value == form.contact_channel), None)
        if channel is None:
            raise InvalidInput(
                "say which channel the contact came by",
                errors=[FieldError("contact_channel", "missing")],
            )
    with ctx.uow() as uow:
        redeem_form_token(ctx, uow, form.form_token)
        known = uow.subjects.find_by_blind([blind(ctx, identifier)])
        uow.commit()
    if not known:
        return None
    return open_complaint(
        ctx,
        touchpoint=ctx.settings.rights_touchpoint,
        channel=Channel.WEB_FORM,
        summary=summary,
        actor="person",
        subject_id=next(iter(known.values())),
        kind=kind,
        contact_channel=channel,
    )
