"""registry stamp: a counter every change to what checks read from the registry moves

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

# What a contact check reads from the registry; each process keeps a copy keyed by the stamp.
WATCHED = ("purposes", "purpose_versions", "contact_policies", "opposition_registers")
OPERATIONS = ("INSERT", "UPDATE", "DELETE")
BUMP = "UPDATE stamps SET value = value + 1 WHERE name = 'registry'"


def upgrade() -> None:
    stamps = op.create_table(
        "stamps",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_stamps")),
    )
    op.bulk_insert(stamps, [{"name": "registry", "value": 0}])
    # Triggers, not application code, move the stamp: no writer (a repository, a bulk load, an
    # operator's SQL) can change the registry and leave a process's copy looking current.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION bump_registry_stamp() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {BUMP}; RETURN NULL; END $$"
        )
        for table in WATCHED:
            op.execute(
                f"CREATE TRIGGER {table}_registry_stamp AFTER INSERT OR UPDATE OR DELETE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION bump_registry_stamp()"
            )
        return
    for table in WATCHED:
        for operation in OPERATIONS:
            op.execute(
                f"CREATE TRIGGER {table}_{operation.lower()}_registry_stamp AFTER {operation} "
                f"ON {table} BEGIN {BUMP}; END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in WATCHED:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_registry_stamp ON {table}")
        op.execute("DROP FUNCTION IF EXISTS bump_registry_stamp()")
    else:
        for table in WATCHED:
            for operation in OPERATIONS:
                op.execute(f"DROP TRIGGER IF EXISTS {table}_{operation.lower()}_registry_stamp")
    op.drop_table("stamps")
