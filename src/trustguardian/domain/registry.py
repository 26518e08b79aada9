"""The registry: touchpoints, purposes and notices."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class TouchpointKind(StrEnum):
    COLLECT = "collect"
    ENGAGE = "engage"
    RIGHT = "right"


class Channel(StrEnum):
    WEB_FORM = "web_form"
    APP = "app"
    STORE = "store"
    EVENT = "event"
    EMAIL = "email"
    SMS = "sms"
    PHONE = "phone"
    LETTER = "letter"
    VISIT = "visit"
    SOCIAL = "social"
    CALL_CENTER = "call_center"
    OTHER = "other"


class Nature(StrEnum):
    PHYSICAL = "physical"
    DIGITAL = "digital"


class TouchpointStatus(StrEnum):
    CENSUSED = "censused"
    EXAMINED = "examined"
    SECURED = "secured"
    RETIRED = "retired"


# Forward moves of a touchpoint's lifecycle; retiring is possible from any live status.
STATUS_MOVES: dict[TouchpointStatus, frozenset[TouchpointStatus]] = {
    TouchpointStatus.CENSUSED: frozenset({TouchpointStatus.EXAMINED, TouchpointStatus.RETIRED}),
    TouchpointStatus.EXAMINED: frozenset(
        {TouchpointStatus.CENSUSED, TouchpointStatus.SECURED, TouchpointStatus.RETIRED}
    ),
    TouchpointStatus.SECURED: frozenset(
        {TouchpointStatus.EXAMINED, TouchpointStatus.CENSUSED, TouchpointStatus.RETIRED}
    ),
    TouchpointStatus.RETIRED: frozenset(),
}


class LegalBasis(StrEnum):
    CONSENT = "consent"
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal_obligation"
    VITAL_INTEREST = "vital_interest"
    PUBLIC_TASK = "public_task"
    LEGITIMATE_INTEREST = "legitimate_interest"

    @property
    def dpv(self) -> str:
        """The W3C Data Privacy Vocabulary term for this basis."""
        return DPV_BASE + _DPV_TERMS[self]


DPV_BASE = "https://w3id.org/dpv#"
_DPV_TERMS = {
    LegalBasis.CONSENT: "Consent",
    LegalBasis.CONTRACT: "Contract",
    LegalBasis.LEGAL_OBLIGATION: "LegalObligation",
    LegalBasis.VITAL_INTEREST: "VitalInterest",
    LegalBasis.PUBLIC_TASK: "PublicTask",
    LegalBasis.LEGITIMATE_INTEREST: "LegitimateInterest",
}


class ProofType(StrEnum):
    NOTICE_SHOWN = "notice_shown"
    FORM_SNAPSHOT = "form_snapshot"
    NETWORK = "network"
    DOUBLE_OPT_IN = "double_opt_in"
    OTP = "otp"
    PAPER_FORM = "paper_form"
    CALL_RECORDING = "call_recording"
    OPERATOR = "operator"
    PARTNER = "partner"
    IMPORT = "import"  # provenance of a legacy import: the file's hash, who, when


class RecordStatus(StrEnum):
    ACTIVE = "active"
    RETIRED = "retired"


@dataclass(frozen=True)
class Touchpoint:
    key: str
    name: str
    kind: TouchpointKind
    channel: Channel
    nature: Nature
    owner: str
    systems: tuple[str, ...]
    purposes: tuple[str, ...]
    notice_key: str | None
    required_proofs: tuple[ProofType, ...]
    status: TouchpointStatus
    description: str
    created_at: datetime
    updated_at: datetime


# The European Economic Area: a transfer is to a country outside it (GDPR chapter V).
# Thirty codes, one a line, would say no more: kept as rows.
# fmt: off
EEA = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE",
    "IS", "IT", "LI", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK",
})
# fmt: on
# The safeguards chapter V allows, by the code a transfer names.
SAFEGUARDS = {
    "adequacy": "art. 45",
    "scc": "art. 46(2)(c)",
    "bcr": "art. 47",
    "code_of_conduct": "art. 46(2)(e)",
    "certification": "art. 46(2)(f)",
    "derogation": "art. 49",
}


@dataclass(frozen=True)
class Transfer:
    """Personal data sent outside the EEA (GDPR art. 30(1)(e), chapter V)."""

    recipient: str
    country: str  # ISO 3166-1 alpha-2
    safeguard: str  # a key of SAFEGUARDS


@dataclass(frozen=True)
class PurposeLabel:
    """A purpose's name and description in one language (the content's own are the default)."""

    language: str  # a BCP 47 tag such as it or en-GB
    name: str
    description: str = ""


@dataclass(frozen=True)
class PurposeContent:
    """What a purpose version says; any change to it makes a new version."""

    name: str
    description: str
    legal_basis: LegalBasis
    channels: tuple[Channel, ...]
    controller: str
    retention_days: int
    consent_lifetime_days: int | None
    marketing: bool
    analogous_products: bool = False
    # What the register of processing (art. 30(1)(c)-(f)) states beyond the above.
    recipients: tuple[str, ...] = ()  # named third parties (the systems come from the census)
    transfers: tuple[Transfer, ...] = ()
    data_categories: tuple[str, ...] = ()
    subject_categories: tuple[str, ...] = ()
    retention: str = ""  # how the retention period is counted and what happens after it
    # Days the proofs of consent and withdrawal outlive an erasure, for legal defence
    # (art. 17(3)(e)); None keeps nothing once the person is erased.
    defence_retention_days: int | None = None
    labels: tuple[PurposeLabel, ...] = ()  # per language, one each, sorted by language

    def label(self, language: str) -> PurposeLabel | None:
        """The label for a language: the exact tag, else its primary subtag (it-IT -> it)."""
        by_tag = {x.language.lower(): x for x in self.labels}
        tag = language.strip().lower()
        return by_tag.get(tag) or by_tag.get(tag.split("-", 1)[0])


@dataclass(frozen=True)
class PurposeVersion:
    key: str
    version: int
    content: PurposeContent
    created_at: datetime


@dataclass(frozen=True)
class Purpose:
    key: str
    status: RecordStatus
    current: PurposeVersion


def purpose_label(purpose: Purpose | PurposeVersion | PurposeContent, language: str) -> str:
    """A purpose's name in a language, falling back to its default name."""
    content = _content(purpose)
    found = content.label(language)
    return found.name if found is not None else content.name


def purpose_description(purpose: Purpose | PurposeVersion | PurposeContent, language: str) -> str:
    """A purpose's description in a language, falling back to its default description."""
    content = _content(purpose)
    found = content.label(language)
    return found.description if found is not None and found.description else content.description


def _content(purpose: Purpose | PurposeVersion | PurposeContent) -> PurposeContent:
    if isinstance(purpose, Purpose):
        return purpose.current.content
    return purpose.content if isinstance(purpose, PurposeVersion) else purpose


@dataclass(frozen=True)
class NoticeVersion:
    key: str
    version: int
    text: str
    sha256: str
    effective_from: datetime
    published_at: datetime | None
    created_at: datetime
    # A version entered afterwards, from the record of a text shown in the past: by whom,
    # from which source document (published_at says when it was entered).
    entered_by: str | None = None
    source_document: str | None = None

    @property
    def published(self) -> bool:
        return self.published_at is not None

    @property
    def historical(self) -> bool:
        return self.source_document is not None


@dataclass(frozen=True)
class Notice:
    key: str
    language: str
    title: str
    status: RecordStatus
    created_at: datetime


def text_sha256(text: str) -> str:
    """Hashes a notice text exactly as stored: its UTF-8 bytes, nothing normalised."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def shows_version(
    version: NoticeVersion, *, text: str | None = None, sha256: str | None = None
) -> bool:
    """Whether a text shown (or the hash of one) is this version's. A text is compared with its
    runs of white space collapsed, as a page renders it; a hash must be of the exact text."""
    if sha256 is not None and sha256.strip().lower() != version.sha256:
        return False
    if text is not None:
        shown = unicodedata.normalize("NFC", " ".join(text.split()))
        return shown == unicodedata.normalize("NFC", " ".join(version.text.split()))
    return True


def version_in_force(versions: Sequence[NoticeVersion], at: datetime) -> NoticeVersion | None:
    """Returns the published version in force at an instant: the latest effective one."""
    candidates = [v for v in versions if v.published and v.effective_from <= at]
    if not candidates:
        return None
    return max(candidates, key=lambda v: (v.effective_from, v.version))
