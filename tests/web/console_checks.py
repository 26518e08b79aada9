"""Reading the database behind the console's back, to prove what a request did or did not do."""

from __future__ import annotations

from sqlalchemy import func, select

from trustguardian.service.context import Context
from trustguardian.store import tables as t


def rows(ctx: Context, table: object) -> int:
    with ctx.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def status(ctx: Context, key: str) -> str:
    with ctx.engine.connect() as conn:
        return str(
            conn.execute(
                select(t.touchpoints.c.status).where(t.touchpoints.c.key == key)
            ).scalar_one()
        )


def versions(ctx: Context) -> int:
    return rows(ctx, t.notice_versions)
