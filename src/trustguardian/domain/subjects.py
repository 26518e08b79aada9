"""Data subjects and the identifiers they are known by."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class IdentifierKind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    CUSTOMER_ID = "customer_id"
    POSTAL = "postal"  # a postal address, for letters and the postal opposition register
    EXTERNAL = "external"


@dataclass(frozen=True)
class Identifier:
    """A normalised identifier; `system` names the company system for `external` ids."""

    kind: IdentifierKind
    value: str
    system: str | None = None

    @property
    def namespace(self) -> str:
        """The kind as used in the blind index: external ids are namespaced by system."""
        return (
            f"external:{self.system}" if self.kind is IdentifierKind.EXTERNAL else self.kind.value
        )


@dataclass(frozen=True)
class Subject:
    """A data subject: a random pseudonymous id; identifiers live encrypted in the vault."""

    id: str
    created_at: datetime
    shredded_at: datetime | None = None

    @property
    def shredded(self) -> bool:
        return self.shredded_at is not None
