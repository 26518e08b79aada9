"""witnesses' cosignatures of checkpoints (c2sp.org/tlog-cosignature)

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07 15:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "checkpoint_cosignatures",
        sa.Column(
            "tree_size",
            sa.BigInteger(),
            sa.ForeignKey("checkpoints.tree_size"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("witness", sa.String(300), primary_key=True),
        sa.Column("line", sa.Text(), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("checkpoint_cosignatures")
