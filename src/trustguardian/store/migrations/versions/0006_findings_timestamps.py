"""findings, examinations and checkpoint timestamps

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 07:00:11.978455
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "checkpoint_timestamps",
        sa.Column("tree_size", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("token", sa.LargeBinary(), nullable=False),
        sa.Column("tsa_url", sa.String(length=2000), nullable=False),
        sa.Column("gen_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stamped_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tree_size"],
            ["checkpoints.tree_size"],
            name=op.f("fk_checkpoint_timestamps_tree_size_checkpoints"),
        ),
        sa.PrimaryKeyConstraint("tree_size", name=op.f("pk_checkpoint_timestamps")),
    )
    op.create_table(
        "examinations",
        sa.Column("touchpoint_key", sa.String(length=64), nullable=False),
        sa.Column("examined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("open_high", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["touchpoint_key"],
            ["touchpoints.key"],
            name=op.f("fk_examinations_touchpoint_key_touchpoints"),
        ),
        sa.PrimaryKeyConstraint("touchpoint_key", name=op.f("pk_examinations")),
    )
    op.create_table(
        "findings",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("touchpoint_key", sa.String(length=64), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("fix", sa.Text(), nullable=False),
        sa.Column("first_found_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_found_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["touchpoint_key"],
            ["touchpoints.key"],
            name=op.f("fk_findings_touchpoint_key_touchpoints"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_findings")),
    )
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_findings_touchpoint_open", ["touchpoint_key", "resolved_at"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.drop_index("ix_findings_touchpoint_open")

    op.drop_table("findings")
    op.drop_table("examinations")
    op.drop_table("checkpoint_timestamps")
