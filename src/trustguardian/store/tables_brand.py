"""The brand the console sets (see store.tables): one row, each NULL column left to settings."""

from __future__ import annotations

from sqlalchemy import Column, LargeBinary, String, Table, Text

from trustguardian.store.tables_core import metadata
from trustguardian.store.types import UTCDateTime

brand = Table(
    "brand",
    metadata,
    Column("id", String(16), primary_key=True),  # always "brand": there is one
    Column("company_name", Text, nullable=True),
    Column("primary_color", String(7), nullable=True),
    Column("accent_color", String(7), nullable=True),
    Column("on_primary_color", String(7), nullable=True),
    Column("footer_text", Text, nullable=True),
    Column("privacy_url", Text, nullable=True),
    Column("contact_url", Text, nullable=True),
    Column("sender_name", Text, nullable=True),
    Column("sender_address", Text, nullable=True),
    # The logo as uploaded (PNG, JPEG or a checked SVG) and the type sniffed from its bytes.
    Column("logo", LargeBinary, nullable=True),
    Column("logo_type", String(32), nullable=True),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("updated_by", String(200), nullable=False),
)
