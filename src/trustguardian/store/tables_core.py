"""Tables of the registry (purposes, notices, touchpoints), of subjects and their keys, and of
API keys; `metadata` holds every table (see store.tables).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
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
    Column("recipients", JSON, nullable=True),
    Column("transfers", JSON, nullable=True),
    Column("data_categories", JSON, nullable=True),
    Column("subject_categories", JSON, nullable=True),
    Column("retention", Text, nullable=True),
    # Days the proofs of consent are kept for legal defence after an erasure (None: not kept).
    Column("defence_retention_days", Integer, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("labels", JSON, nullable=True),  # {language: {name, description}}; NULL: none
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
    # A historical version (entered afterwards): who entered it and from which document.
    Column("entered_by", String(200), nullable=True),
    Column("source_document", String(500), nullable=True),
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
# A check reads the owner of a keyed hash from the primary key alone (store.batch_reads): on
# SQLite the rows live in the primary key's tree (WITHOUT ROWID), on PostgreSQL the key's index
# includes the owner and kind; a subject's identifiers come from the covering index below.
subject_identifiers = Table(
    "subject_identifiers",
    metadata,
    Column("blind", String(64), nullable=False),
    Column("subject_id", String(40), ForeignKey("subjects.id"), nullable=False),
    Column("kind", String(80), nullable=False),
    Column("sealed", LargeBinary, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("blind", postgresql_include=["subject_id", "kind"]),
    sqlite_with_rowid=False,
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


# The instance this database belongs to: one row, written by `trustguardian init` (or by the
# first `migrate` of a database from before the binding). A process refuses to open the
# database with keys whose fingerprint differs, or whose master keys cannot unwrap the canary.
instance = Table(
    "instance",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("fingerprint", String(80), nullable=False),
    # A random data key wrapped under the current master key (re-wrapped by rotations): the
    # sample `/readyz` and every start unwrap to prove the master keys are this database's.
    Column("canary", LargeBinary, nullable=False),
    Column("bound_at", UTCDateTime, nullable=False),
    # Written by each readiness probe on PostgreSQL: proves the database takes writes.
    Column("probed_at", UTCDateTime, nullable=True),
)
