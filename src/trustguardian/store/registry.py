"""Repositories for touchpoints, purposes and notices."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, delete, func, insert, select, update

from trustguardian.domain.registry import (
    Channel,
    Nature,
    Notice,
    NoticeVersion,
    ProofType,
    Purpose,
    PurposeVersion,
    RecordStatus,
    Touchpoint,
    TouchpointKind,
    TouchpointStatus,
)
from trustguardian.store import tables as t
from trustguardian.store.purpose_rows import purpose_version_of, purpose_version_values


class TouchpointRepository:
    """Stores touchpoints and the purposes each one collects or uses."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def get(self, key: str) -> Touchpoint | None:
        row = self._c.execute(select(t.touchpoints).where(t.touchpoints.c.key == key)).first()
        return None if row is None else self._load(row)

    def page(
        self, *, after: str | None, limit: int, kind: TouchpointKind | None = None
    ) -> list[Touchpoint]:
        query = select(t.touchpoints).order_by(t.touchpoints.c.key).limit(limit)
        if after is not None:
            query = query.where(t.touchpoints.c.key > after)
        if kind is not None:
            query = query.where(t.touchpoints.c.kind == kind.value)
        return [self._load(row) for row in self._c.execute(query)]

    def add(self, tp: Touchpoint) -> None:
        self._c.execute(insert(t.touchpoints).values(**self._columns(tp)))
        self._set_purposes(tp)

    def save(self, tp: Touchpoint) -> None:
        values = self._columns(tp)
        del values["key"], values["created_at"]
        self._c.execute(update(t.touchpoints).where(t.touchpoints.c.key == tp.key).values(**values))
        self._c.execute(
            delete(t.touchpoint_purposes).where(t.touchpoint_purposes.c.touchpoint_key == tp.key)
        )
        self._set_purposes(tp)

    def _set_purposes(self, tp: Touchpoint) -> None:
        if tp.purposes:
            self._c.execute(
                insert(t.touchpoint_purposes),
                [
                    {"touchpoint_key": tp.key, "purpose_key": key, "position": i}
                    for i, key in enumerate(tp.purposes)
                ],
            )

    @staticmethod
    def _columns(tp: Touchpoint) -> dict[str, Any]:
        return {
            "key": tp.key,
            "name": tp.name,
            "kind": tp.kind.value,
            "channel": tp.channel.value,
            "nature": tp.nature.value,
            "owner": tp.owner,
            "systems": list(tp.systems),
            "notice_key": tp.notice_key,
            "required_proofs": [p.value for p in tp.required_proofs],
            "status": tp.status.value,
            "description": tp.description,
            "created_at": tp.created_at,
            "updated_at": tp.updated_at,
        }

    def _load(self, row: Row[Any]) -> Touchpoint:
        purposes = self._c.execute(
            select(t.touchpoint_purposes.c.purpose_key)
            .where(t.touchpoint_purposes.c.touchpoint_key == row.key)
            .order_by(t.touchpoint_purposes.c.position)
        ).scalars()
        return Touchpoint(
            key=row.key,
            name=row.name,
            kind=TouchpointKind(row.kind),
            channel=Channel(row.channel),
            nature=Nature(row.nature),
            owner=row.owner,
            systems=tuple(row.systems),
            purposes=tuple(purposes),
            notice_key=row.notice_key,
            required_proofs=tuple(ProofType(p) for p in row.required_proofs),
            status=TouchpointStatus(row.status),
            description=row.description,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


class PurposeRepository:
    """Stores purposes and every version they ever had."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def get(self, key: str) -> Purpose | None:
        row = self._c.execute(select(t.purposes).where(t.purposes.c.key == key)).first()
        if row is None:
            return None
        current = self.version(key, row.current_version)
        assert current is not None, "a purpose always has its current version"
        return Purpose(key=key, status=RecordStatus(row.status), current=current)

    def page(self, *, after: str | None, limit: int) -> list[Purpose]:
        query = (
            select(t.purposes.c.status, t.purpose_versions)
            .join(
                t.purpose_versions,
                and_(
                    t.purpose_versions.c.purpose_key == t.purposes.c.key,
                    t.purpose_versions.c.version == t.purposes.c.current_version,
                ),
            )
            .order_by(t.purposes.c.key)
            .limit(limit)
        )
        if after is not None:
            query = query.where(t.purposes.c.key > after)
        return [
            Purpose(
                key=row.purpose_key,
                status=RecordStatus(row.status),
                current=purpose_version_of(row),
            )
            for row in self._c.execute(query)
        ]

    def existing_keys(self, keys: Sequence[str]) -> set[str]:
        """Returns which of these keys name a purpose."""
        if not keys:
            return set()
        rows = self._c.execute(select(t.purposes.c.key).where(t.purposes.c.key.in_(keys)))
        return set(rows.scalars())

    def version(self, key: str, version: int) -> PurposeVersion | None:
        row = self._c.execute(
            select(t.purpose_versions).where(
                t.purpose_versions.c.purpose_key == key, t.purpose_versions.c.version == version
            )
        ).first()
        return None if row is None else purpose_version_of(row)

    def versions(self, key: str) -> list[PurposeVersion]:
        rows = self._c.execute(
            select(t.purpose_versions)
            .where(t.purpose_versions.c.purpose_key == key)
            .order_by(t.purpose_versions.c.version)
        )
        return [purpose_version_of(row) for row in rows]

    def add(self, version: PurposeVersion) -> None:
        """Adds a new purpose with its first version."""
        self._c.execute(
            insert(t.purposes).values(
                key=version.key,
                status=RecordStatus.ACTIVE.value,
                current_version=version.version,
                created_at=version.created_at,
                updated_at=version.created_at,
            )
        )
        self._insert_version(version)

    def add_version(self, version: PurposeVersion) -> None:
        """Adds a version and makes it the current one."""
        self._insert_version(version)
        self._c.execute(
            update(t.purposes)
            .where(t.purposes.c.key == version.key)
            .values(current_version=version.version, updated_at=version.created_at)
        )

    def set_status(self, key: str, status: RecordStatus, at: datetime) -> None:
        self._c.execute(
            update(t.purposes)
            .where(t.purposes.c.key == key)
            .values(status=status.value, updated_at=at)
        )

    def _insert_version(self, v: PurposeVersion) -> None:
        self._c.execute(insert(t.purpose_versions).values(**purpose_version_values(v)))


@dataclass(frozen=True)
class CitedNotice:
    """A notice version as events cite it, beside what the registry now holds for it."""

    key: str
    version: int
    cited_sha256: str | None
    first_seq: int
    text: str | None
    sha256: str | None


class NoticeRepository:
    """Stores notices and their versions; a published version is never updated."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def get(self, key: str) -> Notice | None:
        row = self._c.execute(select(t.notices).where(t.notices.c.key == key)).first()
        return None if row is None else _notice(row)

    def cited(self, size: int) -> list[CitedNotice]:
        """Each notice version the first `size` events cite, with the hash they cite it by and
        the version's stored text and hash (None when the version is gone)."""
        e, v = t.events.c, t.notice_versions.c
        cites = (
            select(e.notice_key, e.notice_version, e.notice_sha256, func.min(e.seq).label("seq"))
            .where(e.seq < size, e.notice_key.is_not(None), e.notice_version.is_not(None))
            .group_by(e.notice_key, e.notice_version, e.notice_sha256)
            .subquery()
        )
        rows = self._c.execute(
            select(cites, v.text, v.sha256)
            .outerjoin(
                t.notice_versions,
                and_(v.notice_key == cites.c.notice_key, v.version == cites.c.notice_version),
            )
            .order_by(cites.c.seq)
        )
        return [CitedNotice(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]

    def page(self, *, after: str | None, limit: int) -> list[Notice]:
        query = select(t.notices).order_by(t.notices.c.key).limit(limit)
        if after is not None:
            query = query.where(t.notices.c.key > after)
        return [_notice(row) for row in self._c.execute(query)]

    def add(self, notice: Notice) -> None:
        self._c.execute(
            insert(t.notices).values(
                key=notice.key,
                language=notice.language,
                title=notice.title,
                status=notice.status.value,
                created_at=notice.created_at,
            )
        )

    def set_status(self, key: str, status: RecordStatus) -> None:
        self._c.execute(update(t.notices).where(t.notices.c.key == key).values(status=status.value))

    def versions(self, key: str) -> list[NoticeVersion]:
        rows = self._c.execute(
            select(t.notice_versions)
            .where(t.notice_versions.c.notice_key == key)
            .order_by(t.notice_versions.c.version)
        )
        return [_notice_version(row) for row in rows]

    def version(self, key: str, version: int) -> NoticeVersion | None:
        row = self._c.execute(
            select(t.notice_versions).where(
                t.notice_versions.c.notice_key == key, t.notice_versions.c.version == version
            )
        ).first()
        return None if row is None else _notice_version(row)

    def last_version_number(self, key: str) -> int:
        number = self._c.execute(
            select(func.max(t.notice_versions.c.version)).where(
                t.notice_versions.c.notice_key == key
            )
        ).scalar()
        return int(number or 0)

    def add_version(self, v: NoticeVersion) -> None:
        self._c.execute(insert(t.notice_versions).values(**_notice_version_columns(v)))

    def replace_draft(self, v: NoticeVersion) -> bool:
        """Rewrites a draft; the WHERE clause makes a published version impossible to touch."""
        values = _notice_version_columns(v)
        result = self._c.execute(
            update(t.notice_versions)
            .where(
                t.notice_versions.c.notice_key == v.key,
                t.notice_versions.c.version == v.version,
                t.notice_versions.c.published_at.is_(None),
            )
            .values(
                text=values["text"],
                sha256=values["sha256"],
                effective_from=values["effective_from"],
                published_at=values["published_at"],
            )
        )
        return result.rowcount == 1


def _notice(row: Row[Any]) -> Notice:
    return Notice(
        key=row.key,
        language=row.language,
        title=row.title,
        status=RecordStatus(row.status),
        created_at=row.created_at,
    )


def _notice_version(row: Row[Any]) -> NoticeVersion:
    return NoticeVersion(
        key=row.notice_key,
        version=row.version,
        text=row.text,
        sha256=row.sha256,
        effective_from=row.effective_from,
        published_at=row.published_at,
        created_at=row.created_at,
        entered_by=row.entered_by,
        source_document=row.source_document,
    )


def _notice_version_columns(v: NoticeVersion) -> dict[str, Any]:
    return {
        "notice_key": v.key,
        "version": v.version,
        "text": v.text,
        "sha256": v.sha256,
        "effective_from": v.effective_from,
        "published_at": v.published_at,
        "created_at": v.created_at,
        "entered_by": v.entered_by,
        "source_document": v.source_document,
    }
