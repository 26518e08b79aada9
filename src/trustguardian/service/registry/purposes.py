"""Use cases for purposes of processing, versioned forever."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from trustguardian.domain.common import check_key
from trustguardian.domain.errors import AlreadyExists, Conflict, FieldError, InvalidInput, NotFound
from trustguardian.domain.registry import (
    EEA,
    SAFEGUARDS,
    Purpose,
    PurposeContent,
    PurposeLabel,
    PurposeVersion,
    RecordStatus,
    Transfer,
)
from trustguardian.service.context import Context
from trustguardian.service.events.records import record_objects
from trustguardian.service.pagination import Page, decode_cursor, paginate
from trustguardian.service.registry.notices import LANGUAGE
from trustguardian.store.snapshots import PURPOSE, PURPOSE_VERSION
from trustguardian.store.uow import UnitOfWork


def create_purpose(
    ctx: Context, *, key: str, content: PurposeContent, actor: str = "registry"
) -> Purpose:
    """Registers a purpose with its first version."""
    check_key(key)
    content = _check(content)
    version = PurposeVersion(key=key, version=1, content=content, created_at=ctx.clock.now())
    with ctx.uow() as uow:
        if uow.purposes.get(key) is not None:
            raise AlreadyExists(
                f"purpose {key!r} already exists", errors=[FieldError("key", "taken")]
            )
        uow.purposes.add(version)
        record_objects(ctx, uow, PURPOSE, [key], "created", actor)
        record_objects(ctx, uow, PURPOSE_VERSION, [f"{key}/1"], "created", actor)
        uow.commit()
    return Purpose(key=key, status=RecordStatus.ACTIVE, current=version)


def revise_purpose(
    ctx: Context,
    *,
    key: str,
    content: PurposeContent,
    keep_register_fields: bool = False,
    actor: str = "registry",
) -> Purpose:
    """Makes a new version when anything changed; the old versions stay readable forever.

    `keep_register_fields` carries the current version's register fields (recipients,
    transfers, categories, retention) over to a content that does not state them.
    """
    content = _check(content)
    with ctx.uow() as uow:
        purpose = _get(uow, key)
        if keep_register_fields:
            c = purpose.current.content
            content = dataclasses.replace(
                content,
                recipients=c.recipients,
                transfers=c.transfers,
                data_categories=c.data_categories,
                subject_categories=c.subject_categories,
                retention=c.retention,
                defence_retention_days=c.defence_retention_days,
            )
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
        record_objects(ctx, uow, PURPOSE_VERSION, [f"{key}/{version.version}"], "created", actor)
        record_objects(ctx, uow, PURPOSE, [key], "revised", actor)
        uow.commit()
    return Purpose(key=key, status=purpose.status, current=version)


def retire_purpose(ctx: Context, *, key: str, actor: str = "registry") -> Purpose:
    """Retires a purpose: no new consent for it, its history kept."""
    with ctx.uow() as uow:
        purpose = _get(uow, key)
        uow.purposes.set_status(key, RecordStatus.RETIRED, ctx.clock.now())
        record_objects(ctx, uow, PURPOSE, [key], "retired", actor)
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


def _check(content: PurposeContent) -> PurposeContent:
    """The content with its labels trimmed and sorted by language, or InvalidInput."""
    labels = tuple(
        sorted(
            (PurposeLabel(x.language.strip(), x.name.strip(), x.description.strip())
             for x in content.labels),
            key=lambda x: x.language,
        )
    )  # fmt: skip
    content = dataclasses.replace(content, labels=labels)
    errors = _label_errors(labels)
    if not content.name.strip():
        errors.append(FieldError("name", "must not be empty"))
    if not content.channels:
        errors.append(FieldError("channels", "name at least one channel"))
    if content.retention_days < 1:
        errors.append(FieldError("retention_days", "must be at least 1"))
    if content.defence_retention_days is not None and content.defence_retention_days < 1:
        errors.append(FieldError("defence_retention_days", "must be at least 1"))
    if content.consent_lifetime_days is not None and content.consent_lifetime_days < 1:
        errors.append(FieldError("consent_lifetime_days", "must be at least 1"))
    if not content.controller.strip():
        errors.append(FieldError("controller", "must not be empty"))
    errors += _register_errors(content)
    if errors:
        raise InvalidInput("purpose is not valid", errors=errors)
    return content


def _label_errors(labels: Sequence[PurposeLabel]) -> list[FieldError]:
    errors = []
    seen: set[str] = set()
    for n, x in enumerate(labels):
        if not LANGUAGE.fullmatch(x.language):
            errors.append(FieldError(f"labels.{n}.language", "a BCP 47 tag such as it or en-GB"))
        elif x.language.lower() in seen:
            errors.append(FieldError(f"labels.{n}.language", "a second label for this language"))
        seen.add(x.language.lower())
        if not x.name:
            errors.append(FieldError(f"labels.{n}.name", "must not be empty"))
    return errors


def _register_errors(content: PurposeContent) -> list[FieldError]:
    errors = []
    for n, t in enumerate(content.transfers):
        if not t.recipient.strip():
            errors.append(FieldError(f"transfers.{n}.recipient", "must not be empty"))
        if len(t.country) != 2 or not t.country.isalpha() or not t.country.isupper():
            errors.append(FieldError(f"transfers.{n}.country", "an ISO 3166-1 code such as US"))
        elif t.country in EEA:
            errors.append(FieldError(f"transfers.{n}.country", "in the EEA: not a transfer"))
        if t.safeguard not in SAFEGUARDS:
            errors.append(FieldError(f"transfers.{n}.safeguard", f"one of {', '.join(SAFEGUARDS)}"))
    for name in ("recipients", "data_categories", "subject_categories"):
        if any(not v.strip() for v in getattr(content, name)):
            errors.append(FieldError(name, "an entry is empty"))
    return errors


def set_register_fields(
    ctx: Context,
    *,
    key: str,
    recipients: Sequence[str],
    transfers: Sequence[Transfer],
    data_categories: Sequence[str],
    subject_categories: Sequence[str],
    retention: str,
) -> Purpose:
    """States what the register of processing says of a purpose beyond its content: its named
    recipients, transfers outside the EEA, categories of data and of people, and retention
    (a new version when anything changed)."""
    with ctx.uow(write=False) as uow:
        current = _get(uow, key).current.content
    content = dataclasses.replace(
        current,
        recipients=tuple(dict.fromkeys(v.strip() for v in recipients)),
        transfers=tuple(dict.fromkeys(transfers)),
        data_categories=tuple(dict.fromkeys(v.strip() for v in data_categories)),
        subject_categories=tuple(dict.fromkeys(v.strip() for v in subject_categories)),
        retention=retention.strip(),
    )
    return revise_purpose(ctx, key=key, content=content)


def set_defence_retention(ctx: Context, *, key: str, days: int | None) -> Purpose:
    """Sets how many days the proofs of consent for a purpose outlive an erasure (None: none);
    a new version when it changed."""
    with ctx.uow(write=False) as uow:
        current = _get(uow, key).current.content
    content = dataclasses.replace(current, defence_retention_days=days)
    return revise_purpose(ctx, key=key, content=content)
