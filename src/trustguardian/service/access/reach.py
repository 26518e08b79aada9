"""Confinement of touchpoint-bound keys: the one place that decides what such a key may touch.

A key bound to a touchpoint reaches the subjects of that touchpoint (those with an event there),
the events taken there, and the rights requests, complaints, links and confirmations taken at or
minted for it; anything else answers as if it did not exist, so a bound key learns nothing of
another touchpoint's people, not even that an id is in use. An unbound key reaches everything
its scopes allow.
"""

from __future__ import annotations

from collections.abc import Iterable

from trustguardian.domain.access import ApiKey, Reach
from trustguardian.domain.errors import Forbidden, NotFound
from trustguardian.service.context import Context

_NAMES = {
    Reach.SUBJECT: "subject",
    Reach.EVENT: "event",
    Reach.REQUEST: "rights request",
    Reach.COMPLAINT: "complaint",
    Reach.LINK: "link",
    Reach.CONFIRMATION: "confirmation request",
}


def check_reach(ctx: Context, *, key: ApiKey, reach: Reach, resource_ids: Iterable[str]) -> None:
    """Refuses a bound key that names a resource beyond its touchpoint (404, as if unknown)."""
    own = key.touchpoint_key
    if own is None or reach is Reach.ANY:
        return
    if reach is Reach.UNBOUND:
        raise Forbidden(f"this key may act only for touchpoint {own!r}")
    wanted = list(dict.fromkeys(r for r in resource_ids if r is not None))
    if reach is Reach.TOUCHPOINT:
        for name in wanted:
            check_touchpoint(key, name)
        return
    if not wanted:
        return
    with ctx.uow(write=False) as uow:
        if reach is Reach.SUBJECT:
            own_ones = uow.reach.subjects_at(wanted, own)
            beyond = [r for r in wanted if r not in own_ones]
        else:
            beyond = [r for r in wanted if uow.reach.touchpoint_of(reach, r) != own]
    if beyond:
        raise NotFound(f"no {_NAMES[reach]} {beyond[0]!r}")


def check_touchpoint(key: ApiKey, touchpoint: str) -> None:
    """Refuses a bound key acting for another touchpoint than its own."""
    if key.touchpoint_key is not None and key.touchpoint_key != touchpoint:
        raise Forbidden(f"this key may act only for touchpoint {key.touchpoint_key!r}")


def touchpoint_filter(key: ApiKey, asked: str | None) -> str | None:
    """The touchpoint a listing is confined to: a bound key's own, whatever was asked."""
    if key.touchpoint_key is None:
        return asked
    if asked is not None:
        check_touchpoint(key, asked)
    return key.touchpoint_key
