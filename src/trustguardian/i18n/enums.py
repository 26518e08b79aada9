"""Every coded value a page or report may show, by its catalog context.

tests/i18n checks that each catalog names every one of them, and the console's page walk
fails when one shows up untranslated: a new enum member needs its words in every catalog.
"""

from __future__ import annotations

from enum import StrEnum

from trustguardian.domain.access import Scope
from trustguardian.domain.checks import Reason
from trustguardian.domain.collect import Confirmation
from trustguardian.domain.complaints import ComplaintKind, ComplaintStatus
from trustguardian.domain.consent import ConsentStatus
from trustguardian.domain.events import EventKind
from trustguardian.domain.lists import ListRunState
from trustguardian.domain.registry import (
    Channel,
    LegalBasis,
    Nature,
    ProofType,
    RecordStatus,
    TouchpointKind,
    TouchpointStatus,
)
from trustguardian.domain.rights import RequestKind, RequestStatus
from trustguardian.domain.risk_facts import Rule, Severity
from trustguardian.domain.roles import Permission, Role
from trustguardian.domain.subjects import IdentifierKind
from trustguardian.domain.sync import DeliveryStatus, SystemKind

CODED: dict[str, type[StrEnum]] = {
    "channel": Channel,
    "confirmation": Confirmation,
    "scope": Scope,
    "system kind": SystemKind,
    "check reason": Reason,
    "complaint kind": ComplaintKind,
    "complaint status": ComplaintStatus,
    "consent status": ConsentStatus,
    "delivery status": DeliveryStatus,
    "event kind": EventKind,
    "identifier kind": IdentifierKind,
    "legal basis": LegalBasis,
    "legal basis (article)": LegalBasis,
    "list run state": ListRunState,
    "nature": Nature,
    "permission": Permission,
    "proof type": ProofType,
    "record status": RecordStatus,
    "request status": RequestStatus,
    "right": RequestKind,
    "role": Role,
    "census rule": Rule,
    "severity": Severity,
    "touchpoint kind": TouchpointKind,
    "touchpoint status": TouchpointStatus,
}
# Coded values that are no enum of the domain: risk levels, languages, queues, contact flags.
EXTRA: dict[str, tuple[str, ...]] = {
    "risk": ("high", "medium", "low", "none"),
    "language": ("it", "en"),
    "queue": ("open", "due_soon", "overdue", "closed"),
    "contact flag": ("check_after_contact", "stale_check"),
    "preference": (
        "given",
        "withdrawn",
        "refused",
        "expired",
        "pending_confirmation",
        "none",
        "objected",
    ),
    "right (form)": tuple(m.value for m in RequestKind),
    "invalid link": ("forged", "expired", "revoked", "used", "other"),
    # What a column of a campaign list holds (service.engage.list_header.ROLES).
    "list column": (
        "email",
        "phone",
        "customer_id",
        "postal",
        "subject_id",
        "purpose",
        "channel",
    ),
}


def coded_values() -> dict[str, tuple[str, ...]]:
    """Each context's raw values."""
    found = {context: tuple(m.value for m in enum) for context, enum in CODED.items()}
    return {**found, **EXTRA}
