"""engage checks contacts policies registers

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 05:10:22.996664
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Adds checks, contacts, contact policies, suppression and opposition registers."""

    op.create_table(
        "checks",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.String(length=40), nullable=True),
        sa.Column("purpose_key", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("moment", sa.DateTime(timezone=True), nullable=False),
        sa.Column("allowed", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("event_id", sa.String(length=40), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checks")),
    )
    with op.batch_alter_table("checks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_checks_subject_id"), ["subject_id"], unique=False)

    op.create_table(
        "contact_policies",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("purpose_key", sa.String(length=64), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("max_contacts", sa.Integer(), nullable=True),
        sa.Column("days", sa.Integer(), nullable=True),
        sa.Column("window", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_policies")),
    )
    op.create_table(
        "opposition_registers",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("register_date", sa.Date(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opposition_registers")),
    )
    op.create_table(
        "suppression_entries",
        sa.Column("blind", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("blind", name=op.f("pk_suppression_entries")),
    )
    op.create_table(
        "opposition_entries",
        sa.Column("register_id", sa.String(length=40), nullable=False),
        sa.Column("blind", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["register_id"],
            ["opposition_registers.id"],
            name=op.f("fk_opposition_entries_register_id_opposition_registers"),
        ),
        sa.PrimaryKeyConstraint("register_id", "blind", name=op.f("pk_opposition_entries")),
    )
    with op.batch_alter_table("opposition_entries", schema=None) as batch_op:
        batch_op.create_index("ix_opposition_entries_blind", ["blind"], unique=False)

    op.create_table(
        "contacts",
        sa.Column("event_seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("subject_id", sa.String(length=40), nullable=False),
        sa.Column("purpose_key", sa.String(length=64), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("touchpoint_key", sa.String(length=64), nullable=False),
        sa.Column("campaign", sa.String(length=200), nullable=True),
        sa.Column("check_id", sa.String(length=40), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("flag", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_seq"], ["events.seq"], name=op.f("fk_contacts_event_seq_events")
        ),
        sa.PrimaryKeyConstraint("event_seq", name=op.f("pk_contacts")),
    )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contacts_subject_channel", ["subject_id", "channel", "occurred_at"], unique=False
        )
        batch_op.create_index(
            "ix_contacts_touchpoint_flag", ["touchpoint_key", "flag"], unique=False
        )

    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("campaign", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("check_id", sa.String(length=40), nullable=True))

    with op.batch_alter_table("purpose_versions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("analogous_products", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:

    with op.batch_alter_table("purpose_versions", schema=None) as batch_op:
        batch_op.drop_column("analogous_products")

    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("check_id")
        batch_op.drop_column("campaign")

    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index("ix_contacts_touchpoint_flag")
        batch_op.drop_index("ix_contacts_subject_channel")

    op.drop_table("contacts")
    with op.batch_alter_table("opposition_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_opposition_entries_blind")

    op.drop_table("opposition_entries")
    op.drop_table("suppression_entries")
    op.drop_table("opposition_registers")
    op.drop_table("contact_policies")
    with op.batch_alter_table("checks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checks_subject_id"))

    op.drop_table("checks")
