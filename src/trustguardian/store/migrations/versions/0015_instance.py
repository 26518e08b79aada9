"""instance: the instance id and key fingerprint a database is bound to, and a wrapped canary

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 06:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Empty after the upgrade: `trustguardian migrate` binds the database to its key file in
    # the same run, after checking the keys open the data already there.
    op.create_table(
        "instance",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("fingerprint", sa.String(length=80), nullable=False),
        sa.Column("canary", sa.LargeBinary(), nullable=False),
        sa.Column("bound_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("probed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instance")),
    )


def downgrade() -> None:
    op.drop_table("instance")
