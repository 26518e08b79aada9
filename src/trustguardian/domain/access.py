"""API keys and the scopes they grant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Scope(StrEnum):
    REGISTRY_READ = "registry:read"
    REGISTRY_WRITE = "registry:write"
    EVENTS_READ = "events:read"
    EVENTS_WRITE = "events:write"
    CONSENT_CHECK = "consent:check"
    SUBJECTS_READ = "subjects:read"
    SUBJECTS_WRITE = "subjects:write"
    SYNC_READ = "sync:read"
    SYNC_WRITE = "sync:write"
    RIGHTS_READ = "rights:read"
    RIGHTS_WRITE = "rights:write"
    ADMIN = "admin"


@dataclass(frozen=True)
class ApiKey:
    id: str
    name: str
    scopes: frozenset[Scope]
    touchpoint_key: str | None
    created_at: datetime
    revoked_at: datetime | None
    system_key: str | None = None

    def allows(self, scope: Scope) -> bool:
        """Tells whether this key grants a scope; `admin` grants every scope."""
        return self.revoked_at is None and (scope in self.scopes or Scope.ADMIN in self.scopes)
