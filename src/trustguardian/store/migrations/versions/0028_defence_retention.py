"""defence: proofs kept after an erasure, their readings, legal holds, per-purpose retention

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07 15:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

# A nullable column on purpose_versions (no row changes, no table copy on SQLite): versions
# written before keep no proofs after an erasure, as before. Three new tables.


def upgrade() -> None:
    op.add_column(
        "purpose_versions", sa.Column("defence_retention_days", sa.Integer(), nullable=True)
    )
    op.create_table(
        "defence_copies",
        sa.Column("subject_id", sa.String(40), sa.ForeignKey("subjects.id"), primary_key=True),
        sa.Column("purposes", sa.JSON(), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("sealed_sha256", sa.String(64), nullable=False),
        sa.Column("retain_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=True),
        sa.Column("sealed", sa.LargeBinary(), nullable=True),
        sa.Column("destroyed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "defence_reads",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("subject_id", sa.String(40), sa.ForeignKey("subjects.id"), nullable=False),
        sa.Column("opened_by", sa.String(200), nullable=False),
        sa.Column("via", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_defence_reads_subject", "defence_reads", ["subject_id"])
    op.create_table(
        "legal_holds",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("subject_id", sa.String(40), sa.ForeignKey("subjects.id"), nullable=True),
        sa.Column("touchpoint_key", sa.String(64), sa.ForeignKey("touchpoints.key"), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("placed_by", sa.String(200), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_by", sa.String(200), nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("legal_holds")
    op.drop_index("ix_defence_reads_subject", table_name="defence_reads")
    op.drop_table("defence_reads")
    op.drop_table("defence_copies")
    with op.batch_alter_table("purpose_versions") as batch:
        batch.drop_column("defence_retention_days")
