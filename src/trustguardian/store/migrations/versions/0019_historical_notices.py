"""historical notice versions: who entered a past version and from which source document

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

# Both columns are NULL for every version published the ordinary way; adding a nullable column
# is a change of the catalogue on both backends (no table copy).


def upgrade() -> None:
    op.add_column("notice_versions", sa.Column("entered_by", sa.String(length=200), nullable=True))
    op.add_column(
        "notice_versions", sa.Column("source_document", sa.String(length=500), nullable=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("notice_versions") as batch:
        batch.drop_column("source_document")
        batch.drop_column("entered_by")
