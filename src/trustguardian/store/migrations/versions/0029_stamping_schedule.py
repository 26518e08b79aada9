"""the time-stamping schedule: when the next RFC 3161 stamp is tried and how the tries went

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07 15:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stamping_schedule",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=2000), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_stamping_schedule")),
    )


def downgrade() -> None:
    op.drop_table("stamping_schedule")
