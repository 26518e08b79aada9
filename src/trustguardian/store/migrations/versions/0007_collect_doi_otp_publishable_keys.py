"""collect: double opt-in, OTP, publishable keys

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 07:01:15.416465
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "confirmations",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("token_id", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.String(length=40), nullable=False),
        sa.Column("touchpoint_key", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("event_ids", sa.JSON(), nullable=False),
        sa.Column("recipient_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("code_mac", sa.String(length=64), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_id", sa.String(length=200), nullable=True),
        sa.Column("send_error", sa.Text(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmed_event_ids", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_confirmations_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_confirmations")),
        sa.UniqueConstraint("token_id", name=op.f("uq_confirmations_token_id")),
    )
    with op.batch_alter_table("confirmations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_confirmations_subject_id"), ["subject_id"], unique=False
        )

    op.create_table(
        "collect_settings",
        sa.Column("touchpoint_key", sa.String(length=64), nullable=False),
        sa.Column("confirmation", sa.String(length=16), nullable=False),
        sa.Column("confirm_within_minutes", sa.Integer(), nullable=False),
        sa.Column("otp_max_attempts", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["touchpoint_key"],
            ["touchpoints.key"],
            name=op.f("fk_collect_settings_touchpoint_key_touchpoints"),
        ),
        sa.PrimaryKeyConstraint("touchpoint_key", name=op.f("pk_collect_settings")),
    )
    op.create_table(
        "publishable_keys",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("key_sha256", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("touchpoint_key", sa.String(length=64), nullable=False),
        sa.Column("origins", sa.JSON(), nullable=False),
        sa.Column("rate_per_minute", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["touchpoint_key"],
            ["touchpoints.key"],
            name=op.f("fk_publishable_keys_touchpoint_key_touchpoints"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publishable_keys")),
        sa.UniqueConstraint("key_sha256", name=op.f("uq_publishable_keys_key_sha256")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("confirm_by", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("confirm_by")

    op.drop_table("publishable_keys")
    op.drop_table("collect_settings")
    with op.batch_alter_table("confirmations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_confirmations_subject_id"))

    op.drop_table("confirmations")
