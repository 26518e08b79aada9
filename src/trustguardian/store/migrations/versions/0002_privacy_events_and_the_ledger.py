"""privacy events and the ledger

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 04:30:07.103705
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Creates the event, proof, tree, checkpoint and consent tables and the empty ledger head."""

    op.create_table(
        "checkpoints",
        sa.Column("tree_size", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("root_hash", sa.LargeBinary(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tree_size", name=op.f("pk_checkpoints")),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("scope", sa.String(length=80), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_sha256", sa.String(length=64), nullable=False),
        sa.Column("event_ids", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key", name=op.f("pk_idempotency_keys")),
    )
    op.create_table(
        "ledger_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_head")),
    )
    op.execute("INSERT INTO ledger_head (id, size) VALUES (1, 0)")
    op.create_table(
        "tree_nodes",
        sa.Column("level", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("level", "idx", name=op.f("pk_tree_nodes")),
    )
    op.create_table(
        "consent_states",
        sa.Column("subject_id", sa.String(length=40), nullable=False),
        sa.Column("purpose_key", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.String(length=40), nullable=False),
        sa.Column("event_seq", sa.BigInteger(), nullable=False),
        sa.Column("purpose_version", sa.Integer(), nullable=False),
        sa.Column("notice_key", sa.String(length=64), nullable=True),
        sa.Column("notice_version", sa.Integer(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["purpose_key"], ["purposes.key"], name=op.f("fk_consent_states_purpose_key_purposes")
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_consent_states_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint(
            "subject_id", "purpose_key", "channel", name=op.f("pk_consent_states")
        ),
    )
    op.create_table(
        "evidence_blobs",
        sa.Column("subject_id", sa.String(length=40), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_evidence_blobs_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("subject_id", "address", name=op.f("pk_evidence_blobs")),
    )
    op.create_table(
        "events",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("touchpoint_key", sa.String(length=64), nullable=False),
        sa.Column("subject_id", sa.String(length=40), nullable=False),
        sa.Column("identifiers", sa.JSON(), nullable=False),
        sa.Column("purpose_key", sa.String(length=64), nullable=True),
        sa.Column("purpose_version", sa.Integer(), nullable=True),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("notice_key", sa.String(length=64), nullable=True),
        sa.Column("notice_version", sa.Integer(), nullable=True),
        sa.Column("notice_sha256", sa.String(length=64), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("corrects", sa.String(length=40), nullable=True),
        sa.Column("data_commitment", sa.String(length=64), nullable=True),
        sa.Column("data_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("leaf", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["notice_key"], ["notices.key"], name=op.f("fk_events_notice_key_notices")
        ),
        sa.ForeignKeyConstraint(
            ["purpose_key"], ["purposes.key"], name=op.f("fk_events_purpose_key_purposes")
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_events_subject_id_subjects")
        ),
        sa.ForeignKeyConstraint(
            ["touchpoint_key"],
            ["touchpoints.key"],
            name=op.f("fk_events_touchpoint_key_touchpoints"),
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_events")),
        sa.UniqueConstraint("id", name=op.f("uq_events_id")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_subject_seq", ["subject_id", "seq"], unique=False)
        batch_op.create_index("ix_events_touchpoint_seq", ["touchpoint_key", "seq"], unique=False)

    op.create_table(
        "event_proofs",
        sa.Column("event_seq", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("commitment", sa.String(length=64), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("blob_address", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_seq"], ["events.seq"], name=op.f("fk_event_proofs_event_seq_events")
        ),
        sa.PrimaryKeyConstraint("event_seq", "position", name=op.f("pk_event_proofs")),
    )


def downgrade() -> None:

    op.drop_table("event_proofs")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_touchpoint_seq")
        batch_op.drop_index("ix_events_subject_seq")

    op.drop_table("events")
    op.drop_table("evidence_blobs")
    op.drop_table("consent_states")
    op.drop_table("tree_nodes")
    op.drop_table("ledger_head")
    op.drop_table("idempotency_keys")
    op.drop_table("checkpoints")
