"""subject access log: reads by API keys and the command line (no console user)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 08:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subject_access_log", schema=None) as batch_op:
        batch_op.alter_column("user_id", existing_type=sa.String(length=40), nullable=True)


def downgrade() -> None:
    # Rows written by API keys or the command line have no console user to point at.
    op.execute("DELETE FROM subject_access_log WHERE user_id IS NULL")
    with op.batch_alter_table("subject_access_log", schema=None) as batch_op:
        batch_op.alter_column("user_id", existing_type=sa.String(length=40), nullable=False)
