"""What the operator page offers a key: the collect touchpoints it may record for, and their
purposes."""

from __future__ import annotations

from trustguardian.domain.access import ApiKey
from trustguardian.domain.registry import Purpose, Touchpoint, TouchpointKind, TouchpointStatus
from trustguardian.service.context import Context

PAGE = 500


def operator_choices(ctx: Context, *, key: ApiKey) -> tuple[list[Touchpoint], dict[str, Purpose]]:
    """The live collect touchpoints a key may record for (its own, if it is bound to one) and
    the purposes they collect, by key."""
    with ctx.uow(write=False) as uow:
        if key.touchpoint_key is not None:
            one = uow.touchpoints.get(key.touchpoint_key)
            tps = [one] if one is not None else []
        else:
            tps, after = [], None
            while page := uow.touchpoints.page(after=after, limit=PAGE):
                tps.extend(page)
                after = page[-1].key
                if len(page) < PAGE:
                    break
        tps = [
            t
            for t in tps
            if t.kind is TouchpointKind.COLLECT and t.status is not TouchpointStatus.RETIRED
        ]
        purposes = {p: found for t in tps for p in t.purposes if (found := uow.purposes.get(p))}
    return tps, purposes
