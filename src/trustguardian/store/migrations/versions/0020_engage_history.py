"""engage history: registers' first-seen dates, removed registers, suppression and policy history

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

# Every change here adds a column (SQLite's ALTER TABLE ADD COLUMN, no table rebuild) or a table:
# the registry stamp's triggers on opposition_registers and contact_policies stay in place.


def upgrade() -> None:
    # The date each number was first seen on a register, carried from import to import while the
    # number stays listed: a consent given after that date prevails over the register.
    op.add_column("opposition_entries", sa.Column("first_seen", sa.Date(), nullable=True))
    op.add_column(
        "opposition_registers", sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True)
    )
    _backfill_first_seen()
    # What a suppression entry or a policy was before it was removed or changed: checks of a
    # past moment read the lists as they stood then.
    op.create_table(
        "suppression_history",
        sa.Column("blind", sa.String(length=64), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("blind", "added_at", name=op.f("pk_suppression_history")),
    )
    op.create_table(
        "contact_policy_history",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("purpose_key", sa.String(length=64), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("max_contacts", sa.Integer(), nullable=True),
        sa.Column("days", sa.Integer(), nullable=True),
        sa.Column("window", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", "created_at", name=op.f("pk_contact_policy_history")),
    )


def _backfill_first_seen() -> None:
    """Each entry's first-seen date: its register's date, or, when the previous import of the
    same register listed it too, that entry's own first-seen date (imports taken in order)."""
    bind = op.get_bind()
    registers = bind.execute(
        sa.text(
            "SELECT id, name, kind, register_date FROM opposition_registers"
            " ORDER BY name, kind, imported_at"
        )
    ).all()
    previous: dict[tuple[str, str], str] = {}
    for register_id, name, kind, register_date in registers:
        bind.execute(
            sa.text("UPDATE opposition_entries SET first_seen = :day WHERE register_id = :id"),
            {"day": register_date, "id": register_id},
        )
        before = previous.get((name, kind))
        if before is not None:
            bind.execute(
                sa.text(
                    "UPDATE opposition_entries SET first_seen = ("
                    " SELECT p.first_seen FROM opposition_entries p"
                    " WHERE p.register_id = :before AND p.blind = opposition_entries.blind)"
                    " WHERE register_id = :id AND EXISTS ("
                    " SELECT 1 FROM opposition_entries p"
                    " WHERE p.register_id = :before AND p.blind = opposition_entries.blind)"
                ),
                {"before": before, "id": register_id},
            )
        previous[name, kind] = register_id


def downgrade() -> None:
    op.drop_table("contact_policy_history")
    op.drop_table("suppression_history")
    op.drop_column("opposition_registers", "removed_at")
    op.drop_column("opposition_entries", "first_seen")
