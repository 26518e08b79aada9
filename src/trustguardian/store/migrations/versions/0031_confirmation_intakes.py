"""double opt-in and OTP sign-ups kept as sealed intakes until the person confirms: a
confirmation request may have no subject yet, carries the sealed submission and a keyed hash
of its recipient, and names the events it will record

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07 15:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullability changes need the table copied on SQLite: batch mode does it on both backends.
    with op.batch_alter_table("confirmations", schema=None) as batch_op:
        batch_op.alter_column("subject_id", existing_type=sa.String(40), nullable=True)
        batch_op.alter_column("recipient_sealed", existing_type=sa.LargeBinary(), nullable=True)
        batch_op.add_column(sa.Column("sealed", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("recipient_blind", sa.String(64), nullable=True))
        batch_op.add_column(sa.Column("submission_key", sa.String(240), nullable=True))
        batch_op.create_index(
            "ix_confirmations_recipient", ["recipient_blind", "created_at"], unique=False
        )
        batch_op.create_index("ix_confirmations_created", ["created_at"], unique=False)
        batch_op.create_index(
            "ix_confirmations_submission", ["touchpoint_key", "submission_key"], unique=False
        )
    op.create_table(
        "confirmation_events",
        sa.Column("event_id", sa.String(40), primary_key=True),
        sa.Column("confirmation_id", sa.String(40), nullable=False),
    )
    op.create_index(
        "ix_confirmation_events_confirmation_id", "confirmation_events", ["confirmation_id"]
    )


def downgrade() -> None:
    op.drop_table("confirmation_events")
    # Intakes nobody confirmed have no subject: they cannot survive the older schema.
    op.execute("DELETE FROM confirmations WHERE subject_id IS NULL OR recipient_sealed IS NULL")
    with op.batch_alter_table("confirmations", schema=None) as batch_op:
        batch_op.drop_index("ix_confirmations_submission")
        batch_op.drop_index("ix_confirmations_created")
        batch_op.drop_index("ix_confirmations_recipient")
        for column in ("submission_key", "recipient_blind", "sealed"):
            batch_op.drop_column(column)
        batch_op.alter_column("recipient_sealed", existing_type=sa.LargeBinary(), nullable=False)
        batch_op.alter_column("subject_id", existing_type=sa.String(40), nullable=False)
