"""The registry as one batch of events sees it: each record read once."""

from __future__ import annotations

from datetime import datetime

from trustguardian.domain.registry import (
    NoticeVersion,
    Purpose,
    PurposeVersion,
    Touchpoint,
    version_in_force,
)
from trustguardian.store.uow import UnitOfWork


class RegistryCache:
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self._touchpoints: dict[str, Touchpoint | None] = {}
        self._purposes: dict[str, Purpose | None] = {}
        self._purpose_versions: dict[str, list[PurposeVersion]] = {}
        self._notice_versions: dict[str, list[NoticeVersion] | None] = {}

    def touchpoint(self, key: str) -> Touchpoint | None:
        if key not in self._touchpoints:
            self._touchpoints[key] = self._uow.touchpoints.get(key)
        return self._touchpoints[key]

    def purpose(self, key: str) -> Purpose | None:
        if key not in self._purposes:
            self._purposes[key] = self._uow.purposes.get(key)
        return self._purposes[key]

    def purpose_versions(self, key: str) -> list[PurposeVersion]:
        if key not in self._purpose_versions:
            self._purpose_versions[key] = self._uow.purposes.versions(key)
        return self._purpose_versions[key]

    def purpose_version(self, key: str, version: int | None, at: datetime) -> PurposeVersion | None:
        """A named version, or the one in force at an instant (the first if none was yet)."""
        versions = self.purpose_versions(key)
        if version is not None:
            return next((v for v in versions if v.version == version), None)
        earlier = [v for v in versions if v.created_at <= at]
        return earlier[-1] if earlier else (versions[0] if versions else None)

    def notice_versions(self, key: str) -> list[NoticeVersion] | None:
        if key not in self._notice_versions:
            notice = self._uow.notices.get(key)
            self._notice_versions[key] = None if notice is None else self._uow.notices.versions(key)
        return self._notice_versions[key]

    def notice_version(self, key: str, version: int | None, at: datetime) -> NoticeVersion | None:
        """A named published version, or the one in force at an instant."""
        versions = self.notice_versions(key) or []
        if version is not None:
            return next((v for v in versions if v.version == version and v.published), None)
        return version_in_force(versions, at)
