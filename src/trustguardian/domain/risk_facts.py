"""What the census rules look at and what they say: facts about a touchpoint, findings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from trustguardian.domain.collect import Confirmation
from trustguardian.domain.registry import NoticeVersion, Purpose, Touchpoint


class Severity(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Rule(StrEnum):
    COLLECT_WITHOUT_PROOFS = "collect_without_proofs"
    MARKETING_WITHOUT_DOUBLE_OPT_IN = "marketing_without_double_opt_in"
    CONFIRMATION_PROOF_REQUIRED = "confirmation_proof_required"
    CONSENT_WITHOUT_SUBSTANCE = "consent_without_substance"
    COLLECT_WITHOUT_NOTICE = "collect_without_notice"
    OUTDATED_NOTICE = "outdated_notice"
    PURPOSE_LEGAL_BASIS = "purpose_legal_basis"
    PURPOSE_RETENTION = "purpose_retention"
    CONTACTS_WITHOUT_CHECKS = "contacts_without_checks"
    CONTACTS_DESPITE_DENIAL = "contacts_despite_denial"
    NO_RIGHT_TOUCHPOINT = "no_right_touchpoint"
    STALE_OPPOSITION_REGISTER = "stale_opposition_register"
    STALE_CONSENTS = "stale_consents"
    OVERDUE_REQUESTS = "overdue_requests"
    OPEN_COMPLAINTS = "open_complaints"


@dataclass(frozen=True)
class Finding:
    rule: Rule
    severity: Severity
    target: str
    message: str
    fix: str


@dataclass(frozen=True)
class RegisterFacts:
    """The latest import of a public opposition register."""

    name: str
    kind: str
    register_date: date


@dataclass(frozen=True)
class OverdueRequests:
    """Open rights requests of one kind taken at one touchpoint, past their deadline."""

    kind: str
    count: int
    oldest_due_on: date


@dataclass(frozen=True)
class TouchpointFacts:
    """Everything the rules look at for one touchpoint, read at one instant."""

    touchpoint: Touchpoint
    now: datetime
    purposes: tuple[Purpose, ...] = ()
    notice_exists: bool = False
    notice_in_force: NoticeVersion | None = None
    # The notice version of this touchpoint's latest event since the version in force took
    # effect (None when it recorded none since): what it shows people now.
    notice_version_shown: int | None = None
    # Contacts made in the last CONTACT_WINDOW without an allowed check behind them, by flag.
    flagged_contacts: Mapping[str, int] = field(default_factory=dict)
    # Purposes a live Right touchpoint lets people withdraw ("*": every purpose).
    withdrawable: frozenset[str] = frozenset()
    registers: tuple[RegisterFacts, ...] = ()
    # Given consents collected here that outlived their purpose's refresh period, by purpose.
    stale_consents: Mapping[str, int] = field(default_factory=dict)
    # Open rights requests this touchpoint took that are past their deadline, by kind.
    overdue_requests: tuple[OverdueRequests, ...] = ()
    # How the touchpoint has people confirm a consent (its collect settings).
    confirmation: Confirmation = Confirmation.NONE
    # Every consent event recorded here came from a legacy import (and there is at least one).
    imported_only: bool = False
    # Open complaints about this touchpoint (its contacts and events), by kind: (open, overdue).
    open_complaints: Mapping[str, tuple[int, int]] = field(default_factory=dict)


def marketing(facts: TouchpointFacts) -> list[Purpose]:
    """The marketing purposes among the touchpoint's."""
    return [p for p in facts.purposes if p.current.content.marketing]
