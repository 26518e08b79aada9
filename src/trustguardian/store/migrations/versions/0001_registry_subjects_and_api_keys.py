"""registry, subjects and api keys

Revision ID: 0001
Revises:
Create Date: 2026-11-29 04:20:18.746853
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "notices",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_notices")),
    )
    op.create_table(
        "purposes",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_purposes")),
    )
    op.create_table(
        "subjects",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("shredded_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subjects")),
    )
    op.create_table(
        "notice_versions",
        sa.Column("notice_key", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("effective_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["notice_key"], ["notices.key"], name=op.f("fk_notice_versions_notice_key_notices")
        ),
        sa.PrimaryKeyConstraint("notice_key", "version", name=op.f("pk_notice_versions")),
    )
    op.create_table(
        "purpose_versions",
        sa.Column("purpose_key", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("legal_basis", sa.String(length=32), nullable=False),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("controller", sa.String(length=200), nullable=False),
        sa.Column("retention_days", sa.Integer(), nullable=False),
        sa.Column("consent_lifetime_days", sa.Integer(), nullable=True),
        sa.Column("marketing", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["purpose_key"], ["purposes.key"], name=op.f("fk_purpose_versions_purpose_key_purposes")
        ),
        sa.PrimaryKeyConstraint("purpose_key", "version", name=op.f("pk_purpose_versions")),
    )
    op.create_table(
        "subject_identifiers",
        sa.Column("blind", sa.String(length=64), nullable=False),
        sa.Column("subject_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=80), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_subject_identifiers_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("blind", name=op.f("pk_subject_identifiers")),
    )
    with op.batch_alter_table("subject_identifiers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_subject_identifiers_subject_id"), ["subject_id"], unique=False
        )

    op.create_table(
        "subject_keys",
        sa.Column("subject_id", sa.String(length=40), nullable=False),
        sa.Column("wrapped", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_subject_keys_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("subject_id", name=op.f("pk_subject_keys")),
    )
    op.create_table(
        "touchpoints",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("nature", sa.String(length=16), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("systems", sa.JSON(), nullable=False),
        sa.Column("notice_key", sa.String(length=64), nullable=True),
        sa.Column("required_proofs", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["notice_key"], ["notices.key"], name=op.f("fk_touchpoints_notice_key_notices")
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_touchpoints")),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("secret_sha256", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("touchpoint_key", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["touchpoint_key"],
            ["touchpoints.key"],
            name=op.f("fk_api_keys_touchpoint_key_touchpoints"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
    )
    op.create_table(
        "touchpoint_purposes",
        sa.Column("touchpoint_key", sa.String(length=64), nullable=False),
        sa.Column("purpose_key", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["purpose_key"],
            ["purposes.key"],
            name=op.f("fk_touchpoint_purposes_purpose_key_purposes"),
        ),
        sa.ForeignKeyConstraint(
            ["touchpoint_key"],
            ["touchpoints.key"],
            name=op.f("fk_touchpoint_purposes_touchpoint_key_touchpoints"),
        ),
        sa.PrimaryKeyConstraint(
            "touchpoint_key", "purpose_key", name=op.f("pk_touchpoint_purposes")
        ),
    )
    with op.batch_alter_table("touchpoint_purposes", schema=None) as batch_op:
        batch_op.create_index("ix_touchpoint_purposes_purpose", ["purpose_key"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("touchpoint_purposes", schema=None) as batch_op:
        batch_op.drop_index("ix_touchpoint_purposes_purpose")

    op.drop_table("touchpoint_purposes")
    op.drop_table("api_keys")
    op.drop_table("touchpoints")
    op.drop_table("subject_keys")
    with op.batch_alter_table("subject_identifiers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subject_identifiers_subject_id"))

    op.drop_table("subject_identifiers")
    op.drop_table("purpose_versions")
    op.drop_table("notice_versions")
    op.drop_table("subjects")
    op.drop_table("purposes")
    op.drop_table("notices")
