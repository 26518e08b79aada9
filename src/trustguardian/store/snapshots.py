"""The evidential columns of each registry object, as plain JSON: what a registry record's leaf
commits to when the object changes, and what `verify` recomputes from the rows to compare.

One reader per object type; each gives {object key: content}. Times are written as a leaf
writes them, dates as ISO dates, JSON columns as their values. A notice version's `text` is the
SHA-256 of the exact text stored, never the stored `sha256` column (kept beside it).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Collection
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, Select, Table, func, select

from trustguardian.domain.events import timestamp
from trustguardian.store import tables as t

Content = dict[str, Any]

TOUCHPOINT = "touchpoint"
PURPOSE = "purpose"
PURPOSE_VERSION = "purpose_version"
NOTICE = "notice"
NOTICE_VERSION = "notice_version"
API_KEY = "api_key"
ADMIN_USER = "admin_user"
SIGNING_KEY = "signing_key"
CONTACT_POLICY = "contact_policy"
SUPPRESSION_ENTRY = "suppression_entry"
OPPOSITION_REGISTER = "opposition_register"
EXAMINATION = "examination"
SOURCE_FILE = "source_file"
DEFENCE_COPY = "defence_copy"
DEFENCE_READ = "defence_read"
LEGAL_HOLD = "legal_hold"
SYSTEM = "system"
WEBHOOK = "webhook"
COLLECT_SETTINGS = "collect_settings"
BRAND = "brand"


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return timestamp(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _columns(row: Any, names: Collection[str]) -> Content:
    return {name: _plain(getattr(row, name)) for name in names}


def _where(query: Select[Any], column: Any, keys: Collection[str] | None) -> Select[Any]:
    return query if keys is None else query.where(column.in_(list(keys)))


class SnapshotReads:
    """Reads the current evidential content of registry objects."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def of(self, object_type: str, keys: Collection[str] | None = None) -> dict[str, Content]:
        """Every object of a type (or those of `keys`) with its content."""
        reader: Callable[[Collection[str] | None], dict[str, Content]] = getattr(
            self, "_" + object_type
        )
        return reader(keys)

    def _simple(
        self, table: Table, key: str, names: Collection[str], keys: Collection[str] | None
    ) -> dict[str, Content]:
        rows = self._c.execute(_where(select(table), table.c[key], keys))
        return {str(getattr(row, key)): _columns(row, names) for row in rows}

    def _touchpoint(self, keys: Collection[str] | None) -> dict[str, Content]:
        found = self._simple(
            t.touchpoints,
            "key",
            ("name", "kind", "channel", "nature", "owner", "systems", "notice_key",
             "required_proofs", "status", "description", "created_at"),
            keys,
        )  # fmt: skip
        links = t.touchpoint_purposes
        query = select(links).order_by(links.c.touchpoint_key, links.c.position)
        for content in found.values():
            content["purposes"] = []
        for row in self._c.execute(_where(query, links.c.touchpoint_key, keys)):
            if row.touchpoint_key in found:
                found[row.touchpoint_key]["purposes"].append(row.purpose_key)
        return found

    def _purpose(self, keys: Collection[str] | None) -> dict[str, Content]:
        found = self._simple(t.purposes, "key", ("status", "current_version", "created_at"), keys)
        flags = self._c.execute(
            _where(select(t.purpose_flags), t.purpose_flags.c.purpose_key, keys)
        )
        for content in found.values():
            content["sale_sharing"] = None
        for row in flags:
            if row.purpose_key in found:
                found[row.purpose_key]["sale_sharing"] = row.sale_sharing
        return found

    def _versions(
        self,
        table: Table,
        owner: str,
        names: Collection[str],
        keys: Collection[str] | None,
        *,
        text: bool = False,
    ) -> dict[str, Content]:
        query = select(table)
        if keys is not None:
            pairs = [k.rsplit("/", 1) for k in keys]
            query = query.where(table.c[owner].in_([p[0] for p in pairs]))
        found = {
            f"{getattr(row, owner)}/{row.version}": _columns(row, names)
            | ({"text": hashlib.sha256(row.text.encode()).hexdigest()} if text else {})
            for row in self._c.execute(query)
        }
        return found if keys is None else {k: v for k, v in found.items() if k in set(keys)}

    def _purpose_version(self, keys: Collection[str] | None) -> dict[str, Content]:
        found = self._versions(
            t.purpose_versions,
            "purpose_key",
            ("name", "description", "legal_basis", "channels", "controller", "retention_days",
             "consent_lifetime_days", "marketing", "analogous_products", "created_at",
             "recipients", "transfers", "data_categories", "subject_categories", "retention",
             "defence_retention_days", "labels"),
            keys,
        )  # fmt: skip
        # Stated only when set, so the leaves of versions from before each existed still match.
        for content in found.values():
            for optional in ("defence_retention_days", "labels"):
                if content[optional] is None:
                    del content[optional]
        return found

    def _notice(self, keys: Collection[str] | None) -> dict[str, Content]:
        return self._simple(t.notices, "key", ("language", "title", "status", "created_at"), keys)

    def _notice_version(self, keys: Collection[str] | None) -> dict[str, Content]:
        return self._versions(
            t.notice_versions,
            "notice_key",
            (
                "sha256",
                "effective_from",
                "published_at",
                "created_at",
                "entered_by",
                "source_document",
            ),
            keys,
            text=True,
        )

    def _api_key(self, keys: Collection[str] | None) -> dict[str, Content]:
        return self._simple(
            t.api_keys,
            "id",
            ("name", "secret_sha256", "scopes", "touchpoint_key", "system_key", "created_at",
             "revoked_at"),
            keys,
        )  # fmt: skip

    def _admin_user(self, keys: Collection[str] | None) -> dict[str, Content]:
        return self._simple(
            t.admin_users, "id", ("username", "role", "disabled_at", "created_at"), keys
        )

    def _signing_key(self, keys: Collection[str] | None) -> dict[str, Content]:
        return self._simple(
            t.signing_keys,
            "key_hash",
            ("verifier_key", "from_tree_size", "until_tree_size", "activated_at", "retired_at",
             "endorsement"),
            keys,
        )  # fmt: skip

    def _contact_policy(self, keys: Collection[str] | None) -> dict[str, Content]:
        return self._simple(
            t.contact_policies,
            "id",
            ("purpose_key", "channel", "max_contacts", "days", "window", "created_at"),
            keys,
        )

    def _suppression_entry(self, keys: Collection[str] | None) -> dict[str, Content]:
        return self._simple(t.suppression_entries, "blind", ("reason", "added_at"), keys)

    def _opposition_register(self, keys: Collection[str] | None) -> dict[str, Content]:
        found = self._simple(
            t.opposition_registers,
            "id",
            (
                "name",
                "kind",
                "register_date",
                "entries",
                "file_sha256",
                "imported_at",
                "removed_at",
            ),
            keys,
        )
        entries = t.opposition_entries
        for register, content in found.items():
            digest = hashlib.sha256()
            rows = self._c.execute(
                select(entries.c.blind)
                .where(entries.c.register_id == register)
                .order_by(entries.c.blind)
            )
            count = 0
            for (blind,) in rows:
                digest.update(blind.encode() + b"\n")
                count += 1
            content["stored_entries"] = count
            content["entries_sha256"] = digest.hexdigest()
        return found

    def _examination(self, keys: Collection[str] | None) -> dict[str, Content]:
        found = self._simple(t.examinations, "touchpoint_key", ("examined_at", "open_high"), keys)
        f = t.findings
        query = select(f).order_by(f.c.touchpoint_key, f.c.id)
        for content in found.values():
            content["findings"] = []
        for row in self._c.execute(_where(query, f.c.touchpoint_key, keys)):
            if row.touchpoint_key in found:
                found[row.touchpoint_key]["findings"].append(
                    _columns(
                        row,
                        ("id", "rule", "target", "severity", "message", "first_found_at",
                         "resolved_at"),
                    )
                )  # fmt: skip
        return found

    def _source_file(self, keys: Collection[str] | None) -> dict[str, Content]:
        found = self._simple(
            t.source_files,
            "id",
            ("file_sha256", "name", "size", "encoding", "bom", "rows", "root", "touchpoint_key",
             "imported_by", "imported_at"),
            keys,
        )  # fmt: skip
        heads = self._c.execute(
            _where(select(t.source_files.c.id, t.source_files.c.header), t.source_files.c.id, keys)
        )
        for source, header in heads:
            found[source]["header"] = base64.b64encode(bytes(header)).decode()
        r = t.source_rows
        for source, content in found.items():
            digest = hashlib.sha256()
            count = 0
            query = select(r.c.commitment).where(r.c.source_id == source).order_by(r.c.position)
            for (commitment,) in self._c.execute(query):
                digest.update(commitment.encode() + b"\n")
                count += 1
            content["stored_rows"] = count
            content["commitments_sha256"] = digest.hexdigest()
        return found

    def _defence_copy(self, keys: Collection[str] | None) -> dict[str, Content]:
        d = t.defence_copies
        found = {}
        for row in self._c.execute(_where(select(d), d.c.subject_id, keys)):
            content = _columns(
                row, ("purposes", "events", "sealed_sha256", "retain_until", "created_at",
                      "destroyed_at"),
            )  # fmt: skip
            # Whether the copy can still be opened: a key deleted without its leaf is found; and
            # the hash of the sealed bytes themselves, so a changed byte is found before opening.
            content["kept"] = row.wrapped_key is not None and row.sealed is not None
            if row.sealed is not None:
                content["sealed_sha256"] = hashlib.sha256(row.sealed).hexdigest()
            found[row.subject_id] = content
        return found

    def _defence_read(self, keys: Collection[str] | None) -> dict[str, Content]:
        r = t.defence_reads
        return {
            row.id: _columns(row, ("subject_id", "opened_by", "via", "at"))
            | {"reason_sha256": _sha256(row.reason)}
            for row in self._c.execute(_where(select(r), r.c.id, keys))
        }

    def _legal_hold(self, keys: Collection[str] | None) -> dict[str, Content]:
        h = t.legal_holds
        names = ("subject_id", "touchpoint_key", "placed_by", "placed_at", "released_by",
                 "released_at")  # fmt: skip
        return {
            row.id: _columns(row, names) | {"reason_sha256": _sha256(row.reason)}
            for row in self._c.execute(_where(select(h), h.c.id, keys))
        }

    def _system(self, keys: Collection[str] | None) -> dict[str, Content]:
        return self._simple(
            t.systems,
            "key",
            ("name", "kind", "identifier_kinds", "mapping", "status", "created_at"),
            keys,
        )

    def _webhook(self, keys: Collection[str] | None) -> dict[str, Content]:
        """A webhook's URL as its host and a hash (a URL may carry a credential), and the
        version of its newest secret (0 once deleted): a rotation is a change."""
        found = self._simple(
            t.webhooks,
            "id",
            ("system_key", "event_kinds", "purposes", "status", "created_at"),
            keys,
        )
        urls = self._c.execute(
            _where(select(t.webhooks.c.id, t.webhooks.c.url), t.webhooks.c.id, keys)
        )
        for hook_id, url in urls:
            found[hook_id]["host"] = urlsplit(url).hostname or ""
            found[hook_id]["url_sha256"] = hashlib.sha256(url.encode()).hexdigest()
            found[hook_id]["secret_version"] = 0
        s = t.webhook_secrets
        newest = select(s.c.webhook_id, func.max(s.c.version)).group_by(s.c.webhook_id)
        for hook_id, version in self._c.execute(_where(newest, s.c.webhook_id, keys)):
            if hook_id in found:
                found[hook_id]["secret_version"] = version
        return found

    def _collect_settings(self, keys: Collection[str] | None) -> dict[str, Content]:
        """How a collect touchpoint confirms its consents, keyed by the touchpoint."""
        return self._simple(
            t.collect_settings,
            "touchpoint_key",
            ("confirmation", "confirm_within_minutes", "otp_max_attempts", "language",
             "confirmed_by", "updated_at"),
            keys,
        )  # fmt: skip

    def _brand(self, keys: Collection[str] | None) -> dict[str, Content]:
        """The brand's fields and its logo's type and hash (the bytes stay in the row)."""
        b = t.brand
        names = [c.name for c in b.columns if c.name not in ("id", "logo")]
        found = {}
        for row in self._c.execute(_where(select(b), b.c.id, keys)):
            content = _columns(row, names)
            content["logo_sha256"] = None if row.logo is None else _digest(bytes(row.logo))
            found[row.id] = content
        return found


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _sha256(text: str) -> str:
    """A reason enters a leaf only as its hash: it may name the person or the claim."""
    return hashlib.sha256(text.encode()).hexdigest()


OBJECT_TYPES = (
    TOUCHPOINT, PURPOSE, PURPOSE_VERSION, NOTICE, NOTICE_VERSION, API_KEY, ADMIN_USER,
    SIGNING_KEY, CONTACT_POLICY, SUPPRESSION_ENTRY, OPPOSITION_REGISTER, EXAMINATION, SOURCE_FILE,
    DEFENCE_COPY, DEFENCE_READ, LEGAL_HOLD, SYSTEM, WEBHOOK, COLLECT_SETTINGS, BRAND,
)  # fmt: skip
