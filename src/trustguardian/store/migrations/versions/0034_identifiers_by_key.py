"""identifiers by key: the keyed hash's primary key holds the owner, its copy index goes

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-07 21:15:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None

# `ix_subject_identifiers_blind_owner` (blind, subject, kind) repeated the primary key so that
# a check read the owner from one index, at the price of a second random insert per identifier.
# The primary key now answers it: on SQLite the table is stored WITHOUT ROWID (its rows live in
# the primary key's own tree), on PostgreSQL the key's index INCLUDEs the owner and kind.
COLUMNS = "blind, subject_id, kind, sealed, created_at"


def _table(name: str, *, with_rowid: bool) -> None:
    op.create_table(
        name,
        sa.Column("blind", sa.String(64), nullable=False),
        sa.Column("subject_id", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(80), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("blind", name="pk_subject_identifiers"),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name="fk_subject_identifiers_subject_id_subjects"
        ),
        sqlite_with_rowid=with_rowid,
    )


def _rebuild_sqlite(*, with_rowid: bool) -> None:
    """SQLite cannot change how a table is stored: a new one takes the rows, then the name."""
    _table("subject_identifiers_0034", with_rowid=with_rowid)
    op.execute(
        f"INSERT INTO subject_identifiers_0034 ({COLUMNS}) "  # noqa: S608 - fixed names
        f"SELECT {COLUMNS} FROM subject_identifiers"
    )
    op.drop_index("ix_subject_identifiers_subject", table_name="subject_identifiers")
    op.drop_table("subject_identifiers")
    op.rename_table("subject_identifiers_0034", "subject_identifiers")
    op.create_index(
        "ix_subject_identifiers_subject", "subject_identifiers", ["subject_id", "blind", "kind"]
    )


def _reshape(*, holds_owner: bool) -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite(with_rowid=not holds_owner)
        return
    include = " INCLUDE (subject_id, kind)" if holds_owner else ""
    op.execute(
        "ALTER TABLE subject_identifiers DROP CONSTRAINT pk_subject_identifiers, "
        f"ADD CONSTRAINT pk_subject_identifiers PRIMARY KEY (blind){include}"
    )


def upgrade() -> None:
    op.drop_index("ix_subject_identifiers_blind_owner", table_name="subject_identifiers")
    _reshape(holds_owner=True)


def downgrade() -> None:
    _reshape(holds_owner=False)
    op.create_index(
        "ix_subject_identifiers_blind_owner",
        "subject_identifiers",
        ["blind", "subject_id", "kind"],
    )
