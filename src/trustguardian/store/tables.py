"""Table definitions: the schema Alembic migrations must match."""

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
    MetaData,
    String,
    Table,
    Text,
    false,
)

from trustguardian.store.types import UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

KEY = 64

purposes = Table(
    "purposes",
    metadata,
    Column("key", String(KEY), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("current_version", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

purpose_versions = Table(
    "purpose_versions",
    metadata,
    Column("purpose_key", String(KEY), ForeignKey("purposes.key"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=False),
    Column("legal_basis", String(32), nullable=False),
    Column("channels", JSON, nullable=False),
    Column("controller", String(200), nullable=False),
    Column("retention_days", Integer, nullable=False),
    Column("consent_lifetime_days", Integer, nullable=True),
    Column("marketing", Boolean, nullable=False),
    Column("analogous_products", Boolean, nullable=False, server_default=false()),
    Column("created_at", UTCDateTime, nullable=False),
)

notices = Table(
    "notices",
    metadata,
    Column("key", String(KEY), primary_key=True),
    Column("language", String(16), nullable=False),
    Column("title", String(200), nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

notice_versions = Table(
    "notice_versions",
    metadata,
    Column("notice_key", String(KEY), ForeignKey("notices.key"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("text", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("effective_from", UTCDateTime, nullable=False),
    Column("published_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
)

touchpoints = Table(
    "touchpoints",
    metadata,
    Column("key", String(KEY), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("nature", String(16), nullable=False),
    Column("owner", String(200), nullable=False),
    Column("systems", JSON, nullable=False),
    Column("notice_key", String(KEY), ForeignKey("notices.key"), nullable=True),
    Column("required_proofs", JSON, nullable=False),
    Column("status", String(16), nullable=False),
    Column("description", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

touchpoint_purposes = Table(
    "touchpoint_purposes",
    metadata,
    Column("touchpoint_key", String(KEY), ForeignKey("touchpoints.key"), primary_key=True),
    Column("purpose_key", String(KEY), ForeignKey("purposes.key"), primary_key=True),
    Column("position", Integer, nullable=False),
)

subjects = Table(
    "subjects",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("shredded_at", UTCDateTime, nullable=True),
)
# The few erased subjects: a check tells one apart without reading each subject's row.
Index(
    "ix_subjects_shredded",
    subjects.c.id,
    sqlite_where=subjects.c.shredded_at.is_not(None),
    postgresql_where=subjects.c.shredded_at.is_not(None),
)

# Deleting a subject's row here is crypto-shredding: without it nothing sealed can be opened.
subject_keys = Table(
    "subject_keys",
    metadata,
    Column("subject_id", String(40), ForeignKey("subjects.id"), primary_key=True),
    Column("wrapped", LargeBinary, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

# The blind index: a keyed hash finds the subject; the value itself is sealed with its key.
# Rows outlive erasure, so the keyed hash keeps the person on the suppression list.
subject_identifiers = Table(
    "subject_identifiers",
    metadata,
    Column("blind", String(64), primary_key=True),
    Column("subject_id", String(40), ForeignKey("subjects.id"), nullable=False),
    Column("kind", String(80), nullable=False),
    Column("sealed", LargeBinary, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
)
# Covering indexes for checks (store.batch_reads): a keyed hash finds its subject, and a subject
# its identifiers, from the index alone, without a second lookup of the table's row.
Index(
    "ix_subject_identifiers_blind_owner",
    subject_identifiers.c.blind,
    subject_identifiers.c.subject_id,
    subject_identifiers.c.kind,
)
Index(
    "ix_subject_identifiers_subject",
    subject_identifiers.c.subject_id,
    subject_identifiers.c.blind,
    subject_identifiers.c.kind,
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(24), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("secret_sha256", String(64), nullable=False),
    Column("scopes", JSON, nullable=False),
    Column("touchpoint_key", String(KEY), ForeignKey("touchpoints.key"), nullable=True),
    Column("system_key", String(KEY), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
)

Index("ix_touchpoint_purposes_purpose", touchpoint_purposes.c.purpose_key)

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
    Column("request_sha256", String(64), nullable=False),
    Column("event_ids", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

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
)

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
)
Index("ix_opposition_entries_blind", opposition_entries.c.blind)

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
)
Index("ix_link_tokens_subject_id", link_tokens.c.subject_id)


# --- accountability: census findings and trusted time of checkpoints ------------------------------

# What the census found on a touchpoint; a finding stays open until an examination no longer
# finds it, so its history (first found, resolved) is the evidence that risks were handled.
findings = Table(
    "findings",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("touchpoint_key", String(KEY), ForeignKey("touchpoints.key"), nullable=False),
    Column("rule", String(40), nullable=False),
    Column("target", String(KEY), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("message", Text, nullable=False),
    Column("fix", Text, nullable=False),
    Column("first_found_at", UTCDateTime, nullable=False),
    Column("last_found_at", UTCDateTime, nullable=False),
    Column("resolved_at", UTCDateTime, nullable=True),
)
Index("ix_findings_touchpoint_open", findings.c.touchpoint_key, findings.c.resolved_at)

# The latest examination of each touchpoint (a touchpoint with none was never examined).
examinations = Table(
    "examinations",
    metadata,
    Column("touchpoint_key", String(KEY), ForeignKey("touchpoints.key"), primary_key=True),
    Column("examined_at", UTCDateTime, nullable=False),
    Column("open_high", Integer, nullable=False),
)

# RFC 3161 time-stamp tokens over a checkpoint's signed note, from the configured authority.
checkpoint_timestamps = Table(
    "checkpoint_timestamps",
    metadata,
    Column(
        "tree_size",
        BigInteger,
        ForeignKey("checkpoints.tree_size"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("token", LargeBinary, nullable=False),
    Column("tsa_url", String(2000), nullable=False),
    Column("gen_time", UTCDateTime, nullable=False),
    Column("stamped_at", UTCDateTime, nullable=False),
)

# --- collect: confirmation (double opt-in, OTP), publishable keys ------------------------------

# How a collect touchpoint confirms the consents it takes; no row means no confirmation.
collect_settings = Table(
    "collect_settings",
    metadata,
    Column("touchpoint_key", String(KEY), ForeignKey("touchpoints.key"), primary_key=True),
    Column("confirmation", String(16), nullable=False),
    Column("confirm_within_minutes", Integer, nullable=False),
    Column("otp_max_attempts", Integer, nullable=False),
    Column("language", String(8), nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# One confirmation request per subject and submission: the address is sealed with the subject's
# key, an OTP code is kept only as a keyed hash, and failed attempts are counted.
confirmations = Table(
    "confirmations",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("token_id", String(40), nullable=False, unique=True),
    Column("subject_id", String(40), ForeignKey("subjects.id"), nullable=False, index=True),
    Column("touchpoint_key", String(KEY), nullable=False),
    Column("method", String(16), nullable=False),
    Column("event_ids", JSON, nullable=False),
    Column("recipient_sealed", LargeBinary, nullable=False),
    Column("code_mac", String(64), nullable=True),
    Column("attempts", Integer, nullable=False),
    Column("max_attempts", Integer, nullable=False),
    Column("language", String(8), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime, nullable=True),
    Column("message_id", String(200), nullable=True),
    Column("send_error", Text, nullable=True),
    Column("confirmed_at", UTCDateTime, nullable=True),
    Column("confirmed_event_ids", JSON, nullable=True),
)

# Keys a web page may embed: write-only, one touchpoint, from configured origins, rate-limited.
publishable_keys = Table(
    "publishable_keys",
    metadata,
    Column("id", String(24), primary_key=True),
    Column("key_sha256", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("touchpoint_key", String(KEY), ForeignKey("touchpoints.key"), nullable=False),
    Column("origins", JSON, nullable=False),
    Column("rate_per_minute", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
)

# --- right touchpoints: rights requests, verification codes, complaints, purpose flags -----------

# Personal data (the person's own words, the reasons told to them, outcomes) is sealed with the
# subject's key, so erasure leaves only pseudonymous ids, dates and statuses here.
rights_requests = Table(
    "rights_requests",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("status", String(16), nullable=False),
    Column("subject_id", String(40), ForeignKey("subjects.id"), nullable=False),
    Column("touchpoint_key", String(KEY), ForeignKey("touchpoints.key"), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("language", String(8), nullable=False),
    Column("contact_blind", String(64), nullable=True),
    Column("received_at", UTCDateTime, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("due_at", UTCDateTime, nullable=False),
    Column("extended_at", UTCDateTime, nullable=True),
    Column("extension_sealed", LargeBinary, nullable=True),
    Column("extension_message_id", String(200), nullable=True),
    Column("answer_message_id", String(200), nullable=True),
    Column("details_sealed", LargeBinary, nullable=True),
    Column("outcome_sealed", LargeBinary, nullable=True),
    Column("handler", String(200), nullable=True),
    Column("closed_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
Index("ix_rights_requests_status_due", rights_requests.c.status, rights_requests.c.due_at)
Index("ix_rights_requests_subject", rights_requests.c.subject_id)

# Each step of a request and the ledger event that proves it.
rights_request_steps = Table(
    "rights_request_steps",
    metadata,
    Column("request_id", String(40), ForeignKey("rights_requests.id"), primary_key=True),
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("status", String(16), nullable=False),
    Column("event_id", String(40), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("at", UTCDateTime, nullable=False),
)

# Identity verification codes: only a keyed hash is kept; attempts are counted.
verification_codes = Table(
    "verification_codes",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("request_id", String(40), ForeignKey("rights_requests.id"), nullable=False),
    Column("code_hash", String(64), nullable=False),
    Column("method", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("sent_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime, nullable=True),
)
Index("ix_verification_codes_request", verification_codes.c.request_id)

complaints = Table(
    "complaints",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("subject_id", String(40), ForeignKey("subjects.id"), nullable=False),
    Column("touchpoint_key", String(KEY), ForeignKey("touchpoints.key"), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("about_event_id", String(40), nullable=True),
    Column("status", String(16), nullable=False),
    Column("handler", String(200), nullable=True),
    Column("received_at", UTCDateTime, nullable=False),
    Column("summary_sealed", LargeBinary, nullable=True),
    Column("outcome_sealed", LargeBinary, nullable=True),
    Column("closed_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
Index("ix_complaints_subject", complaints.c.subject_id)

complaint_steps = Table(
    "complaint_steps",
    metadata,
    Column("complaint_id", String(40), ForeignKey("complaints.id"), primary_key=True),
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("status", String(16), nullable=False),
    Column("event_id", String(40), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("at", UTCDateTime, nullable=False),
)

# Files sealed with the subject's key (name and media type included): erasure makes them noise.
complaint_attachments = Table(
    "complaint_attachments",
    metadata,
    Column("complaint_id", String(40), ForeignKey("complaints.id"), primary_key=True),
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("size", Integer, nullable=False),
    Column("sealed", LargeBinary, nullable=False),
    Column("event_id", String(40), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

# Purposes that sell or share personal data: a `Sec-GPC: 1` browser signal objects to them.
purpose_flags = Table(
    "purpose_flags",
    metadata,
    Column("purpose_key", String(KEY), ForeignKey("purposes.key"), primary_key=True),
    Column("sale_sharing", Boolean, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# --- production: key rotation --------------------------------------------------------------------

# Every key that ever signed checkpoints (public halves only), with the tree sizes it may sign:
# old checkpoints stay verifiable after a rotation, and anyone can see which key was valid when.
signing_keys = Table(
    "signing_keys",
    metadata,
    Column("key_hash", String(8), primary_key=True),
    Column("verifier_key", Text, nullable=False),
    Column("from_tree_size", BigInteger, nullable=False),
    Column("until_tree_size", BigInteger, nullable=True),
    Column("activated_at", UTCDateTime, nullable=False),
    Column("retired_at", UTCDateTime, nullable=True),
    # The previous key's signed note introducing this one: a verifier holding only the first
    # public key can follow the chain to the current one.
    Column("endorsement", Text, nullable=True),
)

# --- the web console: admin users, their sessions, the log of who viewed whose data ---------------

admin_users = Table(
    "admin_users",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("username", String(80), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("role", String(16), nullable=False),
    Column("failed_logins", Integer, nullable=False),
    Column("locked_until", UTCDateTime, nullable=True),
    Column("disabled_at", UTCDateTime, nullable=True),
    Column("last_login_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
)

# Only the SHA-256 of a session token is stored: a copy of the database opens no session.
admin_sessions = Table(
    "admin_sessions",
    metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("user_id", String(40), ForeignKey("admin_users.id"), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
)

# Every look at a person's data through the console (GDPR accountability: who, when, whom).
subject_access_log = Table(
    "subject_access_log",
    metadata,
    Column("id", String(40), primary_key=True),
    # None when the reader is an API key or the command line; `username` then names it.
    Column("user_id", String(40), ForeignKey("admin_users.id"), nullable=True),
    Column("username", String(80), nullable=False),
    Column("subject_id", String(40), nullable=False, index=True),
    Column("what", String(80), nullable=False),
    Column("at", UTCDateTime, nullable=False, index=True),
)

# The outcome of each full verification, so the dashboard can say when the ledger last verified.
ledger_verifications = Table(
    "ledger_verifications",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("verified_at", UTCDateTime, nullable=False, index=True),
    Column("tree_size", BigInteger, nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("problems", Integer, nullable=False),
    Column("by", String(80), nullable=False),
)

# --- the web console's work queues: who handles which rights request ------------------------------

# The console user a rights request is assigned to (one at a time; reassigning replaces the row).
request_assignments = Table(
    "request_assignments",
    metadata,
    Column("request_id", String(40), ForeignKey("rights_requests.id"), primary_key=True),
    Column("user_id", String(40), ForeignKey("admin_users.id"), nullable=False, index=True),
    Column("assigned_by", String(80), nullable=False),
    Column("assigned_at", UTCDateTime, nullable=False),
)
