"""reports: the register fields of purposes

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

# The art. 30 register needs, per purpose version, the named third parties it goes to, the
# transfers outside the EEA with their safeguard, the categories of data and of data subjects
# and how retention is counted. Versions written before hold NULL there: nothing was stated,
# and the register says so. Added columns only, so PostgreSQL changes no row and SQLite needs
# no table copy.
PURPOSE_COLUMNS = (
    ("recipients", sa.JSON()),
    ("transfers", sa.JSON()),
    ("data_categories", sa.JSON()),
    ("subject_categories", sa.JSON()),
    ("retention", sa.Text()),
)


def upgrade() -> None:
    for name, kind in PURPOSE_COLUMNS:
        op.add_column("purpose_versions", sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("purpose_versions") as batch:
        for name, _ in reversed(PURPOSE_COLUMNS):
            batch.drop_column(name)
