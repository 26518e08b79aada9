"""what a leaf now says: the consent a confirmation confirms, whose claim a proof is, and why a
correction crossed touchpoints

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

# Every new column is nullable and empty on the rows already there: their leaves do not carry
# the new keys, and a leaf carries each key only when its column holds a value, so every leaf
# written before this revision keeps its bytes and still verifies. Adding a nullable column
# without a default, and dropping one, is a change of the catalogue on PostgreSQL and a plain
# ALTER TABLE on SQLite (3.35 and later): no table is copied, and `events`, which other tables
# reference, is never recreated (a copy would break their foreign keys on SQLite).

COLUMNS = (
    # consent.confirmed: the pending consent.given it confirms.
    ("events", sa.Column("confirms", sa.String(length=40), nullable=True)),
    # A correction of another touchpoint's event: who made it (an admin key, a console user,
    # the command line) and the reason they gave.
    ("events", sa.Column("correction_by", sa.String(length=200), nullable=True)),
    ("events", sa.Column("correction_reason", sa.String(length=500), nullable=True)),
    # A confirmation proof this instance did not witness: the system that claims it.
    ("event_proofs", sa.Column("claimed_by", sa.String(length=200), nullable=True)),
    # The external system that confirms the touchpoint's consents, when not this instance.
    ("collect_settings", sa.Column("confirmed_by", sa.String(length=80), nullable=True)),
)


def upgrade() -> None:
    for table, column in COLUMNS:
        op.add_column(table, column)


def downgrade() -> None:
    for table, column in reversed(COLUMNS):
        op.drop_column(table, column.name)
