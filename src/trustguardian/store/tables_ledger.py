"""Tables of privacy events, their proofs and evidence files, the ledger's tree and checkpoints,
and consent state (see store.tables).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
)

from trustguardian.store.tables_core import KEY, metadata
from trustguardian.store.types import UTCDateTime

# --- privacy events and the ledger -------------------------------------------------------------

# One row per event; `leaf` is the exact RFC 8785 envelope hashed into the tree. The other
# columns are derived from it for queries, and `trustguardian verify` checks they agree.
events = Table(
    "events",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("id", String(40), nullable=False, unique=True),
    Column("kind", String(40), nullable=False),
    Column("touchpoint_key", String(KEY), ForeignKey("touchpoints.key"), nullable=False),
    Column("subject_id", String(40), ForeignKey("subjects.id"), nullable=False),
    Column("identifiers", JSON, nullable=False),
    Column("purpose_key", String(KEY), ForeignKey("purposes.key"), nullable=True),
    Column("purpose_version", Integer, nullable=True),
    Column("channels", JSON, nullable=False),
    Column("notice_key", String(KEY), ForeignKey("notices.key"), nullable=True),
    Column("notice_version", Integer, nullable=True),
    Column("notice_sha256", String(64), nullable=True),
    Column("occurred_at", UTCDateTime, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("corrects", String(40), nullable=True),
    Column("data_commitment", String(64), nullable=True),
    Column("data_sealed", LargeBinary, nullable=True),
    Column("campaign", String(200), nullable=True),
    Column("check_id", String(40), nullable=True),
    Column("leaf", LargeBinary, nullable=False),
    Column("confirm_by", UTCDateTime, nullable=True),  # collect: awaiting confirmation until
    Column("confirms", String(40), nullable=True),  # consent.confirmed: the consent it confirms
    # A correction of another touchpoint's event: the admin key or console user, and why.
    Column("correction_by", String(200), nullable=True),
    Column("correction_reason", String(500), nullable=True),
)
Index("ix_events_subject_seq", events.c.subject_id, events.c.seq)
Index("ix_events_touchpoint_seq", events.c.touchpoint_key, events.c.seq)

# A proof's content lives sealed with the subject's key (salt included, so that after erasure
# the commitment in the leaf can no longer be tested against guesses).
event_proofs = Table(
    "event_proofs",
    metadata,
    Column("event_seq", BigInteger, ForeignKey("events.seq"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("type", String(32), nullable=False),
    Column("commitment", String(64), nullable=False),
    Column("sealed", LargeBinary, nullable=False),
    Column("blob_address", String(64), nullable=True),
    # A confirmation proof this instance did not witness: the system that claims it.
    Column("claimed_by", String(200), nullable=True),
)

evidence_blobs = Table(
    "evidence_blobs",
    metadata,
    Column("subject_id", String(40), ForeignKey("subjects.id"), primary_key=True),
    Column("address", String(64), primary_key=True),
    Column("media_type", String(100), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sealed", LargeBinary, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

# The registry's changes (a notice version published, a purpose revised, a key revoked, ...) are
# ledger leaves too, sharing the one tree and the one sequencer with the events: a leaf index
# belongs to exactly one event or one record. `content` is the RFC 8785 text of what the change
# commits to, `leaf` the exact bytes hashed into the tree (ledger.records).
registry_records = Table(
    "registry_records",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("kind", String(80), nullable=False),
    Column("object_type", String(40), nullable=False),
    Column("object_key", String(300), nullable=False),
    Column("content", Text, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("leaf", LargeBinary, nullable=False),
)
Index("ix_registry_records_object", registry_records.c.object_type, registry_records.c.object_key)

# Complete subtrees only: they never change once complete, so proofs read O(log n) rows.
tree_nodes = Table(
    "tree_nodes",
    metadata,
    Column("level", Integer, primary_key=True, autoincrement=False),
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary, nullable=False),
)

# The sequencer: every append locks this one row, so sequence numbers are dense and ordered.
ledger_head = Table(
    "ledger_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("size", BigInteger, nullable=False),
)

checkpoints = Table(
    "checkpoints",
    metadata,
    Column("tree_size", BigInteger, primary_key=True, autoincrement=False),
    Column("root_hash", LargeBinary, nullable=False),
    Column("note", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

# Witnesses' cosignatures (c2sp.org/tlog-cosignature) of checkpoints: one line per witness key
# (its name and key ID) per checkpoint, as the witness returned it; `stored_at` is when the log
# stored it (the cosigning latency is stored_at minus the checkpoint's created_at).
checkpoint_cosignatures = Table(
    "checkpoint_cosignatures",
    metadata,
    Column(
        "tree_size",
        BigInteger,
        ForeignKey("checkpoints.tree_size"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("witness", String(300), primary_key=True),
    Column("line", Text, nullable=False),
    Column("stored_at", UTCDateTime, nullable=False),
)

consent_states = Table(
    "consent_states",
    metadata,
    Column("subject_id", String(40), ForeignKey("subjects.id"), primary_key=True),
    Column("purpose_key", String(KEY), ForeignKey("purposes.key"), primary_key=True),
    Column("channel", String(32), primary_key=True),
    Column("status", String(32), nullable=False),
    Column("since", UTCDateTime, nullable=False),
    Column("event_id", String(40), nullable=False),
    Column("event_seq", BigInteger, nullable=False),
    Column("purpose_version", Integer, nullable=False),
    Column("notice_key", String(KEY), nullable=True),
    Column("notice_version", Integer, nullable=True),
    Column("expires_at", UTCDateTime, nullable=True),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("scope", String(80), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("request_sha256", String(80), nullable=False),  # tagged: service/fingerprints.py
    Column("event_ids", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)
