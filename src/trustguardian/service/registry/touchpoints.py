"""Use cases for the census of touchpoints."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from trustguardian.domain.common import check_key
from trustguardian.domain.errors import AlreadyExists, Conflict, FieldError, InvalidInput, NotFound
from trustguardian.domain.registry import (
    STATUS_MOVES,
    Channel,
    Nature,
    ProofType,
    Touchpoint,
    TouchpointKind,
    TouchpointStatus,
)
from trustguardian.service.context import Context
from trustguardian.service.events.records import record_objects
from trustguardian.service.pagination import Page, decode_cursor, paginate
from trustguardian.service.registry.census import check_can_retire, check_can_secure
from trustguardian.store.snapshots import TOUCHPOINT
from trustguardian.store.uow import UnitOfWork


@dataclass(frozen=True)
class TouchpointDraft:
    key: str
    name: str
    kind: TouchpointKind
    channel: Channel
    nature: Nature
    owner: str = ""
    systems: Sequence[str] = ()
    purposes: Sequence[str] = ()
    notice_key: str | None = None
    required_proofs: Sequence[ProofType] = ()
    description: str = ""


@dataclass(frozen=True)
class TouchpointPatch:
    """Changes to a touchpoint; None leaves a field as it is (`clear_notice` removes the notice)."""

    name: str | None = None
    channel: Channel | None = None
    nature: Nature | None = None
    owner: str | None = None
    systems: Sequence[str] | None = None
    purposes: Sequence[str] | None = None
    notice_key: str | None = None
    clear_notice: bool = False
    required_proofs: Sequence[ProofType] | None = None
    status: TouchpointStatus | None = None
    description: str | None = None


def create_touchpoint(
    ctx: Context, *, draft: TouchpointDraft, actor: str = "registry"
) -> Touchpoint:
    """Registers a touchpoint in the census."""
    check_key(draft.key)
    now = ctx.clock.now()
    tp = Touchpoint(
        key=draft.key,
        name=_name(draft.name),
        kind=draft.kind,
        channel=draft.channel,
        nature=draft.nature,
        owner=draft.owner,
        systems=_unique(draft.systems, "systems"),
        purposes=_unique(draft.purposes, "purposes"),
        notice_key=draft.notice_key,
        required_proofs=tuple(dict.fromkeys(draft.required_proofs)),
        status=TouchpointStatus.CENSUSED,
        description=draft.description,
        created_at=now,
        updated_at=now,
    )
    with ctx.uow() as uow:
        if uow.touchpoints.get(tp.key) is not None:
            raise AlreadyExists(
                f"touchpoint {tp.key!r} already exists", errors=[FieldError("key", "taken")]
            )
        _check_references(uow, tp)
        uow.touchpoints.add(tp)
        record_objects(ctx, uow, TOUCHPOINT, [tp.key], "created", actor)
        uow.commit()
    return tp


def update_touchpoint(
    ctx: Context, *, key: str, patch: TouchpointPatch, actor: str = "registry"
) -> Touchpoint:
    """Changes what may change about a touchpoint; a retired one stays as it was."""
    with ctx.uow() as uow:
        current = _get(uow, key)
        if current.status is TouchpointStatus.RETIRED:
            raise Conflict(f"touchpoint {key!r} is retired and can no longer change")
        changes = {
            name: value
            for name, value in dataclasses.asdict(patch).items()
            if value is not None and name != "clear_notice"
        }
        if "name" in changes:
            changes["name"] = _name(changes["name"])
        for field in ("systems", "purposes"):
            if field in changes:
                changes[field] = _unique(changes[field], field)
        if "required_proofs" in changes:
            changes["required_proofs"] = tuple(dict.fromkeys(changes["required_proofs"]))
        if patch.clear_notice:
            changes["notice_key"] = None
        if patch.status is not None and patch.status is not current.status:
            _check_move(current.status, patch.status)
            if patch.status is TouchpointStatus.SECURED:
                check_can_secure(uow, current)
                raise Conflict(
                    f"securing {key!r} is a person's sign-off: `trustguardian touchpoints secure "
                    f"{key} --by USER --note TEXT` (POST /v1/touchpoints/{key}/secure)"
                )
            if patch.status is TouchpointStatus.RETIRED:
                check_can_retire(uow, current)
        updated = dataclasses.replace(current, **changes, updated_at=ctx.clock.now())
        _check_references(uow, updated)
        uow.touchpoints.save(updated)
        moved = updated.status is not current.status
        change = updated.status.value if moved else "changed"
        record_objects(ctx, uow, TOUCHPOINT, [key], change, actor)
        uow.commit()
    return updated


def retire_touchpoint(ctx: Context, *, key: str, actor: str = "registry") -> Touchpoint:
    """Retires a touchpoint: it stays in the census, with its history, but acts no more."""
    patch = TouchpointPatch(status=TouchpointStatus.RETIRED)
    return update_touchpoint(ctx, key=key, patch=patch, actor=actor)


def get_touchpoint(ctx: Context, *, key: str) -> Touchpoint:
    """Gets a touchpoint by its key."""
    with ctx.uow(write=False) as uow:
        return _get(uow, key)


def list_touchpoints(
    ctx: Context,
    *,
    cursor: str | None = None,
    limit: int | None = None,
    kind: TouchpointKind | None = None,
) -> Page[Touchpoint]:
    """Lists touchpoints by key, a page at a time."""
    size = ctx.limit(limit)
    with ctx.uow(write=False) as uow:
        rows = uow.touchpoints.page(after=decode_cursor(cursor), limit=size + 1, kind=kind)
    return paginate(rows, size, lambda tp: tp.key)


def _get(uow: UnitOfWork, key: str) -> Touchpoint:
    tp = uow.touchpoints.get(key)
    if tp is None:
        raise NotFound(f"no touchpoint {key!r}")
    return tp


def _check_references(uow: UnitOfWork, tp: Touchpoint) -> None:
    known = uow.purposes.existing_keys(tp.purposes)
    errors = [
        FieldError("purposes", f"unknown purpose {key!r}")
        for key in tp.purposes
        if key not in known
    ]
    if tp.notice_key is not None and uow.notices.get(tp.notice_key) is None:
        errors.append(FieldError("notice_key", f"unknown notice {tp.notice_key!r}"))
    if errors:
        raise InvalidInput("touchpoint refers to unknown records", errors=errors)


def _check_move(current: TouchpointStatus, target: TouchpointStatus) -> None:
    if target not in STATUS_MOVES[current]:
        raise Conflict(f"a touchpoint cannot move from {current.value} to {target.value}")


def _name(name: str) -> str:
    name = name.strip()
    if not name:
        raise InvalidInput("name is empty", errors=[FieldError("name", "must not be empty")])
    return name


def _unique(values: Sequence[str], field: str) -> tuple[str, ...]:
    cleaned = tuple(dict.fromkeys(v.strip() for v in values))
    if any(not v for v in cleaned):
        raise InvalidInput(f"{field} has an empty entry", errors=[FieldError(field, "empty entry")])
    return cleaned
