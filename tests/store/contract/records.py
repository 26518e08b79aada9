"""Typed records as the service hands them to the store, with every field set."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from trustguardian.domain.registry import (
    Channel,
    LegalBasis,
    Nature,
    Notice,
    NoticeVersion,
    ProofType,
    PurposeContent,
    PurposeVersion,
    RecordStatus,
    Touchpoint,
    TouchpointKind,
    TouchpointStatus,
    text_sha256,
)

# Microseconds and a non-round instant: a backend that truncated or shifted times would show.
T0 = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)


def touchpoint(key: str, *purposes: str, at: datetime = T0) -> Touchpoint:
    return Touchpoint(
        key=key,
        name=f"Touchpoint {key} — città",
        kind=TouchpointKind.COLLECT,
        channel=Channel.WEB_FORM,
        nature=Nature.DIGITAL,
        owner="Ufficio marketing",
        systems=("crm", "newsletter-tool"),
        purposes=purposes,
        notice_key=None,
        required_proofs=(ProofType.FORM_SNAPSHOT, ProofType.OPERATOR),
        status=TouchpointStatus.EXAMINED,
        description="Where people sign up.\nSecond line; 'quotes' and \"double\".",
        created_at=at,
        updated_at=at + timedelta(microseconds=1),
    )


def purpose_version(
    key: str, version: int = 1, *, at: datetime = T0, **changes: object
) -> PurposeVersion:
    values: dict[str, object] = {
        "name": f"Purpose {key}",
        "description": "Promotional e-mails and texts.",
        "legal_basis": LegalBasis.CONSENT,
        "channels": (Channel.SMS, Channel.EMAIL),
        "controller": "Bottega Rossi S.p.A.",
        "retention_days": 730,
        "consent_lifetime_days": None,
        "marketing": True,
        "analogous_products": True,
    }
    values.update(changes)
    content = PurposeContent(**values)  # type: ignore[arg-type]
    return PurposeVersion(key=key, version=version, content=content, created_at=at)


def notice(key: str, at: datetime = T0) -> Notice:
    return Notice(
        key=key, language="it", title="Informativa", status=RecordStatus.ACTIVE, created_at=at
    )


def notice_version(
    key: str, version: int, text: str, *, published: bool, at: datetime = T0
) -> NoticeVersion:
    return NoticeVersion(
        key=key,
        version=version,
        text=text,
        sha256=text_sha256(text),
        effective_from=at + timedelta(days=version),
        published_at=at if published else None,
        created_at=at,
    )
