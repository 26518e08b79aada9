"""Applies Alembic migrations: the only way the schema changes."""

from __future__ import annotations

import functools
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from trustguardian.domain.errors import DomainError

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    """Builds the Alembic configuration from the package, with no ini file to find."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrates the database up to a revision (the latest by default)."""
    if revision == "head" and current_revision(engine) == head_revision():
        return  # Alembic takes ~70 ms to find there is nothing to do
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    """Tells which revision the database is at (None when never migrated)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@functools.cache
def head_revision() -> str | None:
    """Tells the latest revision this code knows (read once: the scripts ship with the code)."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


class SchemaNotReady(DomainError):
    """The database has not been migrated to the schema this version of the code needs."""

    code = "schema-not-ready"
    title = "Database not migrated"


def require_schema(engine: Engine) -> None:
    """Refuses, saying what to run, a database whose schema is missing or at another revision."""
    current, head = current_revision(engine), head_revision()
    if current == head:
        return
    where = engine.url.render_as_string(hide_password=True)
    if current is None:
        raise SchemaNotReady(
            f"the database at {where} has no Trust Guardian schema yet: "
            "run `trustguardian migrate` (or `trustguardian serve`, which migrates) first"
        )
    raise SchemaNotReady(
        f"the database at {where} is at schema revision {current} and this version needs "
        f"{head}: run `trustguardian migrate`"
    )
