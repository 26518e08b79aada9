"""Messages to the person (verification codes, extensions, links), in Italian or English."""

from __future__ import annotations

from trustguardian.domain.errors import Conflict, Erased
from trustguardian.i18n import words
from trustguardian.messaging import EmailMessage, SmsMessage, sms_sender_for
from trustguardian.messaging.ports import MessagingError
from trustguardian.service.brand.mail import branded_mailer, html_page, text_as_html, text_footer
from trustguardian.service.context import Context
from trustguardian.service.events.sealing import open_text
from trustguardian.service.events.subjects import identifier_aad
from trustguardian.store.uow import UnitOfWork

# The messages in the catalog's source language; each person gets them from the catalog
# (trustguardian.i18n) in the language of their request.
SOURCE: dict[str, str] = {
    "code_subject": "Verification code for your request",
    "code": "Your verification code is {code}. It expires in {minutes} minutes.",
    "extended_subject": "Extension of the deadline for your request {ref}",
    "extended": (
        "Dear data subject, the answer to your request {ref} is extended "
        "(GDPR art. 12(3)) until {due}.\nReason: {reason}"
    ),
    "answer_subject": "The answer to your request {ref}",
    "fulfilled": "Your request {ref} has been fulfilled.\n{outcome}",
    "fulfilled_link": (
        "Your request {ref} has been fulfilled.\n{outcome}\n"
        "Download your data (JSON and CSV) and the GDPR art. 15(1) information (purposes and "
        "their legal basis, recipients, retention, source of the data) from this link, usable "
        "once within 14 days:\n{link}"
    ),
    "lifted": (
        "The restriction of processing asked for in your request {ref} is being lifted "
        "(GDPR art. 18(3)).\n{outcome}"
    ),
    "rejected": (
        "Your request {ref} cannot be granted.\nReasons: {outcome}\n"
        "You may lodge a complaint with a supervisory authority (in Italy, the Garante per "
        "la protezione dei dati personali) and seek a judicial remedy (GDPR art. 12(4))."
    ),
    "link_subject": "Your privacy preferences",
    "link": "To manage your consents open this link (valid for {days} days):\n{url}",
}


class NoContact(Conflict):
    code = "no-contact"
    title = "No way to reach the person"


class SendFailed(Conflict):
    code = "send-failed"
    title = "The message could not be sent"


def text(language: str, name: str, **values: object) -> str:
    return words(language)(SOURCE[name], **values)


def contact_of(
    ctx: Context, uow: UnitOfWork, subject_id: str, blind_hash: str | None
) -> tuple[str, str]:
    """Opens the identifier a person asked to be reached at: returns (kind, value)."""
    stored = uow.subjects.identifiers(subject_id)
    usable = [i for i in stored if i.kind in ("email", "phone")]
    chosen = next((i for i in usable if i.blind == blind_hash), usable[0] if usable else None)
    if chosen is None:
        raise NoContact("the person left neither an e-mail address nor a phone number")
    value = open_text(
        ctx, uow, subject_id, chosen.sealed, identifier_aad(subject_id, chosen.blind).decode()
    )
    if value is None:
        raise Erased("the person's data was erased")
    return chosen.kind, value


def send(ctx: Context, kind: str, to: str, *, subject: str, body: str, language: str = "it") -> str:
    """Sends by e-mail or SMS (a mail from the brand's sender, its name and links beneath);
    returns the channel's message id."""
    try:
        if kind == "email":
            mailer, brand = branded_mailer(ctx)
            t = words(language, ctx.settings.timezone)
            footed = body + text_footer(brand, t)
            html = html_page(brand, t, ctx.settings.public_base_url, text_as_html(body))
            return mailer.send(EmailMessage(to=to, subject=subject, text=footed, html=html))
        return sms_sender_for(ctx.settings).send(SmsMessage(to=to, text=body))
    except MessagingError as exc:
        raise SendFailed(f"the {kind} could not be sent: {exc}") from exc


def tell(
    ctx: Context,
    uow: UnitOfWork,
    subject_id: str,
    blind_hash: str | None,
    language: str,
    *,
    subject: str,
    body: str,
) -> str | None:
    """Sends the person a message if they left a way to reach them; None when they did not."""
    try:
        kind, to = contact_of(ctx, uow, subject_id, blind_hash)
    except NoContact:
        return None
    return send(ctx, kind, to, subject=subject, body=body, language=language)
