"""Console users' roles and what each may see and do: one table, read by every console page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    DPO = "dpo"
    LEGAL = "legal"
    MARKETING = "marketing"
    ICT = "ict"
    AUDITOR = "auditor"


class Permission(StrEnum):
    # Reading what holds no personal data.
    VIEW_DASHBOARD = "dashboard:view"
    VIEW_REGISTRY = "registry:view"
    VIEW_LEDGER = "ledger:view"
    VIEW_SYNC = "sync:view"
    # Personal data, from the least to the most sensitive.
    VIEW_SUBJECTS = "subjects:view"  # search, identifiers in clear, consents, timeline, contacts
    VIEW_PROOFS = "proofs:view"  # what a proof says: IP, operator, notice shown, form snapshot
    VIEW_EVIDENCE_FILES = "evidence:view"  # scanned forms, snapshots as files
    VIEW_ACCESS_LOG = "access-log:view"  # who looked at whose data
    # Changes.
    CHECK_CONTACT = "contact:check"  # records a check, so it is a write
    EDIT_TOUCHPOINTS = "touchpoints:edit"
    EDIT_NOTICES = "notices:edit"
    EDIT_PURPOSES = "purposes:edit"
    MANAGE_SYSTEMS = "systems:manage"  # company systems, their webhooks and dead letters
    MANAGE_KEYS = "keys:manage"  # API keys: created with scopes and binding, revoked
    MANAGE_BRAND = "brand:manage"  # the company's name, logo, colours and links on public pages
    VERIFY_LEDGER = "ledger:verify"
    MANAGE_USERS = "users:manage"
    # The work queues. Requests and complaints hold the person's own words, so they are read by
    # those who answer for them (DPO, Legal) and the auditor; a dossier holds every proof and
    # evidence file, so it goes only to roles that may open evidence files.
    VIEW_REQUESTS = "requests:view"  # queues, a request or complaint with the person's words
    HANDLE_REQUESTS = "requests:handle"  # verify, start, extend, reject, fulfil, assign, update
    DOWNLOAD_DOSSIER = "dossier:download"
    # Legal defence (art. 17(3)(e)): the proofs an erasure keeps are the DPO's alone to open;
    # a legal hold that suspends their destruction is placed by the DPO or Legal.
    OPEN_DEFENCE_COPY = "defence:open"
    MANAGE_LEGAL_HOLDS = "holds:manage"


P = Permission
_READ_ALL = frozenset({P.VIEW_DASHBOARD, P.VIEW_REGISTRY, P.VIEW_LEDGER, P.VIEW_SYNC})

# The permission table. Marketing contacts people, so it sees who they are and what they allowed,
# never the evidence behind it, nor rights requests and complaints (a person's objection reaches
# marketing as withdrawn consents, which checks already honour); ICT runs the systems, their
# webhooks and API keys, and sees no personal data at all; the auditor reads everything Legal
# reads (an inspection needs the proofs, requests and complaints) and changes nothing.
PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.DPO: frozenset(Permission),
    Role.LEGAL: _READ_ALL
    | {
        P.VIEW_SUBJECTS,
        P.VIEW_PROOFS,
        P.VIEW_EVIDENCE_FILES,
        P.EDIT_TOUCHPOINTS,
        P.EDIT_NOTICES,
        P.EDIT_PURPOSES,
        P.VIEW_REQUESTS,
        P.HANDLE_REQUESTS,
        P.DOWNLOAD_DOSSIER,
        P.MANAGE_LEGAL_HOLDS,
    },
    Role.MARKETING: _READ_ALL | {P.VIEW_SUBJECTS, P.CHECK_CONTACT},
    Role.ICT: _READ_ALL | {P.EDIT_TOUCHPOINTS, P.VERIFY_LEDGER, P.MANAGE_SYSTEMS, P.MANAGE_KEYS},
    Role.AUDITOR: _READ_ALL
    | {
        P.VIEW_SUBJECTS,
        P.VIEW_PROOFS,
        P.VIEW_EVIDENCE_FILES,
        P.VIEW_ACCESS_LOG,
        P.VIEW_REQUESTS,
        P.DOWNLOAD_DOSSIER,
    },
}

# Permissions that change something; a read-only role must hold none of them.
WRITES = frozenset(
    {
        P.CHECK_CONTACT,
        P.EDIT_TOUCHPOINTS,
        P.EDIT_NOTICES,
        P.EDIT_PURPOSES,
        P.MANAGE_SYSTEMS,
        P.MANAGE_KEYS,
        P.MANAGE_BRAND,
        P.VERIFY_LEDGER,
        P.MANAGE_USERS,
        P.HANDLE_REQUESTS,
        P.MANAGE_LEGAL_HOLDS,
    }
)
READ_ONLY = frozenset({Role.AUDITOR})


def allows(role: Role, permission: Permission) -> bool:
    """Tells whether a role holds a permission."""
    return permission in PERMISSIONS[role]


@dataclass(frozen=True)
class AdminUser:
    """A person who signs in to the console."""

    id: str
    username: str
    role: Role
    created_at: datetime
    failed_logins: int = 0
    locked_until: datetime | None = None
    disabled_at: datetime | None = None
    last_login_at: datetime | None = None

    def can(self, permission: Permission) -> bool:
        return self.disabled_at is None and allows(self.role, permission)


@dataclass(frozen=True)
class AccessRecord:
    """One look at a person's data by a console user: who, when, which subject, what.

    Reads through an API key or the command line have no `user_id`; `username` names them.
    """

    id: str
    user_id: str | None
    username: str
    subject_id: str
    what: str
    at: datetime
