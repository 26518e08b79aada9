"""Company systems kept in sync, their webhooks, and the state of each delivery."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from trustguardian.domain.events import EventKind

# The broker's place among the destinations of the outbox (a webhook's is `webhook:<id>`).
BROKER_DESTINATION = "nats"
# Webhook signing secrets are `whsec_` + base64, the form Standard Webhooks receivers expect.
SIGNING_PREFIX = "whsec_"


def new_secret(random_bytes: bytes) -> str:
    """A webhook signing secret made of these random bytes."""
    return SIGNING_PREFIX + base64.b64encode(random_bytes).decode()


class SystemKind(StrEnum):
    CRM = "crm"
    ESP = "esp"
    ECOMMERCE = "ecommerce"
    MARKETING = "marketing"
    CALL_CENTER = "call_center"
    OTHER = "other"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
    DEAD = "dead"
    # A dead letter (or what a deleted webhook was owed) given up on purpose.
    DISCARDED = "discarded"


@dataclass(frozen=True)
class System:
    """A company system (CRM, ESP, e-commerce, ...) that must see the same consent truth.

    `identifier_kinds` are the identifiers it is sent (e.g. `email`, `external:crm`); `mapping`
    turns our purpose and channel into its own list or field: {"newsletter": {"email": "list:7"}}.
    """

    key: str
    name: str
    kind: SystemKind
    identifier_kinds: tuple[str, ...]
    mapping: dict[str, dict[str, str]]
    status: str
    created_at: datetime


@dataclass(frozen=True)
class Webhook:
    """Where a system wants events; empty filters mean every event kind and purpose."""

    id: str
    system_key: str
    url: str
    event_kinds: tuple[str, ...]
    purposes: tuple[str, ...]
    status: str
    created_at: datetime

    @property
    def destination(self) -> str:
        return f"webhook:{self.id}"

    def wants(self, kind: str, purpose: str | None) -> bool:
        """Tells whether an event of this kind and purpose goes to this webhook.

        An erasure concerns every purpose: a purpose filter never holds it back."""
        kind_ok = not self.event_kinds or kind in self.event_kinds
        purpose_ok = (
            not self.purposes
            or kind == EventKind.SUBJECT_ERASED
            or (purpose is not None and purpose in self.purposes)
        )
        return kind_ok and purpose_ok


@dataclass(frozen=True)
class Delivery:
    destination: str
    seq: int
    subject_id: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    delivered_at: datetime | None


def backoff_seconds(attempts: int, *, base: float, cap: float, jitter: float) -> float:
    """Exponential backoff with "equal jitter": half the delay fixed, half random.

    `jitter` is a random number in [0, 1).

    The delay doubles with each failed attempt from `base`, up to `cap`; the random half keeps
    many subscribers that failed together from all retrying at the same instant.
    """
    delay = min(cap, base * float(2 ** max(0, attempts - 1)))
    return delay / 2 + delay / 2 * jitter
