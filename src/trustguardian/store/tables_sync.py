"""Tables for keeping company systems in sync: systems, webhooks, the outbox and deliveries
(see store.tables).
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

# --- keeping company systems in sync -------------------------------------------------------------

systems = Table(
    "systems",
    metadata,
    Column("key", String(KEY), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("identifier_kinds", JSON, nullable=False),
    Column("mapping", JSON, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

webhooks = Table(
    "webhooks",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("system_key", String(KEY), ForeignKey("systems.key"), nullable=False),
    Column("url", String(2000), nullable=False),
    Column("event_kinds", JSON, nullable=False),
    Column("purposes", JSON, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

# Secrets must be readable to sign, so they are sealed with a key derived from the master key.
webhook_secrets = Table(
    "webhook_secrets",
    metadata,
    Column("webhook_id", String(40), ForeignKey("webhooks.id"), primary_key=True),
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("sealed", LargeBinary, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=True),
)

# Written in the same transaction as the event: what the dispatcher must deliver.
outbox = Table(
    "outbox",
    metadata,
    Column("seq", BigInteger, ForeignKey("events.seq"), primary_key=True, autoincrement=False),
    Column("event_id", String(40), nullable=False),
    Column("subject_id", String(40), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("purpose_key", String(KEY), nullable=True),
    Column("source_system", String(KEY), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
)

# What a `subject.erased` tells each system: the identifiers it knows the person by, sealed under
# a key derived from the master key, kept only until every active webhook of the system has
# delivered it or given up (then deleted: nothing readable stays once the subject's key is gone).
erasure_notices = Table(
    "erasure_notices",
    metadata,
    Column("seq", BigInteger, ForeignKey("outbox.seq"), primary_key=True, autoincrement=False),
    Column("system_key", String(KEY), ForeignKey("systems.key"), primary_key=True),
    Column("sealed", LargeBinary, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

# How far each destination has taken work from the outbox, and who holds it right now.
sync_positions = Table(
    "sync_positions",
    metadata,
    Column("destination", String(80), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("lease_owner", String(80), nullable=True),
    Column("lease_until", UTCDateTime, nullable=True),
    Column("updated_at", UTCDateTime, nullable=False),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("destination", String(80), primary_key=True),
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("subject_id", String(40), nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UTCDateTime, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("delivered_at", UTCDateTime, nullable=True),
    Column("updated_at", UTCDateTime, nullable=False),
)
Index("ix_deliveries_open", deliveries.c.destination, deliveries.c.status, deliveries.c.seq)
Index("ix_deliveries_subject", deliveries.c.subject_id, deliveries.c.seq)
