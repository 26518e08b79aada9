"""Tables of legal defence (art. 17(3)(e)): the proofs kept after an erasure, who opened them,
and the legal holds that suspend their destruction (see store.tables).
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Index, LargeBinary, String, Table, Text

from trustguardian.store.tables_core import KEY, metadata
from trustguardian.store.types import UTCDateTime

# One per erased subject whose proofs are kept: the proofs sealed under a data key of their own,
# wrapped under the instance's defence key. Destruction empties `wrapped_key` and `sealed`; the
# row stays, so the ledger's record of the copy still finds what it commits to.
defence_copies = Table(
    "defence_copies",
    metadata,
    Column("subject_id", String(40), ForeignKey("subjects.id"), primary_key=True),
    Column("purposes", JSON, nullable=False),
    Column("events", JSON, nullable=False),  # the event ids whose proofs are kept
    Column("sealed_sha256", String(64), nullable=False),
    Column("retain_until", UTCDateTime, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("wrapped_key", LargeBinary, nullable=True),
    Column("sealed", LargeBinary, nullable=True),
    Column("destroyed_at", UTCDateTime, nullable=True),
)

# Each opening of a defence copy: who, why (the reason in the leaf only as a hash), when.
defence_reads = Table(
    "defence_reads",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("subject_id", String(40), ForeignKey("subjects.id"), nullable=False),
    Column("opened_by", String(200), nullable=False),
    Column("via", String(200), nullable=False),
    Column("reason", Text, nullable=False),
    Column("at", UTCDateTime, nullable=False),
)
Index("ix_defence_reads_subject", defence_reads.c.subject_id)

# A legal hold names a subject or a touchpoint; while it stands, no defence copy it covers is
# destroyed. Released holds stay, with who released them and when.
legal_holds = Table(
    "legal_holds",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("subject_id", String(40), ForeignKey("subjects.id"), nullable=True),
    Column("touchpoint_key", String(KEY), ForeignKey("touchpoints.key"), nullable=True),
    Column("reason", Text, nullable=False),
    Column("placed_by", String(200), nullable=False),
    Column("placed_at", UTCDateTime, nullable=False),
    Column("released_by", String(200), nullable=True),
    Column("released_at", UTCDateTime, nullable=True),
)
