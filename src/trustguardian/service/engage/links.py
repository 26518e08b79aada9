"""Links sent to people: unsubscribe (RFC 8058 one-click) and the preference centre.

Each link is a signed, revocable token (`service/engage/tokens.py`) whose claims hold only
pseudonymous ids: the subject, the purpose, the channel and the Right touchpoint that issued it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from trustguardian.domain.errors import Conflict, FieldError, InvalidInput, NotFound
from trustguardian.domain.registry import Channel, TouchpointKind, TouchpointStatus
from trustguardian.service.context import Context
from trustguardian.service.engage.tokens import mint_token, read_token, revoke_token
from trustguardian.store.uow import UnitOfWork

UNSUBSCRIBE = "unsubscribe"
PREFERENCES = "preferences"
ONE_CLICK = "List-Unsubscribe=One-Click"


@dataclass(frozen=True)
class Link:
    subject_id: str
    url: str
    token_id: str
    expires_at: datetime
    list_unsubscribe: str | None = None
    list_unsubscribe_post: str | None = None


def right_touchpoint(uow: UnitOfWork, key: str, loc: str = "touchpoint") -> None:
    """Refuses a touchpoint that is unknown, retired or not a Right touchpoint."""
    tp = uow.touchpoints.get(key)
    if tp is None:
        raise InvalidInput(f"unknown touchpoint {key!r}", errors=[FieldError(loc, "unknown")])
    if tp.kind is not TouchpointKind.RIGHT or tp.status is TouchpointStatus.RETIRED:
        raise InvalidInput(
            f"touchpoint {key!r} is not an active Right touchpoint",
            errors=[FieldError(loc, f"{tp.kind.value}, {tp.status.value}")],
        )


def _subject(uow: UnitOfWork, subject_id: str, loc: str) -> None:
    subject = uow.subjects.get(subject_id)
    if subject is None:
        raise NotFound(f"no subject {subject_id!r}", errors=[FieldError(loc, "unknown")])
    if subject.shredded:
        raise Conflict(f"subject {subject_id!r} was erased", errors=[FieldError(loc, "erased")])


def _base(ctx: Context) -> str:
    return ctx.settings.public_base_url.rstrip("/")


def unsubscribe_links(
    ctx: Context,
    *,
    subject_ids: Sequence[str],
    purpose: str,
    channel: Channel,
    touchpoint: str,
) -> list[Link]:
    """Mints one unsubscribe link per subject, with the List-Unsubscribe header values."""
    if not subject_ids or len(subject_ids) > 10_000:
        raise InvalidInput(
            "name between 1 and 10000 subjects", errors=[FieldError("subject_ids", "size")]
        )
    ttl = timedelta(days=ctx.settings.unsubscribe_link_days)
    links = []
    with ctx.uow() as uow:
        right_touchpoint(uow, touchpoint)
        found = uow.purposes.get(purpose)
        if found is None:
            raise InvalidInput(
                f"unknown purpose {purpose!r}", errors=[FieldError("purpose", "unknown")]
            )
        if channel not in found.current.content.channels:
            raise InvalidInput(
                f"purpose {purpose!r} does not cover {channel.value}",
                errors=[FieldError("channel", "not covered by the purpose")],
            )
        for n, subject_id in enumerate(subject_ids):
            _subject(uow, subject_id, f"subject_ids.{n}")
            token = mint_token(
                ctx,
                uow,
                UNSUBSCRIBE,
                subject_id=subject_id,
                claims={"p": purpose, "c": channel.value, "tp": touchpoint},
                ttl=ttl,
                single_use=False,  # mail clients may POST twice; revocation ends it early
                touchpoint=touchpoint,
            )
            url = f"{_base(ctx)}/u/{token}"
            links.append(
                Link(
                    subject_id=subject_id,
                    url=url,
                    token_id=_token_id(ctx, uow, token, UNSUBSCRIBE),
                    expires_at=ctx.clock.now() + ttl,
                    list_unsubscribe=f"<{url}>",
                    list_unsubscribe_post=ONE_CLICK,
                )
            )
        uow.commit()
    return links


def preferences_link(ctx: Context, *, subject_id: str, touchpoint: str) -> Link:
    """Mints a link to the preference centre, reusable until it expires or is revoked."""
    with ctx.uow() as uow:
        link = preferences_link_in_unit(ctx, uow, subject_id=subject_id, touchpoint=touchpoint)
        uow.commit()
    return link


def preferences_link_in_unit(
    ctx: Context, uow: UnitOfWork, *, subject_id: str, touchpoint: str
) -> Link:
    """`preferences_link`'s work in the caller's unit of work."""
    ttl = timedelta(days=ctx.settings.preferences_link_days)
    right_touchpoint(uow, touchpoint)
    _subject(uow, subject_id, "subject_id")
    token = mint_token(
        ctx,
        uow,
        PREFERENCES,
        subject_id=subject_id,
        claims={"tp": touchpoint},
        ttl=ttl,
        single_use=False,
        touchpoint=touchpoint,
    )
    token_id = _token_id(ctx, uow, token, PREFERENCES)
    return Link(subject_id, f"{_base(ctx)}/p/{token}", token_id, ctx.clock.now() + ttl)


def _token_id(ctx: Context, uow: UnitOfWork, token: str, kind: str) -> str:
    return read_token(ctx, uow, token, kind).id


def revoke_link(ctx: Context, *, token_id: str) -> None:
    """Revokes a link: from now on it is refused and changes nothing."""
    with ctx.uow() as uow:
        if uow.tokens.get(token_id) is None:
            raise NotFound(f"no link {token_id!r}")
        revoke_token(ctx, uow, token_id)
        uow.commit()
