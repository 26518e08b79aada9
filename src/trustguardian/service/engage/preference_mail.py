"""The preference centre reached by e-mail: a person types their address, we mail them a link.

The answer never says whether the address is known, so the page cannot be used to find out
who is a customer.
"""

from __future__ import annotations

from datetime import timedelta

from trustguardian.domain.errors import DomainError
from trustguardian.domain.subjects import Identifier, IdentifierKind
from trustguardian.service.context import Context
from trustguardian.service.engage.links import PREFERENCES, preferences_link_in_unit
from trustguardian.service.engage.tokens import redeem_form_token
from trustguardian.service.events.identifiers import normalise
from trustguardian.service.events.subjects import blind
from trustguardian.service.rights.notify import send, text
from trustguardian.store.uow import UnitOfWork

MAX_LINKS_PER_HOUR = 3


def mail_preferences_link(
    ctx: Context, *, address: str, language: str, form_token: str | None = None
) -> bool:
    """Mails a preference-centre link if the address belongs to a live subject; tells whether.

    With the `form_token` of the public form, the token is used in the same transaction, known
    address or not (raises `InvalidToken` when it is not good for one more use). The e-mail goes
    out last: a failed send keeps nothing, the form token included.
    """
    with ctx.uow() as uow:
        if form_token is not None:
            redeem_form_token(ctx, uow, form_token)
        found = _owner(ctx, uow, address)
        if found is None:
            uow.commit()
            return False
        identifier, subject_id = found
        link = preferences_link_in_unit(
            ctx, uow, subject_id=subject_id, touchpoint=ctx.settings.preferences_touchpoint
        )
        send(
            ctx,
            "email",
            identifier.value,
            subject=text(language, "link_subject"),
            language=language,
            body=text(language, "link", url=link.url, days=ctx.settings.preferences_link_days),
        )
        uow.commit()
    return True


def _owner(ctx: Context, uow: UnitOfWork, address: str) -> tuple[Identifier, str] | None:
    """The address and its live subject, unless it has had its share of links this hour."""
    try:
        identifier = normalise(IdentifierKind.EMAIL, address)
    except DomainError:
        return None
    owners = uow.subjects.find_by_blind([blind(ctx, identifier)])
    subject = uow.subjects.get(next(iter(owners.values()))) if owners else None
    if subject is None or subject.shredded:
        return None
    recent = uow.rights.links_since(subject.id, PREFERENCES, ctx.clock.now() - timedelta(hours=1))
    if recent >= MAX_LINKS_PER_HOUR:  # the page must not become a way to flood an inbox
        return None
    return identifier, subject.id
