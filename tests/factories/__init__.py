"""Builders of real registry records through the real service layer."""

from __future__ import annotations

from trustguardian.domain.registry import (
    Channel,
    LegalBasis,
    Nature,
    PurposeContent,
    TouchpointKind,
)
from trustguardian.service.context import Context
from trustguardian.service.registry import notices, purposes, touchpoints
from trustguardian.service.registry.touchpoints import TouchpointDraft


def purpose_content(**changes: object) -> PurposeContent:
    values: dict[str, object] = {
        "name": "Newsletter marketing",
        "description": "Promotional e-mails.",
        "legal_basis": LegalBasis.CONSENT,
        "channels": (Channel.EMAIL,),
        "controller": "Bottega Rossi S.p.A.",
        "retention_days": 730,
        "consent_lifetime_days": 730,
        "marketing": True,
    }
    values.update(changes)
    return PurposeContent(**values)  # type: ignore[arg-type]


def add_purpose(ctx: Context, key: str = "newsletter", **changes: object) -> None:
    purposes.create_purpose(ctx, key=key, content=purpose_content(**changes))


def add_notice(ctx: Context, key: str = "privacy-it", text: str = "Informativa v1\n") -> None:
    notices.create_notice(ctx, key=key, language="it", title="Informativa", text=text)


def draft(key: str = "web-newsletter", **changes: object) -> TouchpointDraft:
    values: dict[str, object] = {
        "key": key,
        "name": "Newsletter form",
        "kind": TouchpointKind.COLLECT,
        "channel": Channel.WEB_FORM,
        "nature": Nature.DIGITAL,
    }
    values.update(changes)
    return TouchpointDraft(**values)  # type: ignore[arg-type]


def add_touchpoint(ctx: Context, key: str = "web-newsletter", **changes: object) -> None:
    touchpoints.create_touchpoint(ctx, draft=draft(key, **changes))
