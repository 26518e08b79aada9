"""registry records: registry changes are ledger leaves beside the events

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

# Empty after the upgrade: `trustguardian migrate` then enters the registry already there into
# the ledger once, a genesis snapshot leaf per object (service.registry.genesis), with the keys
# that sign its checkpoint. A downgrade drops the records; their leaves stay in the tree, and the
# previous release's `verify` would then count fewer events than leaves.


def upgrade() -> None:
    op.create_table(
        "registry_records",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=80), nullable=False),
        sa.Column("object_type", sa.String(length=40), nullable=False),
        sa.Column("object_key", sa.String(length=300), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("leaf", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_registry_records")),
    )
    op.create_index("ix_registry_records_object", "registry_records", ["object_type", "object_key"])


def downgrade() -> None:
    op.drop_index("ix_registry_records_object", table_name="registry_records")
    op.drop_table("registry_records")
