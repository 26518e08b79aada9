"""link touchpoint: a link token names the touchpoint it was minted for

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

# A key bound to a touchpoint may revoke only the links minted for its touchpoint. Links minted
# before this revision keep no touchpoint (the signed token holds it, the row never did): only an
# unbound key may revoke them. Adding a nullable column rewrites no row on either backend.


def upgrade() -> None:
    with op.batch_alter_table("link_tokens") as batch:
        batch.add_column(sa.Column("touchpoint_key", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("link_tokens") as batch:
        batch.drop_column("touchpoint_key")
