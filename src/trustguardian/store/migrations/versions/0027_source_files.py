"""source files: a legacy import's file as its ledger record commits to it, one salted
commitment per row, and the events each row produced

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 15:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

# Empty after the upgrade: files imported before it keep their rows' sealed bytes in their events'
# proofs, citing the file by its SHA-256 only.


def upgrade() -> None:
    op.create_table(
        "source_files",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("encoding", sa.String(length=40), nullable=False),
        sa.Column("bom", sa.Boolean(), nullable=False),
        sa.Column("header", sa.LargeBinary(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("root", sa.String(length=64), nullable=False),
        sa.Column("touchpoint_key", sa.String(length=64), nullable=False),
        sa.Column("imported_by", sa.String(length=200), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_files")),
    )
    op.create_index("ix_source_files_file_sha256", "source_files", ["file_sha256"])
    op.create_table(
        "source_rows",
        sa.Column("source_id", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("commitment", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source_files.id"], name=op.f("fk_source_rows_source_id_source_files")
        ),
        sa.PrimaryKeyConstraint("source_id", "position", name=op.f("pk_source_rows")),
    )
    op.create_table(
        "source_row_events",
        sa.Column("source_id", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("event_seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source_files.id"],
            name=op.f("fk_source_row_events_source_id_source_files"),
        ),
        sa.ForeignKeyConstraint(
            ["event_seq"], ["events.seq"], name=op.f("fk_source_row_events_event_seq_events")
        ),
        sa.PrimaryKeyConstraint(
            "source_id", "position", "event_seq", name=op.f("pk_source_row_events")
        ),
    )


def downgrade() -> None:
    op.drop_table("source_row_events")
    op.drop_table("source_rows")
    op.drop_index("ix_source_files_file_sha256", table_name="source_files")
    op.drop_table("source_files")
