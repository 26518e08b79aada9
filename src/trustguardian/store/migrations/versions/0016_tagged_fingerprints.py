"""tagged fingerprints: idempotency fingerprints carry the name of their format

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 09:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

# From this revision on, rights requests, complaints, in-person consents and web forms write
# their fingerprints as `jcs1:` + SHA-256 of RFC 8785 JSON of named fields, 69 characters
# (service/fingerprints.py). The rows already there are left as they are: for these use cases
# an untagged value can only have been written before this revision, and the code recomputes
# that legacy fingerprint from a retry to compare with it (other writers, whose fingerprints
# never depended on a class, go on storing untagged values compared as equal strings).
# Rewriting every row to add a "legacy" tag would say nothing the absence of a tag does not,
# and would rewrite a table that holds a row per keyed event.
#
# Widening a VARCHAR is a change of the catalogue on PostgreSQL (no rewrite); SQLite copies the
# table (batch mode), which holds no triggers to recreate.


def upgrade() -> None:
    with op.batch_alter_table("idempotency_keys") as batch:
        batch.alter_column(
            "request_sha256",
            existing_type=sa.String(length=64),
            type_=sa.String(length=80),
            existing_nullable=False,
        )


def downgrade() -> None:
    # The previous code knows no tag: a tagged value, cut to 64 characters, matches no request
    # it computes, so a retry of such a key after a downgrade is refused as a reused key (a
    # conflict) rather than recorded twice.
    keys = sa.table("idempotency_keys", sa.column("request_sha256", sa.String()))
    op.execute(
        keys.update()
        .where(sa.func.length(keys.c.request_sha256) > 64)
        .values(request_sha256=sa.func.substr(keys.c.request_sha256, 1, 64))
    )
    with op.batch_alter_table("idempotency_keys") as batch:
        batch.alter_column(
            "request_sha256",
            existing_type=sa.String(length=80),
            type_=sa.String(length=64),
            existing_nullable=False,
        )
