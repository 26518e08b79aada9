"""holds and complaint kinds: restrictions and complaints that stop contacts; complaint deadlines

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

OPERATIONS = ("INSERT", "UPDATE", "DELETE")
# Checks keep every hold in their process's registry copy (service/engage/check_registry.py):
# a change to a hold moves the `registry` stamp as a change to a purpose does (see 0013).
BUMP = "UPDATE stamps SET value = value + 1 WHERE name = 'registry'"


def upgrade() -> None:
    op.create_table(
        "processing_holds",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.String(length=40), nullable=False),
        sa.Column("purpose_key", sa.String(length=64), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("cause", sa.String(length=16), nullable=False),
        sa.Column("source_id", sa.String(length=40), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_event_id", sa.String(length=40), nullable=False),
        sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lifted_event_id", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_processing_holds_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_processing_holds")),
    )
    op.create_index("ix_processing_holds_subject", "processing_holds", ["subject_id"])
    op.create_index("ix_processing_holds_source", "processing_holds", ["source_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER processing_holds_stamp AFTER INSERT OR UPDATE OR DELETE ON "
            "processing_holds FOR EACH STATEMENT EXECUTE FUNCTION bump_registry_stamp()"
        )
    else:
        for operation in OPERATIONS:
            op.execute(
                f"CREATE TRIGGER processing_holds_{operation.lower()}_stamp AFTER {operation} "
                f"ON processing_holds BEGIN {BUMP}; END"
            )
    # Adding columns keeps the table (no batch copy on SQLite), so its indexes stay as they are.
    op.add_column(
        "complaints",
        sa.Column("kind", sa.String(length=16), nullable=False, server_default="other"),
    )
    op.add_column("complaints", sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+): a batch copy of `complaints` would break the foreign
    # keys of the tables that point at it.
    op.drop_column("complaints", "due_at")
    op.drop_column("complaints", "kind")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS processing_holds_stamp ON processing_holds")
    else:
        for operation in OPERATIONS:
            op.execute(f"DROP TRIGGER IF EXISTS processing_holds_{operation.lower()}_stamp")
    op.drop_index("ix_processing_holds_source", table_name="processing_holds")
    op.drop_index("ix_processing_holds_subject", table_name="processing_holds")
    op.drop_table("processing_holds")
