"""One contact check's read on the driver's own connection, in autocommit: one statement.

`CheckReads.one`'s statement gives everything a plain check needs (the stamp, the subject, its
state, identifiers and suppression). Through a unit of work it cost ~60 µs of connection,
BEGIN and ROLLBACK and ~120 µs of SQLAlchemy's execution and row processing around a statement
that SQLite runs in ~10 µs. A single SELECT in autocommit reads one snapshot on both backends
(SQLite: the statement's own read transaction; PostgreSQL: the statement's snapshot), so here it
is compiled once per dialect and run on the pooled driver connection as `read_stamps` does, and
its few typed columns are converted by the columns' own result processors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine

from trustguardian.domain.consent import ConsentState, ConsentStatus
from trustguardian.domain.registry import Channel
from trustguardian.store import tables as t
from trustguardian.store.engage.check_reads import ONE_BY_BLIND, ONE_BY_ID, OneSubject
from trustguardian.store.engine import run_alone

Convert = Callable[[Any], Any]


class _Compiled:
    """A statement as its dialect's SQL text, with its parameters' order and defaults."""

    def __init__(self, engine: Engine, by_blind: bool) -> None:
        dialect = engine.dialect
        compiled = (ONE_BY_BLIND if by_blind else ONE_BY_ID).compile(dialect=dialect)
        self.sql = str(compiled)
        self.defaults: dict[str, Any] = dict(compiled.params)
        self.order = compiled.positiontup if dialect.paramstyle == "qmark" else None
        names = [c.name for c in (ONE_BY_BLIND if by_blind else ONE_BY_ID).selected_columns]
        self.at = {name: n for n, name in enumerate(names)}

        def processor(column: Any) -> Convert:
            found = column.type.dialect_impl(dialect).result_processor(dialect, None)
            return found if found is not None else _same

        self.since = processor(t.consent_states.c.since)
        self.expires_at = processor(t.consent_states.c.expires_at)

    def params(self, values: dict[str, Any]) -> Any:
        merged = {**self.defaults, **values}
        return merged if self.order is None else [merged[name] for name in self.order]


def _same(value: Any) -> Any:
    return value


_compiled: dict[tuple[str, bool], _Compiled] = {}


def read_one(
    engine: Engine, *, stamp: str, subject_id: str | None, blind: str | None, purpose: str,
    channel: str,
) -> OneSubject:  # fmt: skip
    """`CheckReads.one` in one autocommit statement on the driver's connection."""
    if subject_id is None and blind is None:
        return OneSubject(None, False, None, False, None, False, [])
    by_blind = subject_id is None
    key = (engine.dialect.name, by_blind)
    compiled = _compiled.get(key)
    if compiled is None:
        compiled = _compiled[key] = _Compiled(engine, by_blind)
    values = {"stamp_name": stamp, "blind": blind, "purpose": purpose, "channel": channel}
    if not by_blind:
        values["subject_id"] = subject_id
    rows = run_alone(engine, compiled.sql, compiled.params(values))
    return _one(compiled, rows)


def _one(c: _Compiled, rows: list[Any]) -> OneSubject:
    at = c.at
    first = rows[0] if rows else None
    if first is None or first[at["subject"]] is None:
        return OneSubject(
            stamp=None if first is None else int(first[at["stamp"]]),
            blind_suppressed=bool(first is not None and first[at["blind_suppressed"]]),
            subject=None,
            shredded=False,
            state=None,
            customer=False,
            identifiers=[],
        )
    state = None
    if first[at["status"]] is not None:
        state = ConsentState(
            subject_id=first[at["subject_id"]],
            purpose=first[at["purpose_key"]],
            channel=Channel(first[at["channel"]]),
            status=ConsentStatus(first[at["status"]]),
            since=c.since(first[at["since"]]),
            event_id=first[at["event_id"]],
            event_seq=first[at["event_seq"]],
            purpose_version=first[at["purpose_version"]],
            notice=first[at["notice_key"]],
            notice_version=first[at["notice_version"]],
            expires_at=c.expires_at(first[at["expires_at"]]),
        )
    own_blind, own_kind, own_suppressed = at["own_blind"], at["own_kind"], at["own_suppressed"]
    return OneSubject(
        stamp=int(first[at["stamp"]]),
        blind_suppressed=bool(first[at["blind_suppressed"]]),
        subject=first[at["subject"]],
        shredded=first[at["shredded_at"]] is not None,
        state=state,
        customer=bool(first[at["customer"]]),
        identifiers=[
            (r[own_blind], r[own_kind], bool(r[own_suppressed]))
            for r in rows
            if r[own_blind] is not None
        ],
    )


def add_check(engine: Engine, row: dict[str, Any]) -> None:
    """Records one check's row in one autocommit INSERT on the driver's connection: PostgreSQL
    only (SQLite journals single checks, see check_log); one round trip where a unit of work
    costs three more (BEGIN, the statement through SQLAlchemy, COMMIT)."""
    if engine.dialect.name != "postgresql":
        raise RuntimeError("single check rows are journalled on SQLite")
    names = list(row)
    # Column names come from the table definition (t.checks.c refuses any other), never input.
    columns = ", ".join(t.checks.c[name].name for name in names)
    sql = f"INSERT INTO checks ({columns}) VALUES ({', '.join('%s' for _ in names)})"  # noqa: S608
    run_alone(engine, sql, [row[name] for name in names])
