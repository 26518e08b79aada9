"""checks and access-log rows sealed in batches: each row keeps the ledger record that sealed it,
its position in the batch and its leaf hash

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 12:15:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

# Nullable columns, empty on the rows already there: the first sealing pass after the upgrade
# seals them (oldest first, in batches). Added and dropped with plain ALTER TABLE on both
# backends (SQLite 3.35 and later), so neither table is copied.

TABLES = ("checks", "subject_access_log")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("sealed_seq", sa.BigInteger(), nullable=True))
        op.add_column(table, sa.Column("sealed_position", sa.Integer(), nullable=True))
        op.add_column(table, sa.Column("sealed_hash", sa.LargeBinary(), nullable=True))
        op.create_index(f"ix_{table}_sealed", table, ["sealed_seq", "sealed_position"])


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_index(f"ix_{table}_sealed", table_name=table)
        for column in ("sealed_hash", "sealed_position", "sealed_seq"):
            op.drop_column(table, column)
