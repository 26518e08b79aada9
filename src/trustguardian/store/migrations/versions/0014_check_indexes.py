"""check indexes: covering indexes of identifiers by keyed hash and by subject, erased subjects

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29 13:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# Checking a list of millions probes these at random, row after row: an index that holds the
# columns a check reads spares a second lookup, of the table's row, per probe.
SHREDDED = sa.text("shredded_at IS NOT NULL")


def upgrade() -> None:
    op.create_index(
        "ix_subject_identifiers_blind_owner",
        "subject_identifiers",
        ["blind", "subject_id", "kind"],
    )
    # Serves every lookup by subject the narrower index served.
    op.create_index(
        "ix_subject_identifiers_subject", "subject_identifiers", ["subject_id", "blind", "kind"]
    )
    op.drop_index("ix_subject_identifiers_subject_id", table_name="subject_identifiers")
    op.create_index(
        "ix_subjects_shredded",
        "subjects",
        ["id"],
        sqlite_where=SHREDDED,
        postgresql_where=SHREDDED,
    )


def downgrade() -> None:
    op.drop_index("ix_subjects_shredded", table_name="subjects")
    op.create_index(
        "ix_subject_identifiers_subject_id", "subject_identifiers", ["subject_id"], unique=False
    )
    op.drop_index("ix_subject_identifiers_subject", table_name="subject_identifiers")
    op.drop_index("ix_subject_identifiers_blind_owner", table_name="subject_identifiers")
