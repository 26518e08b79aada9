"""A purpose version as a `purpose_versions` row and back; labels are stored as
{language: {"name": ..., "description": ...}}, NULL when there is none."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from trustguardian.domain.registry import (
    Channel,
    LegalBasis,
    PurposeContent,
    PurposeLabel,
    PurposeVersion,
    Transfer,
)


def purpose_version_values(v: PurposeVersion) -> dict[str, Any]:
    """The row's column values for a version."""
    c = v.content
    return {
        "purpose_key": v.key,
        "version": v.version,
        "name": c.name,
        "description": c.description,
        "legal_basis": c.legal_basis.value,
        "channels": [ch.value for ch in c.channels],
        "controller": c.controller,
        "retention_days": c.retention_days,
        "consent_lifetime_days": c.consent_lifetime_days,
        "marketing": c.marketing,
        "analogous_products": c.analogous_products,
        "recipients": list(c.recipients),
        "transfers": [vars(x) for x in c.transfers],
        "data_categories": list(c.data_categories),
        "subject_categories": list(c.subject_categories),
        "retention": c.retention,
        "defence_retention_days": c.defence_retention_days,
        # NULL, not {}, without labels: as on versions written before labels existed.
        "labels": {x.language: {"name": x.name, "description": x.description} for x in c.labels}
        or None,
        "created_at": v.created_at,
    }


def purpose_version_of(row: Row[Any]) -> PurposeVersion:
    """The version a row holds."""
    return PurposeVersion(
        key=row.purpose_key,
        version=row.version,
        content=PurposeContent(
            name=row.name,
            description=row.description,
            legal_basis=LegalBasis(row.legal_basis),
            channels=tuple(Channel(ch) for ch in row.channels),
            controller=row.controller,
            retention_days=row.retention_days,
            consent_lifetime_days=row.consent_lifetime_days,
            marketing=bool(row.marketing),
            analogous_products=bool(row.analogous_products),
            # Versions written before the register fields existed hold NULL: nothing stated.
            recipients=tuple(row.recipients or ()),
            transfers=tuple(Transfer(**x) for x in row.transfers or ()),
            data_categories=tuple(row.data_categories or ()),
            subject_categories=tuple(row.subject_categories or ()),
            retention=row.retention or "",
            defence_retention_days=row.defence_retention_days,
            labels=tuple(
                PurposeLabel(lang, str(x["name"]), str(x.get("description", "")))
                for lang, x in sorted((row.labels or {}).items())
            ),
        ),
        created_at=row.created_at,
    )
