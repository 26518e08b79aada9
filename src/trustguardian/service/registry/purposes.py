"""Use cases for purposes of processing, versioned forever."""

from __future__ import annotations

from trustguardian.domain.common import check_key
from trustguardian.domain.errors import AlreadyExists, Conflict, FieldError, InvalidInput, NotFound
from trustguardian.domain.registry import Purpose, PurposeContent, PurposeVersion, RecordStatus
from trustguardian.service.context import Context
from trustguardian.service.events.records import record_objects
from trustguardian.service.pagination import Page, decode_cursor, paginate
from trustguardian.store.snapshots import PURPOSE, PURPOSE_VERSION
from trustguardian.store.uow import UnitOfWork


def create_purpose(ctx: Context, *, key: str, content: PurposeContent) -> Purpose:
    """Registers a purpose with its first version."""
    check_key(key)
    _check(content)
    version = PurposeVersion(key=key, version=1, content=content, created_at=ctx.clock.now())
    with ctx.uow() as uow:
        if uow.purposes.get(key) is not None:
            raise AlreadyExists(
                f"purpose {key!r} already exists", errors=[FieldError("key", "taken")]
            )
        uow.purposes.add(version)
        record_objects(ctx, uow, PURPOSE, [key], "created")
        record_objects(ctx, uow, PURPOSE_VERSION, [f"{key}/1"], "created")
        uow.commit()
    return Purpose(key=key, status=RecordStatus.ACTIVE, current=version)


def revise_purpose(ctx: Context, *, key: str, content: PurposeContent) -> Purpose:
    """Makes a new version when anything changed; the old versions stay readable forever."""
    _check(content)
    with ctx.uow() as uow:
        purpose = _get(uow, key)
        if purpose.status is RecordStatus.RETIRED:
            raise Conflict(f"purpose {key!r} is retired")
        if purpose.current.content == content:
            return purpose
        version = PurposeVersion(
            key=key,
            version=purpose.current.version + 1,
            content=content,
            created_at=ctx.clock.now(),
        )
        uow.purposes.add_version(version)
        record_objects(ctx, uow, PURPOSE_VERSION, [f"{key}/{version.version}"], "created")
        record_objects(ctx, uow, PURPOSE, [key], "revised")
        uow.commit()
    return Purpose(key=key, status=purpose.status, current=version)


def retire_purpose(ctx: Context, *, key: str) -> Purpose:
    """Retires a purpose: no new consent for it, its history kept."""
    with ctx.uow() as uow:
        purpose = _get(uow, key)
        uow.purposes.set_status(key, RecordStatus.RETIRED, ctx.clock.now())
        record_objects(ctx, uow, PURPOSE, [key], "retired")
        uow.commit()
    return Purpose(key=key, status=RecordStatus.RETIRED, current=purpose.current)


def get_purpose(ctx: Context, *, key: str) -> Purpose:
    """Gets a purpose with its current version."""
    with ctx.uow(write=False) as uow:
        return _get(uow, key)


def purpose_versions(ctx: Context, *, key: str) -> list[PurposeVersion]:
    """Lists every version of a purpose, oldest first."""
    with ctx.uow(write=False) as uow:
        _get(uow, key)
        return uow.purposes.versions(key)


def purpose_version(ctx: Context, *, key: str, version: int) -> PurposeVersion:
    """Gets one version of a purpose."""
    with ctx.uow(write=False) as uow:
        found = uow.purposes.version(key, version)
    if found is None:
        raise NotFound(f"no version {version} of purpose {key!r}")
    return found


def list_purposes(
    ctx: Context, *, cursor: str | None = None, limit: int | None = None
) -> Page[Purpose]:
    """Lists purposes by key, a page at a time."""
    size = ctx.limit(limit)
    with ctx.uow(write=False) as uow:
        rows = uow.purposes.page(after=decode_cursor(cursor), limit=size + 1)
    return paginate(rows, size, lambda p: p.key)


def _get(uow: UnitOfWork, key: str) -> Purpose:
    purpose = uow.purposes.get(key)
    if purpose is None:
        raise NotFound(f"no purpose {key!r}")
    return purpose


def _check(content: PurposeContent) -> None:
    errors = []
    if not content.name.strip():
        errors.append(FieldError("name", "must not be empty"))
    if not content.channels:
        errors.append(FieldError("channels", "name at least one channel"))
    if content.retention_days < 1:
        errors.append(FieldError("retention_days", "must be at least 1"))
    if content.consent_lifetime_days is not None and content.consent_lifetime_days < 1:
        errors.append(FieldError("consent_lifetime_days", "must be at least 1"))
    if not content.controller.strip():
        errors.append(FieldError("controller", "must not be empty"))
    if errors:
        raise InvalidInput("purpose is not valid", errors=errors)
