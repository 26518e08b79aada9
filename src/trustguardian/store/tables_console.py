"""Tables of production (signing keys) and of the web console (users, sessions, the access log,
work queues; see store.tables).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
)

from trustguardian.store.tables_core import metadata
from trustguardian.store.types import UTCDateTime

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
    # "<issuer> <subject>" of a user who signs in through the OpenID provider; NULL: local.
    Column("external_id", String(400), nullable=True, unique=True),
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

# The operator page's sign-ins: the cookie holds a random session id, only its SHA-256 is stored,
# mapped to the API key it was opened with; a revoked key or an expired row opens nothing.
operator_sessions = Table(
    "operator_sessions",
    metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("key_id", String(24), ForeignKey("api_keys.id"), nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("ended_at", UTCDateTime, nullable=True),
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
    # Set when a batch seals the row (store.batches): the ledger record, position, leaf hash.
    Column("sealed_seq", BigInteger, nullable=True),
    Column("sealed_position", Integer, nullable=True),
    Column("sealed_hash", LargeBinary, nullable=True),
)
Index(
    "ix_subject_access_log_sealed",
    subject_access_log.c.sealed_seq,
    subject_access_log.c.sealed_position,
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
