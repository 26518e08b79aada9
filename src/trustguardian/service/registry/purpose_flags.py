"""Which purposes sell or share personal data (the ones a `Sec-GPC: 1` signal objects to)."""

from __future__ import annotations

from trustguardian.domain.errors import FieldError, InvalidInput
from trustguardian.service.context import Context
from trustguardian.service.events.records import record_objects
from trustguardian.store.snapshots import PURPOSE


def set_sale_sharing(ctx: Context, *, purpose: str, value: bool) -> None:
    """Flags (or unflags) a purpose as selling or sharing personal data."""
    with ctx.uow() as uow:
        if uow.purposes.get(purpose) is None:
            raise InvalidInput(
                f"unknown purpose {purpose!r}", errors=[FieldError("purpose", "unknown")]
            )
        uow.rights.set_sale_sharing(purpose, value, ctx.clock.now())
        record_objects(ctx, uow, PURPOSE, [purpose], "flagged")
        uow.commit()


def sale_sharing_purposes(ctx: Context) -> list[str]:
    with ctx.uow(write=False) as uow:
        return sorted(uow.rights.sale_sharing())
