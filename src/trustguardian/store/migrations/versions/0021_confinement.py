"""confinement: link tokens name their touchpoint; operator page sessions; pending intakes

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

# A key bound to a touchpoint may revoke only the links minted for its touchpoint. Links minted
# before this revision keep no touchpoint (the signed token holds it, the row never did): only an
# unbound key may revoke them. Adding a nullable column rewrites no row on either backend.
#
# The operator page kept the raw API key in its cookie; from here on the cookie holds a random
# session id whose SHA-256 maps to the key. Cookies set before simply sign the operator out.
#
# The public rights form keeps a submission as a sealed pending intake until the person proves
# the address or number; only then are the subject, the request and its events recorded.


def upgrade() -> None:
    with op.batch_alter_table("link_tokens") as batch:
        batch.add_column(sa.Column("touchpoint_key", sa.String(64), nullable=True))
    op.create_table(
        "operator_sessions",
        sa.Column("token_sha256", sa.String(64), primary_key=True),
        sa.Column("key_id", sa.String(24), sa.ForeignKey("api_keys.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_operator_sessions_key_id", "operator_sessions", ["key_id"])
    op.create_table(
        "pending_intakes",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("recipient_blind", sa.String(64), nullable=False),
        sa.Column("client_blind", sa.String(64), nullable=False),
        sa.Column("method", sa.String(8), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=True),
        sa.Column("code_mac", sa.String(64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("request_id", sa.String(40), nullable=True),
    )
    for name, column in (("recipient", "recipient_blind"), ("client", "client_blind")):
        op.create_index(f"ix_pending_intakes_{name}", "pending_intakes", [column, "created_at"])
    op.create_index("ix_pending_intakes_created", "pending_intakes", ["created_at"])


def downgrade() -> None:
    op.drop_table("pending_intakes")
    op.drop_index("ix_operator_sessions_key_id", table_name="operator_sessions")
    op.drop_table("operator_sessions")
    with op.batch_alter_table("link_tokens") as batch:
        batch.drop_column("touchpoint_key")
