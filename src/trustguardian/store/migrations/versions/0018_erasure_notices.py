"""erasure notices: the identifiers a subject.erased carries to each system, until delivered

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

# A new table only: nothing written before this revision changes. Webhook statuses gain
# `disabled` and `deleted`, deliveries `discarded`: plain strings, no constraint to alter.


def upgrade() -> None:
    op.create_table(
        "erasure_notices",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("system_key", sa.String(length=64), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["seq"], ["outbox.seq"], name=op.f("fk_erasure_notices_seq_outbox")
        ),
        sa.ForeignKeyConstraint(
            ["system_key"], ["systems.key"], name=op.f("fk_erasure_notices_system_key_systems")
        ),
        sa.PrimaryKeyConstraint("seq", "system_key", name=op.f("pk_erasure_notices")),
    )


def downgrade() -> None:
    op.drop_table("erasure_notices")
