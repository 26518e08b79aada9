"""signing keys (key rotation)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 07:01:59.763270
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signing_keys",
        sa.Column("key_hash", sa.String(length=8), nullable=False),
        sa.Column("verifier_key", sa.Text(), nullable=False),
        sa.Column("from_tree_size", sa.BigInteger(), nullable=False),
        sa.Column("until_tree_size", sa.BigInteger(), nullable=True),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("endorsement", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("key_hash", name=op.f("pk_signing_keys")),
    )


def downgrade() -> None:
    op.drop_table("signing_keys")
