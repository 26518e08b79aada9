"""Lone statements (`run_alone`) on SQLite run on connections kept out of the pool, configured
as the pool's are; a connection whose statement failed is not used again. On PostgreSQL they
run on pooled connections in autocommit."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import create_engine, text

from trustguardian.service.context import Context
from trustguardian.store.engine import run_alone


@pytest.mark.parametrize("ctx", ["sqlite"], indirect=True)
def test_lone_statements_share_a_kept_connection_configured_as_the_pools(
    ctx: Context,
) -> None:
    # A temporary table lives in one connection: the next statement sees it only on the same.
    run_alone(ctx.engine, "CREATE TEMP TABLE kept (n INTEGER)")
    run_alone(ctx.engine, "INSERT INTO temp.kept VALUES (?)", (7,))
    assert run_alone(ctx.engine, "SELECT n FROM temp.kept") == [(7,)]
    assert run_alone(ctx.engine, "PRAGMA foreign_keys") == [(1,)]
    assert run_alone(ctx.engine, "PRAGMA journal_mode") == [("wal",)]
    assert ctx.engine.pool.checkedout() == 0  # nothing held from the pool


@pytest.mark.parametrize("ctx", ["sqlite"], indirect=True)
def test_lone_statements_do_not_wait_for_the_pool(ctx: Context) -> None:
    engine = create_engine(ctx.engine.url, pool_size=1, max_overflow=0, pool_timeout=0.2)
    try:
        assert run_alone(engine, "SELECT 1") == [(1,)]  # keeps its connection aside
        with engine.connect():  # the pool's only connection, taken
            assert run_alone(engine, "SELECT 2") == [(2,)]
    finally:
        engine.dispose()


@pytest.mark.parametrize("ctx", ["sqlite"], indirect=True)
def test_a_connection_that_failed_a_statement_is_not_used_again(ctx: Context) -> None:
    run_alone(ctx.engine, "CREATE TEMP TABLE kept (n INTEGER)")
    with pytest.raises(sqlite3.OperationalError):
        run_alone(ctx.engine, "SELECT * FROM no_such_table")
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        run_alone(ctx.engine, "SELECT n FROM temp.kept")  # a fresh connection


def test_lone_statements_answer_rows_and_hold_no_pooled_connection(ctx: Context) -> None:
    mark = "%s" if ctx.engine.dialect.name == "postgresql" else "?"
    assert run_alone(ctx.engine, f"SELECT 1 + {mark}", (1,)) == [(2,)]
    assert run_alone(ctx.engine, "SELECT name, value FROM stamps WHERE 1 = 0") == []
    assert ctx.engine.pool.checkedout() == 0


@pytest.mark.parametrize("ctx", ["postgresql"], indirect=True)
def test_postgresql_lone_statements_share_a_session_out_of_the_pool(ctx: Context) -> None:
    [(kept,)] = run_alone(ctx.engine, "SELECT pg_backend_pid()")
    assert run_alone(ctx.engine, "SELECT pg_backend_pid()") == [(kept,)]
    with ctx.engine.connect() as conn:
        assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() != kept
        conn.rollback()


@pytest.mark.parametrize("ctx", ["postgresql"], indirect=True)
def test_a_kept_session_the_server_ended_is_replaced_without_failing(ctx: Context) -> None:
    [(kept,)] = run_alone(ctx.engine, "SELECT pg_backend_pid()")
    with ctx.engine.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": kept})
        conn.commit()
    [(again,)] = run_alone(ctx.engine, "SELECT pg_backend_pid()")
    assert again != kept
