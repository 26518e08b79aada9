"""console single sign-on: a console user may be bound to one identity at an OpenID provider

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 15:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # "<issuer> <subject>": who the provider says signed in; NULL for local accounts.
    with op.batch_alter_table("admin_users") as batch:
        batch.add_column(sa.Column("external_id", sa.String(length=400), nullable=True))
        batch.create_unique_constraint("uq_admin_users_external_id", ["external_id"])


def downgrade() -> None:
    with op.batch_alter_table("admin_users") as batch:
        batch.drop_constraint("uq_admin_users_external_id", type_="unique")
        batch.drop_column("external_id")
