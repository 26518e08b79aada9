"""The preference centre reached by e-mail: a person types their address, we mail them a link.

The answer never says whether the address is known, so the page cannot be used to find out
who is a customer.
"""

from __future__ import annotations

from datetime import timedelta

from trustguardian.domain.errors import DomainError
from trustguardian.domain.subjects import IdentifierKind
from trustguardian.service.context import Context
from trustguardian.service.engage.links import PREFERENCES, preferences_link
from trustguardian.service.events.identifiers import normalise
from trustguardian.service.events.subjects import blind
from trustguardian.service.rights.notify import send, text

MAX_LINKS_PER_HOUR = 3


def mail_preferences_link(ctx: Context, *, address: str, language: str) -> bool:
    """Mails a preference-centre link if the address belongs to a live subject; tells whether."""
    try:
        identifier = normalise(IdentifierKind.EMAIL, address)
    except DomainError:
        return False
    with ctx.uow(write=False) as uow:
        owners = uow.subjects.find_by_blind([blind(ctx, identifier)])
        subject = uow.subjects.get(next(iter(owners.values()))) if owners else None
    if subject is None or subject.shredded:
        return False
    with ctx.uow(write=False) as uow:
        recent = uow.rights.links_since(
            subject.id, PREFERENCES, ctx.clock.now() - timedelta(hours=1)
        )
    if recent >= MAX_LINKS_PER_HOUR:  # the page must not become a way to flood an inbox
        return False
    link = preferences_link(
        ctx, subject_id=subject.id, touchpoint=ctx.settings.preferences_touchpoint
    )
    send(
        ctx,
        "email",
        identifier.value,
        subject=text(language, "link_subject"),
        body=text(language, "link", url=link.url, days=ctx.settings.preferences_link_days),
    )
    return True
