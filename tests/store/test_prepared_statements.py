"""On PostgreSQL, statements psycopg prepared stay prepared across readers and stamp reads.

psycopg deallocates every prepared statement of a connection when a transaction on it is rolled
back. Readers end with COMMIT (READ ONLY) and stamps are read in autocommit, so a check's
statement is planned once per connection, not once per check.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from sqlalchemy import text
from sqlalchemy.exc import InternalError

from trustguardian.service.context import Context
from trustguardian.store.engine import make_engine
from trustguardian.store.ops.stamps import read_stamps

# psycopg prepares a statement the fifth time a connection runs it (prepare_threshold).
RUNS = 6


def _prepared(ctx: Context) -> int:
    with ctx.engine.connect() as conn:
        count: int = conn.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar_one()
        conn.commit()
    return count


@pytest.mark.postgres
def test_readers_and_stamp_reads_keep_prepared_statements(
    make_ctx: Callable[[str], Context],
) -> None:
    made = make_ctx("postgresql")
    # One connection in the pool: every checkout below is the same server session.
    ctx = dataclasses.replace(
        made, engine=make_engine(made.settings.database_url, pool_size=1, max_overflow=0)
    )
    try:
        with ctx.uow(write=False) as uow:
            for n in range(RUNS):
                assert uow.connection.execute(text("SELECT 1 + :n"), {"n": n}).scalar_one() == n + 1
        assert _prepared(ctx) >= 1
        with ctx.uow(write=False) as uow:
            uow.connection.execute(text("SELECT 1 + :n"), {"n": 0}).scalar_one()
        assert read_stamps(ctx.engine)
        assert _prepared(ctx) >= 1, "a reader or a stamp read rolled back and lost the statements"
    finally:
        ctx.engine.dispose()


@pytest.mark.postgres
def test_a_reader_cannot_write(make_ctx: Callable[[str], Context]) -> None:
    ctx = make_ctx("postgresql")
    with pytest.raises(InternalError, match="read-only transaction"), ctx.uow(write=False) as uow:
        uow.connection.execute(text("UPDATE stamps SET value = value + 1"))
