"""Tables of imported source files: the file a legacy import read, as committed by its ledger
record (see store.tables).

A source file holds many people, so the file itself is never stored: its header, its shape and
one salted commitment per row are (no personal data), and each row's bytes stay sealed with its
person's key in the `import` proof of the events it produced. `source_row_events` says which
events those are, so the file can be rebuilt from the rows still readable.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Table,
)

from trustguardian.store.tables_core import KEY, metadata
from trustguardian.store.types import UTCDateTime

source_files = Table(
    "source_files",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("file_sha256", String(64), nullable=False, index=True),
    Column("name", String(300), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("encoding", String(40), nullable=False),
    Column("bom", Boolean, nullable=False),
    Column("header", LargeBinary, nullable=False),
    Column("rows", Integer, nullable=False),
    # RFC 9162 Merkle tree hash over the rows' commitments, in file order (hex).
    Column("root", String(64), nullable=False),
    Column("touchpoint_key", String(KEY), nullable=False),
    Column("imported_by", String(200), nullable=False),
    Column("imported_at", UTCDateTime, nullable=False),
)

# One per data record of the file: SHA-256(salt || the record's exact bytes), hex.
source_rows = Table(
    "source_rows",
    metadata,
    Column("source_id", String(40), ForeignKey("source_files.id"), primary_key=True),
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("commitment", String(64), nullable=False),
)

# The events a row produced: their `import` proofs hold the row's salt and sealed bytes.
source_row_events = Table(
    "source_row_events",
    metadata,
    Column("source_id", String(40), ForeignKey("source_files.id"), primary_key=True),
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("event_seq", BigInteger, ForeignKey("events.seq"), primary_key=True),
)

__all__ = ["source_files", "source_row_events", "source_rows"]
