"""Use cases for privacy notices: versions are drafted, published, then never change."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from trustguardian.domain.common import as_utc, check_key
from trustguardian.domain.errors import (
    AlreadyExists,
    Conflict,
    FieldError,
    Immutable,
    InvalidInput,
    NotFound,
)
from trustguardian.domain.registry import (
    Notice,
    NoticeVersion,
    RecordStatus,
    text_sha256,
    version_in_force,
)
from trustguardian.service.context import Context
from trustguardian.service.events.records import record_objects
from trustguardian.service.pagination import Page, decode_cursor, paginate
from trustguardian.store.snapshots import NOTICE, NOTICE_VERSION
from trustguardian.store.uow import UnitOfWork

LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def create_notice(
    ctx: Context,
    *,
    key: str,
    language: str,
    title: str,
    text: str | None = None,
    effective_from: datetime | None = None,
    actor: str = "registry",
) -> Notice:
    """Registers a notice; with a text, its first version is published at once."""
    check_key(key)
    if not LANGUAGE.fullmatch(language):
        raise InvalidInput(
            f"language {language!r} is not a language tag",
            errors=[FieldError("language", "use a BCP 47 tag such as it or en-GB")],
        )
    if not title.strip():
        raise InvalidInput("title is empty", errors=[FieldError("title", "must not be empty")])
    now = ctx.clock.now()
    notice = Notice(
        key=key, language=language, title=title.strip(), status=RecordStatus.ACTIVE, created_at=now
    )
    with ctx.uow() as uow:
        if uow.notices.get(key) is not None:
            raise AlreadyExists(
                f"notice {key!r} already exists", errors=[FieldError("key", "taken")]
            )
        uow.notices.add(notice)
        record_objects(ctx, uow, NOTICE, [key], "created", actor)
        if text is not None:
            _add_version(ctx, uow, key, text, effective_from, publish=True, actor=actor)
        uow.commit()
    return notice


def add_notice_version(
    ctx: Context,
    *,
    key: str,
    text: str,
    effective_from: datetime | None = None,
    publish: bool = True,
    actor: str = "registry",
) -> NoticeVersion:
    """Adds a new version (published at once unless asked for a draft)."""
    with ctx.uow() as uow:
        notice = _get(uow, key)
        if notice.status is RecordStatus.RETIRED:
            raise Conflict(f"notice {key!r} is retired")
        version = _add_version(ctx, uow, key, text, effective_from, publish=publish, actor=actor)
        uow.commit()
    return version


def import_historical_notice(
    ctx: Context,
    *,
    key: str,
    version: int,
    text: str,
    effective_from: datetime,
    entered_by: str,
    source_document: str,
) -> NoticeVersion:
    """Records a version shown in the past with its exact text, who entered it and from which
    source document, so that what happened then can cite it; it is published at once."""
    _check_text(text)
    moment = as_utc(effective_from)
    now = ctx.clock.now()
    errors = []
    if version < 1:
        errors.append(FieldError("version", "a version number from 1"))
    if moment >= now:
        errors.append(FieldError("effective_from", "a historical version took effect in the past"))
    if not entered_by.strip() or len(entered_by) > 200:
        errors.append(FieldError("entered_by", "who enters it: 1 to 200 characters"))
    if not source_document.strip() or len(source_document) > 500:
        errors.append(FieldError("source_document", "the document it comes from: 1 to 500 chars"))
    if errors:
        raise InvalidInput("the historical version cannot be recorded", errors=errors)
    with ctx.uow() as uow:
        _get(uow, key)
        versions = uow.notices.versions(key)
        if any(v.version == version for v in versions):
            raise AlreadyExists(
                f"notice {key!r} already has a version {version}",
                errors=[FieldError("version", "taken")],
            )
        # Only the time before the registry began may gain a text: after that, what was in
        # force is what the registry said then, and events already cite it.
        ordinary = [v.effective_from for v in versions if v.published and not v.historical]
        if ordinary and moment >= min(ordinary):
            raise Conflict(
                f"notice {key!r} has a version in force from {min(ordinary).isoformat()}: "
                "a historical version must take effect before it",
                errors=[FieldError("effective_from", f"before {min(ordinary).isoformat()}")],
            )
        if any(v.effective_from == moment for v in versions if v.published):
            raise Conflict(
                f"another version of notice {key!r} takes effect at {moment.isoformat()}",
                errors=[FieldError("effective_from", "taken by another version")],
            )
        found = NoticeVersion(
            key=key,
            version=version,
            text=text,
            sha256=text_sha256(text),
            effective_from=moment,
            published_at=now,
            created_at=now,
            entered_by=entered_by.strip(),
            source_document=source_document.strip(),
        )
        uow.notices.add_version(found)
        # The leaf says when it was entered (its time), by whom (its actor) and from what
        # (the snapshot carries `entered_by` and `source_document`).
        record_objects(
            ctx, uow, NOTICE_VERSION, [f"{key}/{version}"], "imported", found.entered_by or ""
        )
        uow.commit()
    return found


def update_notice_draft(
    ctx: Context,
    *,
    key: str,
    version: int,
    text: str,
    effective_from: datetime | None = None,
    actor: str = "registry",
) -> NoticeVersion:
    """Rewrites a draft version; a published version is refused and left untouched."""
    with ctx.uow() as uow:
        current = _get_version(uow, key, version)
        if current.published:
            raise Immutable(
                f"version {version} of notice {key!r} is published and can never change"
            )
        _check_text(text)
        moment = as_utc(effective_from) if effective_from else current.effective_from
        draft = NoticeVersion(
            key=key,
            version=version,
            text=text,
            sha256=text_sha256(text),
            effective_from=moment,
            published_at=None,
            created_at=current.created_at,
        )
        if not uow.notices.replace_draft(draft):
            raise Immutable(
                f"version {version} of notice {key!r} is published and can never change"
            )
        record_objects(ctx, uow, NOTICE_VERSION, [f"{key}/{version}"], "drafted", actor)
        uow.commit()
    return draft


def publish_notice_version(
    ctx: Context,
    *,
    key: str,
    version: int,
    effective_from: datetime | None = None,
    actor: str = "registry",
) -> NoticeVersion:
    """Publishes a draft: from now on its text and hash are fixed. It takes effect at the
    draft's date, or at `effective_from` when given (a draft saved yesterday, published now)."""
    with ctx.uow() as uow:
        current = _get_version(uow, key, version)
        if current.published:
            raise Immutable(f"version {version} of notice {key!r} is already published")
        now = ctx.clock.now()
        moment = as_utc(effective_from) if effective_from else current.effective_from
        _check_effective(ctx, uow, key, moment, now)
        published = NoticeVersion(
            key=key,
            version=version,
            text=current.text,
            sha256=current.sha256,
            effective_from=moment,
            published_at=now,
            created_at=current.created_at,
        )
        uow.notices.replace_draft(published)
        record_objects(ctx, uow, NOTICE_VERSION, [f"{key}/{version}"], "published", actor)
        uow.commit()
    return published


def retire_notice(ctx: Context, *, key: str, actor: str = "registry") -> Notice:
    """Retires a notice: no new versions; every version stays readable."""
    with ctx.uow() as uow:
        notice = _get(uow, key)
        uow.notices.set_status(key, RecordStatus.RETIRED)
        record_objects(ctx, uow, NOTICE, [key], "retired", actor)
        uow.commit()
    return Notice(
        key=key,
        language=notice.language,
        title=notice.title,
        status=RecordStatus.RETIRED,
        created_at=notice.created_at,
    )


def get_notice(ctx: Context, *, key: str) -> tuple[Notice, list[NoticeVersion]]:
    """Gets a notice with all its versions."""
    with ctx.uow(write=False) as uow:
        return _get(uow, key), uow.notices.versions(key)


def notice_version(ctx: Context, *, key: str, version: int) -> NoticeVersion:
    """Gets one version of a notice, its text exactly as published."""
    with ctx.uow(write=False) as uow:
        return _get_version(uow, key, version)


def notice_in_force(ctx: Context, *, key: str, at: datetime | None = None) -> NoticeVersion:
    """Resolves the version of a notice in force at an instant (now by default)."""
    moment = as_utc(at) if at else ctx.clock.now()
    with ctx.uow(write=False) as uow:
        _get(uow, key)
        found = version_in_force(uow.notices.versions(key), moment)
    if found is None:
        raise NotFound(f"no version of notice {key!r} was in force at {moment.isoformat()}")
    return found


def list_notices(
    ctx: Context, *, cursor: str | None = None, limit: int | None = None
) -> Page[Notice]:
    """Lists notices by key, a page at a time."""
    size = ctx.limit(limit)
    with ctx.uow(write=False) as uow:
        rows = uow.notices.page(after=decode_cursor(cursor), limit=size + 1)
    return paginate(rows, size, lambda n: n.key)


def _add_version(
    ctx: Context,
    uow: UnitOfWork,
    key: str,
    text: str,
    effective_from: datetime | None,
    *,
    publish: bool,
    actor: str,
) -> NoticeVersion:
    _check_text(text)
    now = ctx.clock.now()
    moment = as_utc(effective_from) if effective_from else now
    if publish:
        _check_effective(ctx, uow, key, moment, now)
    version = NoticeVersion(
        key=key,
        version=uow.notices.last_version_number(key) + 1,
        text=text,
        sha256=text_sha256(text),
        effective_from=moment,
        published_at=now if publish else None,
        created_at=now,
    )
    uow.notices.add_version(version)
    change = "published" if publish else "drafted"
    record_objects(ctx, uow, NOTICE_VERSION, [f"{key}/{version.version}"], change, actor)
    return version


def _check_effective(
    ctx: Context, uow: UnitOfWork, key: str, moment: datetime, now: datetime
) -> None:
    # Back-dating a version would rewrite which text was in force in the past.
    if moment < now - timedelta(seconds=ctx.settings.clock_skew_seconds):
        raise InvalidInput(
            "effective_from is in the past",
            errors=[FieldError("effective_from", "a new version cannot take effect in the past")],
        )
    latest = max((v.effective_from for v in uow.notices.versions(key) if v.published), default=None)
    if latest is not None and moment < latest:
        raise InvalidInput(
            "effective_from is before the latest published version's",
            errors=[FieldError("effective_from", f"must not be before {latest.isoformat()}")],
        )


def _check_text(text: str) -> None:
    if not text.strip():
        raise InvalidInput("text is empty", errors=[FieldError("text", "must not be empty")])
    if "\x00" in text:
        raise InvalidInput(
            "text contains a NUL character", errors=[FieldError("text", "NUL not allowed")]
        )


def _get(uow: UnitOfWork, key: str) -> Notice:
    notice = uow.notices.get(key)
    if notice is None:
        raise NotFound(f"no notice {key!r}")
    return notice


def _get_version(uow: UnitOfWork, key: str, version: int) -> NoticeVersion:
    _get(uow, key)
    found = uow.notices.version(key, version)
    if found is None:
        raise NotFound(f"no version {version} of notice {key!r}")
    return found
