"""API keys and the scopes they grant."""

from __future__ import annotations

import json
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


class Reach(StrEnum):
    """What a route acts on, so that a key bound to one touchpoint is confined to its own: a
    subject is its own when the subject has an event there; an event, a rights request, a
    complaint, a link or a confirmation when it was taken at (or minted for) that touchpoint."""

    ANY = "any"  # instance-wide, naming no person: the registry read, the ledger's head
    UNBOUND = "unbound"  # beyond any one touchpoint: only an unbound key
    TOUCHPOINT = "touchpoint"
    SUBJECT = "subject"
    EVENT = "event"
    REQUEST = "request"
    COMPLAINT = "complaint"
    LINK = "link"
    CONFIRMATION = "confirmation"


@dataclass(frozen=True)
class Grant:
    """A route's declaration: the scope a key needs and what the route acts on (named by the
    path parameter `param`)."""

    scope: Scope
    reach: Reach = Reach.ANY
    param: str | None = None


ACTOR_LENGTH = 200  # request_steps.actor, complaint_steps.actor


def key_actor(key: ApiKey, operator: str | None = None) -> str:
    """Who acts, as the ledger records it for a call made with an API key: the key itself (its
    id, stable, and its name, readable). An operator the caller names is only the key's claim,
    quoted after it: a body can never make an act look like someone else's."""
    actor = f"api-key:{key.id} ({key.name})"[:ACTOR_LENGTH]
    if not operator:
        return actor
    claim = operator[: ACTOR_LENGTH - len(actor)]
    while claim:  # shortened, never cut through the closing quote
        quoted = f"{actor} for {json.dumps(claim, ensure_ascii=False)}"
        if len(quoted) <= ACTOR_LENGTH:
            return quoted
        claim = claim[: -max(1, (len(quoted) - ACTOR_LENGTH) // 6)]  # an escape is <= 6 chars
    return actor
