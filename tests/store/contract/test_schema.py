"""Alembic is the only way the schema changes: the migrated schema equals the table definitions."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from trustguardian.service.context import Context
from trustguardian.store.migrate import current_revision, head_revision
from trustguardian.store.tables import metadata


def test_migrations_and_models_agree(store: Context) -> None:
    with store.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), metadata
        )
    assert diff == []


def test_database_is_at_head_after_migrating(store: Context) -> None:
    assert current_revision(store.engine) == head_revision()
