"""Collect touchpoints: how consents are confirmed, and the keys web pages may embed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from trustguardian.domain.registry import ProofType
from trustguardian.domain.subjects import IdentifierKind


class Confirmation(StrEnum):
    """How a touchpoint has the person confirm a consent before it counts."""

    NONE = "none"
    DOUBLE_OPT_IN = "double_opt_in"  # a link by e-mail
    OTP_SMS = "otp_sms"  # a short code by text message
    OTP_EMAIL = "otp_email"  # a short code by e-mail

    @property
    def recipient_kind(self) -> IdentifierKind:
        """The identifier the message goes to."""
        return IdentifierKind.PHONE if self is Confirmation.OTP_SMS else IdentifierKind.EMAIL

    @property
    def proof(self) -> ProofType:
        """The proof a confirmation by this method carries."""
        return ProofType.DOUBLE_OPT_IN if self is Confirmation.DOUBLE_OPT_IN else ProofType.OTP


DEFAULT_WITHIN_MINUTES = {
    Confirmation.DOUBLE_OPT_IN: 72 * 60,
    Confirmation.OTP_SMS: 10,
    Confirmation.OTP_EMAIL: 30,
    Confirmation.NONE: 0,
}
LANGUAGES = ("it", "en")
OTP_DIGITS = 6

# A consent already carrying one of these was confirmed elsewhere (or is history being imported):
# it counts at once, and no message goes out.
SELF_CONFIRMING = frozenset({ProofType.DOUBLE_OPT_IN, ProofType.OTP, ProofType.IMPORT})


@dataclass(frozen=True)
class CollectSettings:
    touchpoint_key: str
    confirmation: Confirmation
    confirm_within_minutes: int
    otp_max_attempts: int
    language: str
    updated_at: datetime
    # The external system that confirms this touchpoint's consents: a double opt-in or OTP proof
    # a client sends is then recorded as that system's claim, never as this instance's.
    confirmed_by: str | None = None


@dataclass(frozen=True)
class ConfirmationRequest:
    """A request sent to a person to confirm the consents of one submission."""

    id: str
    token_id: str
    subject_id: str | None  # None while a sign-up kept as an intake awaits the person
    touchpoint_key: str
    method: Confirmation
    event_ids: tuple[str, ...]
    recipient_sealed: bytes | None  # a request opened for recorded events: its address
    code_mac: str | None
    attempts: int
    max_attempts: int
    language: str
    created_at: datetime
    expires_at: datetime
    sent_at: datetime | None
    message_id: str | None
    send_error: str | None
    confirmed_at: datetime | None
    confirmed_event_ids: tuple[str, ...] | None
    # A sign-up kept as an intake (no subject, no event until confirmed): its sealed
    # submission, dropped once it is confirmed or has expired.
    sealed: bytes | None = None
    intake: bool = False

    @property
    def status(self) -> str:
        """`confirmed`, `locked` (too many wrong codes), `open`, or `failed` (not sent)."""
        if self.confirmed_at is not None:
            return "confirmed"
        if self.attempts >= self.max_attempts:
            return "locked"
        if self.sent_at is None and self.send_error is not None:
            return "failed"
        return "open"

    def status_at(self, now: datetime) -> str:
        """`status`, or `expired` for a request nobody confirmed in time."""
        if self.confirmed_at is None and now >= self.expires_at:
            return "expired"
        return self.status


@dataclass(frozen=True)
class PublishableKey:
    """A key a web page embeds: it may only record collect events for one touchpoint."""

    id: str
    name: str
    touchpoint_key: str
    origins: tuple[str, ...]
    rate_per_minute: int
    created_at: datetime
    revoked_at: datetime | None
