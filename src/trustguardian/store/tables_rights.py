"""Tables of accountability, of collect (confirmations, publishable keys) and of right
touchpoints (rights requests, verification codes, complaints, purpose flags; see store.tables).
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
    Text,
)

from trustguardian.store.tables_core import KEY, metadata
from trustguardian.store.types import UTCDateTime

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

# When the time-stamping schedule tries next, and how its tries went since the last success
# (one row, `name` "tsa"): survives restarts, so a TSA outage keeps its backoff.
stamping_schedule = Table(
    "stamping_schedule",
    metadata,
    Column("name", String(KEY), primary_key=True),
    Column("next_attempt_at", UTCDateTime, nullable=True),
    Column("failures", Integer, nullable=False),
    Column("last_error", String(2000), nullable=True),
    Column("last_attempt_at", UTCDateTime, nullable=True),
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
    # The external system that confirms the consents, when not this instance.
    Column("confirmed_by", String(80), nullable=True),
)

# One confirmation request per subject and submission: the address is sealed with the subject's
# key, an OTP code is kept only as a keyed hash, and failed attempts are counted.
confirmations = Table(
    "confirmations",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("token_id", String(40), nullable=False, unique=True),
    # None until the person confirms a sign-up kept as an intake (revision 0026).
    Column("subject_id", String(40), ForeignKey("subjects.id"), nullable=True, index=True),
    Column("touchpoint_key", String(KEY), nullable=False),
    Column("method", String(16), nullable=False),
    Column("event_ids", JSON, nullable=False),
    Column("recipient_sealed", LargeBinary, nullable=True),
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
    # A sign-up kept as an intake: the submission sealed under a key derived for the purpose
    # (dropped once confirmed or expired), a keyed hash of the recipient that the message caps
    # count, and the submission id the client sent (its idempotency key).
    Column("sealed", LargeBinary, nullable=True),
    Column("recipient_blind", String(64), nullable=True),
    Column("submission_key", String(240), nullable=True),
)
Index("ix_confirmations_recipient", confirmations.c.recipient_blind, confirmations.c.created_at)
Index("ix_confirmations_created", confirmations.c.created_at)
Index("ix_confirmations_submission", confirmations.c.touchpoint_key, confirmations.c.submission_key)

# The events a sign-up kept as an intake will record once confirmed, by their ids given out at
# the sign-up: how `/v1/events/{id}/confirmation` finds the request before any event exists.
confirmation_events = Table(
    "confirmation_events",
    metadata,
    Column("event_id", String(40), primary_key=True),
    Column("confirmation_id", String(40), nullable=False, index=True),
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

# A rights request from the public form before the person proved the address or number: the
# submission sealed under a key derived for the purpose, a keyed hash of the code, and keyed
# hashes of the recipient and the client address that the message caps count. No subject, no
# event: the request is taken in from it when the code comes back; rows go a day after.
pending_intakes = Table(
    "pending_intakes",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("recipient_blind", String(64), nullable=False),
    Column("client_blind", String(64), nullable=False),
    Column("method", String(8), nullable=False),
    Column("sealed", LargeBinary, nullable=True),
    Column("code_mac", String(64), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("confirmed_at", UTCDateTime, nullable=True),
    Column("request_id", String(40), nullable=True),
)
Index(
    "ix_pending_intakes_recipient", pending_intakes.c.recipient_blind, pending_intakes.c.created_at
)
Index("ix_pending_intakes_client", pending_intakes.c.client_blind, pending_intakes.c.created_at)
Index("ix_pending_intakes_created", pending_intakes.c.created_at)

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
    Column("kind", String(16), nullable=False, server_default="other"),
    Column("due_at", UTCDateTime, nullable=True),
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

# Holds that stop contacts whatever consent says: a restriction (art. 18) of some purposes, or a
# complaint about a contact on one channel. Few rows: every check process keeps them all in its
# registry copy (the `registry` stamp moves with each change, see migration 0013).
processing_holds = Table(
    "processing_holds",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("subject_id", String(40), ForeignKey("subjects.id"), nullable=False),
    Column("purpose_key", String(KEY), nullable=True),
    Column("channel", String(32), nullable=True),
    Column("cause", String(16), nullable=False),
    Column("source_id", String(40), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("started_event_id", String(40), nullable=False),
    Column("lifted_at", UTCDateTime, nullable=True),
    Column("lifted_event_id", String(40), nullable=True),
)
Index("ix_processing_holds_subject", processing_holds.c.subject_id)
Index("ix_processing_holds_source", processing_holds.c.source_id)

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
