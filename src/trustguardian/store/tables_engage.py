"""Engage tables: checks, contacts, contact policies, suppression, opposition registers, link
tokens (see store.tables).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
)

from trustguardian.store.tables_core import KEY, metadata
from trustguardian.store.types import UTCDateTime

# --- engage: checks, contacts, policies, suppression and opposition registers --------------------

checks = Table(
    "checks",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("subject_id", String(40), nullable=True, index=True),
    Column("purpose_key", String(KEY), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("moment", UTCDateTime, nullable=False),
    Column("allowed", Boolean, nullable=False),
    Column("reason", String(40), nullable=False),
    Column("event_id", String(40), nullable=True),
    Column("checked_at", UTCDateTime, nullable=False),
    # Set when a batch seals the row (store.batches): the ledger record, position, leaf hash.
    Column("sealed_seq", BigInteger, nullable=True),
    Column("sealed_position", Integer, nullable=True),
    Column("sealed_hash", LargeBinary, nullable=True),
)
Index("ix_checks_sealed", checks.c.sealed_seq, checks.c.sealed_position)

# Derived from contact.made events in the same transaction, for frequency caps.
contacts = Table(
    "contacts",
    metadata,
    Column(
        "event_seq", BigInteger, ForeignKey("events.seq"), primary_key=True, autoincrement=False
    ),
    Column("subject_id", String(40), nullable=False),
    Column("purpose_key", String(KEY), nullable=True),
    Column("channel", String(32), nullable=False),
    Column("touchpoint_key", String(KEY), nullable=False),
    Column("campaign", String(200), nullable=True),
    Column("check_id", String(40), nullable=True),
    Column("occurred_at", UTCDateTime, nullable=False),
    Column("flag", String(40), nullable=True),
)
Index(
    "ix_contacts_subject_channel", contacts.c.subject_id, contacts.c.channel, contacts.c.occurred_at
)
Index("ix_contacts_touchpoint_flag", contacts.c.touchpoint_key, contacts.c.flag)

contact_policies = Table(
    "contact_policies",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("purpose_key", String(KEY), nullable=True),
    Column("channel", String(32), nullable=True),
    Column("max_contacts", Integer, nullable=True),
    Column("days", Integer, nullable=True),
    Column("window", JSON, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
)

suppression_entries = Table(
    "suppression_entries",
    metadata,
    Column("blind", String(64), primary_key=True),
    Column("reason", String(200), nullable=False),
    Column("added_at", UTCDateTime, nullable=False),
)

opposition_registers = Table(
    "opposition_registers",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("name", String(KEY), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("register_date", Date, nullable=False),
    Column("entries", Integer, nullable=False),
    Column("file_sha256", String(64), nullable=False),
    Column("imported_at", UTCDateTime, nullable=False),
    # A removed import no longer counts from then on; checks of a past moment still see it.
    Column("removed_at", UTCDateTime, nullable=True),
)

# Counters that database triggers move on every change to a part of the schema; a process keeps
# copies of what they cover and reads the counter with each use instead of the rows.
stamps = Table(
    "stamps",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

# Keyed hashes only: the register's numbers are personal data too.
opposition_entries = Table(
    "opposition_entries",
    metadata,
    Column("register_id", String(40), ForeignKey("opposition_registers.id"), primary_key=True),
    Column("blind", String(64), primary_key=True),
    # The register date of the first import, in an unbroken run of imports of this register,
    # that listed the number: a consent given after it prevails over the register.
    Column("first_seen", Date, nullable=True),
)
Index("ix_opposition_entries_blind", opposition_entries.c.blind)

# Suppression entries and contact policies as they were before a removal or a change (the
# current ones stay in their tables, read by every check): checks of a past moment read both.
suppression_history = Table(
    "suppression_history",
    metadata,
    Column("blind", String(64), primary_key=True),
    Column("added_at", UTCDateTime, primary_key=True),
    Column("reason", String(200), nullable=False),
    Column("removed_at", UTCDateTime, nullable=False),
)

contact_policy_history = Table(
    "contact_policy_history",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("purpose_key", String(KEY), nullable=True),
    Column("channel", String(32), nullable=True),
    Column("max_contacts", Integer, nullable=True),
    Column("days", Integer, nullable=True),
    Column("window", JSON, nullable=True),
    Column("created_at", UTCDateTime, primary_key=True),
    Column("removed_at", UTCDateTime, nullable=False),
)

# Links sent to people (confirmation, unsubscribe, preference centre): the signed token holds the
# claims; this row says whether it was used or revoked, so a token works once or until revoked.
link_tokens = Table(
    "link_tokens",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("subject_id", String(40), nullable=True),
    Column("single_use", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=True),
    Column("used_at", UTCDateTime, nullable=True),
    Column("revoked_at", UTCDateTime, nullable=True),
    # The touchpoint a link was minted for, so that its key alone may revoke it (none: a link
    # minted before 0020, or one no touchpoint asked for, such as a confirmation's).
    Column("touchpoint_key", String(KEY), nullable=True),
)
Index("ix_link_tokens_subject_id", link_tokens.c.subject_id)
