"""console work queues: rights request assignments

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 08:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "request_assignments",
        sa.Column("request_id", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.String(length=40), nullable=False),
        sa.Column("assigned_by", sa.String(length=80), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["rights_requests.id"],
            name=op.f("fk_request_assignments_request_id_rights_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["admin_users.id"], name=op.f("fk_request_assignments_user_id_admin_users")
        ),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_request_assignments")),
    )
    op.create_index(
        op.f("ix_request_assignments_user_id"), "request_assignments", ["user_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_request_assignments_user_id"), table_name="request_assignments")
    op.drop_table("request_assignments")
