"""stamps: counters that every change to the registry checks read, or to API keys, moves

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 10:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# Each process keeps copies of what these tables hold and reads the stamp instead of the rows.
# A later migration that rebuilds one of these tables on SQLite (batch mode) drops its triggers
# and must create them again; tests/engage/test_fresh_registry.py fails if it does not.
STAMPED = {
    "registry": ("purposes", "purpose_versions", "contact_policies", "opposition_registers"),
    "api_keys": ("api_keys",),
}
OPERATIONS = ("INSERT", "UPDATE", "DELETE")


def _bump(name: str) -> str:
    return f"UPDATE stamps SET value = value + 1 WHERE name = '{name}'"  # noqa: S608 (our constants)


def upgrade() -> None:
    stamps = op.create_table(
        "stamps",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_stamps")),
    )
    op.bulk_insert(stamps, [{"name": name, "value": 0} for name in STAMPED])
    # Triggers, not application code, move the stamps: no writer (a repository, a bulk load, an
    # operator's SQL) can change these tables and leave a process's copy looking current.
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name, tables in STAMPED.items():
        if postgresql:
            op.execute(
                f"CREATE FUNCTION bump_{name}_stamp() RETURNS trigger LANGUAGE plpgsql AS "
                f"$$ BEGIN {_bump(name)}; RETURN NULL; END $$"
            )
        for table in tables:
            if postgresql:
                op.execute(
                    f"CREATE TRIGGER {table}_stamp AFTER INSERT OR UPDATE OR DELETE ON {table} "
                    f"FOR EACH STATEMENT EXECUTE FUNCTION bump_{name}_stamp()"
                )
                continue
            for operation in OPERATIONS:
                op.execute(
                    f"CREATE TRIGGER {table}_{operation.lower()}_stamp AFTER {operation} "
                    f"ON {table} BEGIN {_bump(name)}; END"
                )


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name, tables in STAMPED.items():
        for table in tables:
            if postgresql:
                op.execute(f"DROP TRIGGER IF EXISTS {table}_stamp ON {table}")
            else:
                for operation in OPERATIONS:
                    op.execute(f"DROP TRIGGER IF EXISTS {table}_{operation.lower()}_stamp")
        if postgresql:
            op.execute(f"DROP FUNCTION IF EXISTS bump_{name}_stamp()")
    op.drop_table("stamps")
