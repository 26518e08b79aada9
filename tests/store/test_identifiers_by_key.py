"""Migration 0034: a keyed hash's owner is read from the primary key itself (SQLite: WITHOUT
ROWID; PostgreSQL: the key's index includes owner and kind), and the copy index is gone; a
database of the previous release keeps every identifier and verifies once upgraded."""

from __future__ import annotations

from alembic import command
from sqlalchemy import Engine, select, text
from tests.factories.events import assert_verifies, email, make_draft, record, setup_registry

from trustguardian.service.context import Context
from trustguardian.store import tables as t
from trustguardian.store.engage.batch_reads import BatchReads
from trustguardian.store.engine import make_engine
from trustguardian.store.migrate import alembic_config, current_revision, head_revision, upgrade


def _indexes(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            sql = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = :t"
        else:
            sql = "SELECT indexname FROM pg_indexes WHERE tablename = :t"
        return set(conn.execute(text(sql), {"t": "subject_identifiers"}).scalars())


def _key_holds_the_owner(engine: Engine) -> bool:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            sql = "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :t"
            found = conn.execute(text(sql), {"t": "subject_identifiers"}).scalar_one()
            return "WITHOUT ROWID" in found.upper()
        sql = "SELECT indexdef FROM pg_indexes WHERE indexname = 'pk_subject_identifiers'"
        return "INCLUDE (subject_id, kind)" in conn.execute(text(sql)).scalar_one()


def _identifiers(engine: Engine) -> set[tuple[str, str, str, bytes | None]]:
    c = t.subject_identifiers.c
    with engine.connect() as conn:
        rows = conn.execute(select(c.blind, c.subject_id, c.kind, c.sealed)).all()
    return {(r.blind, r.subject_id, r.kind, bytes(r.sealed) if r.sealed else None) for r in rows}


def test_owners_come_from_the_primary_key_and_an_upgrade_keeps_every_identifier(
    ctx: Context,
) -> None:
    engine = make_engine(ctx.settings.database_url)
    assert _key_holds_the_owner(engine)
    assert "ix_subject_identifiers_blind_owner" not in _indexes(engine)
    setup_registry(ctx)
    people = [email(f"person{n}@example.com") for n in range(5)]
    events = record(ctx, *[make_draft(identifiers=(p,)) for p in people])
    written = _identifiers(engine)
    assert len(written) == 5

    config = alembic_config()
    with engine.begin() as connection:  # the previous release's schema, with the same rows
        config.attributes["connection"] = connection
        command.downgrade(config, "0033")
    assert current_revision(engine) == "0033"
    assert not _key_holds_the_owner(engine)
    assert "ix_subject_identifiers_blind_owner" in _indexes(engine)
    assert _identifiers(engine) == written

    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert _key_holds_the_owner(engine)
    assert "ix_subject_identifiers_blind_owner" not in _indexes(engine)
    assert "ix_subject_identifiers_subject" in _indexes(engine)
    assert _identifiers(engine) == written
    with engine.connect() as conn:
        owners = BatchReads(conn).owners([b for b, *_ in written] + ["0" * 64])
    assert owners == {e.identifiers[0]: (e.subject_id, False) for e in events}
    # The same people are found again, not made anew, and the ledger verifies.
    again = record(ctx, *[make_draft(identifiers=(p,)) for p in people])
    assert [e.subject_id for e in again] == [e.subject_id for e in events]
    assert _identifiers(engine) == written
    assert_verifies(ctx)
    engine.dispose()
