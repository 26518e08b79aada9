"""registry: a purpose version's name and description per language

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-07 15:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None

# {language: {"name": ..., "description": ...}}; NULL on the versions already there (no label
# but the default name), so their ledger records stay what they were. An added nullable column:
# no row is rewritten on PostgreSQL, no table copied on SQLite.


def upgrade() -> None:
    op.add_column("purpose_versions", sa.Column("labels", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("purpose_versions") as batch:
        batch.drop_column("labels")
