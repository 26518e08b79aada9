"""Routers for touchpoints, purposes and notices."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status
from pydantic import AwareDatetime

from trustguardian.api.auth import get_context, require
from trustguardian.api.schemas import (
    NoticeCreate,
    NoticeRead,
    NoticeVersionCreate,
    NoticeVersionRead,
    NoticeVersionUpdate,
    PageRead,
    PurposeCreate,
    PurposeRead,
    PurposeUpdate,
    PurposeVersionRead,
    TouchpointCreate,
    TouchpointRead,
    TouchpointUpdate,
)
from trustguardian.domain.access import ApiKey, Reach, Scope, key_actor
from trustguardian.domain.registry import TouchpointKind
from trustguardian.service.context import Context
from trustguardian.service.registry import notices, purposes, touchpoints

router = APIRouter(prefix="/v1")
Ctx = Annotated[Context, Depends(get_context)]
Reader = Annotated[ApiKey, Depends(require(Scope.REGISTRY_READ))]
Writer = Annotated[ApiKey, Depends(require(Scope.REGISTRY_WRITE, Reach.TOUCHPOINT))]
SharedWriter = Annotated[ApiKey, Depends(require(Scope.REGISTRY_WRITE, Reach.UNBOUND))]
Cursor = Annotated[str | None, Query(max_length=512)]
Limit = Annotated[int | None, Query(ge=1, le=1000)]
# Versions are 32-bit in the database: a larger number is a 422, not a failed query.
Version = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.post(
    "/touchpoints",
    operation_id="createTouchpoint",
    status_code=status.HTTP_201_CREATED,
    tags=["touchpoints"],
)
def create_touchpoint(body: TouchpointCreate, ctx: Ctx, caller: SharedWriter) -> TouchpointRead:
    """Registers a touchpoint: where the company meets people and collects or uses their data."""
    draft = touchpoints.TouchpointDraft(**body.model_dump())
    return TouchpointRead.of(
        touchpoints.create_touchpoint(ctx, draft=draft, actor=key_actor(caller))
    )


@router.get("/touchpoints", operation_id="listTouchpoints", tags=["touchpoints"])
def list_touchpoints(
    ctx: Ctx,
    _: Reader,
    cursor: Cursor = None,
    limit: Limit = None,
    kind: TouchpointKind | None = None,
) -> PageRead[TouchpointRead]:
    """Lists touchpoints by key, a page at a time (optionally of one kind)."""
    page = touchpoints.list_touchpoints(ctx, cursor=cursor, limit=limit, kind=kind)
    return PageRead(
        items=[TouchpointRead.of(tp) for tp in page.items], next_cursor=page.next_cursor
    )


@router.get("/touchpoints/{key}", operation_id="getTouchpoint", tags=["touchpoints"])
def get_touchpoint(key: str, ctx: Ctx, _: Reader) -> TouchpointRead:
    """Gets a touchpoint with its status, purposes, notice and required proofs."""
    return TouchpointRead.of(touchpoints.get_touchpoint(ctx, key=key))


@router.patch("/touchpoints/{key}", operation_id="updateTouchpoint", tags=["touchpoints"])
def update_touchpoint(key: str, body: TouchpointUpdate, ctx: Ctx, caller: Writer) -> TouchpointRead:
    """Changes a touchpoint (not its key or kind)."""
    patch = touchpoints.TouchpointPatch(**body.model_dump())
    return TouchpointRead.of(
        touchpoints.update_touchpoint(ctx, key=key, patch=patch, actor=key_actor(caller))
    )


@router.post("/touchpoints/{key}/retire", operation_id="retireTouchpoint", tags=["touchpoints"])
def retire_touchpoint(key: str, ctx: Ctx, caller: Writer) -> TouchpointRead:
    """Retires a touchpoint; it stays in the census."""
    return TouchpointRead.of(touchpoints.retire_touchpoint(ctx, key=key, actor=key_actor(caller)))


@router.post(
    "/purposes",
    operation_id="createPurpose",
    status_code=status.HTTP_201_CREATED,
    tags=["purposes"],
)
def create_purpose(body: PurposeCreate, ctx: Ctx, caller: SharedWriter) -> PurposeRead:
    """Registers a purpose with its first version."""
    return PurposeRead.of(
        purposes.create_purpose(ctx, key=body.key, content=body.content(), actor=key_actor(caller))
    )


@router.get("/purposes", operation_id="listPurposes", tags=["purposes"])
def list_purposes(
    ctx: Ctx, _: Reader, cursor: Cursor = None, limit: Limit = None
) -> PageRead[PurposeRead]:
    """Lists purposes by key with their current version."""
    page = purposes.list_purposes(ctx, cursor=cursor, limit=limit)
    return PageRead(items=[PurposeRead.of(p) for p in page.items], next_cursor=page.next_cursor)


@router.get("/purposes/{key}", operation_id="getPurpose", tags=["purposes"])
def get_purpose(key: str, ctx: Ctx, _: Reader) -> PurposeRead:
    """Gets a purpose with its current version."""
    return PurposeRead.of(purposes.get_purpose(ctx, key=key))


@router.put("/purposes/{key}", operation_id="revisePurpose", tags=["purposes"])
def revise_purpose(key: str, body: PurposeUpdate, ctx: Ctx, caller: SharedWriter) -> PurposeRead:
    """Saves a purpose's content: a new version when anything changed."""
    return PurposeRead.of(
        purposes.revise_purpose(ctx, key=key, content=body.content(), actor=key_actor(caller))
    )


@router.post("/purposes/{key}/retire", operation_id="retirePurpose", tags=["purposes"])
def retire_purpose(key: str, ctx: Ctx, caller: SharedWriter) -> PurposeRead:
    """Retires a purpose: no new consent can be given for it; its versions stay readable."""
    return PurposeRead.of(purposes.retire_purpose(ctx, key=key, actor=key_actor(caller)))


@router.get("/purposes/{key}/versions", operation_id="listPurposeVersions", tags=["purposes"])
def list_purpose_versions(key: str, ctx: Ctx, _: Reader) -> list[PurposeVersionRead]:
    """Lists every version of a purpose."""
    return [PurposeVersionRead.of(v) for v in purposes.purpose_versions(ctx, key=key)]


@router.get(
    "/purposes/{key}/versions/{version}", operation_id="getPurposeVersion", tags=["purposes"]
)
def get_purpose_version(key: str, version: Version, ctx: Ctx, _: Reader) -> PurposeVersionRead:
    """Gets one version of a purpose."""
    return PurposeVersionRead.of(purposes.purpose_version(ctx, key=key, version=version))


@router.post(
    "/notices", operation_id="createNotice", status_code=status.HTTP_201_CREATED, tags=["notices"]
)
def create_notice(body: NoticeCreate, ctx: Ctx, caller: SharedWriter) -> NoticeRead:
    """Registers a notice; with a text, version 1 is published."""
    notice = notices.create_notice(ctx, **body.model_dump(), actor=key_actor(caller))
    return NoticeRead.of(*notices.get_notice(ctx, key=notice.key))


@router.get("/notices", operation_id="listNotices", tags=["notices"])
def list_notices(
    ctx: Ctx, _: Reader, cursor: Cursor = None, limit: Limit = None
) -> PageRead[NoticeRead]:
    """Lists privacy notices by key, a page at a time."""
    page = notices.list_notices(ctx, cursor=cursor, limit=limit)
    return PageRead(items=[NoticeRead.of(n) for n in page.items], next_cursor=page.next_cursor)


@router.get("/notices/{key}", operation_id="getNotice", tags=["notices"])
def get_notice(key: str, ctx: Ctx, _: Reader) -> NoticeRead:
    """Gets a notice with all its versions."""
    return NoticeRead.of(*notices.get_notice(ctx, key=key))


@router.post("/notices/{key}/retire", operation_id="retireNotice", tags=["notices"])
def retire_notice(key: str, ctx: Ctx, caller: SharedWriter) -> NoticeRead:
    """Retires a notice; its versions stay readable."""
    return NoticeRead.of(notices.retire_notice(ctx, key=key, actor=key_actor(caller)))


@router.post(
    "/notices/{key}/versions",
    operation_id="addNoticeVersion",
    status_code=status.HTTP_201_CREATED,
    tags=["notices"],
)
def add_notice_version(
    key: str, body: NoticeVersionCreate, ctx: Ctx, caller: SharedWriter
) -> NoticeVersionRead:
    """Adds a version, published unless `publish` is false."""
    return NoticeVersionRead.of(
        notices.add_notice_version(ctx, key=key, **body.model_dump(), actor=key_actor(caller))
    )


@router.get("/notices/{key}/in-force", operation_id="getNoticeInForce", tags=["notices"])
def notice_in_force(
    key: str, ctx: Ctx, _: Reader, at: AwareDatetime | None = None
) -> NoticeVersionRead:
    """Resolves the version in force at an instant (now by default)."""
    return NoticeVersionRead.of(notices.notice_in_force(ctx, key=key, at=at))


@router.get("/notices/{key}/versions/{version}", operation_id="getNoticeVersion", tags=["notices"])
def get_notice_version(key: str, version: Version, ctx: Ctx, _: Reader) -> NoticeVersionRead:
    """Gets one version of a notice, with its text, SHA-256 and dates."""
    return NoticeVersionRead.of(notices.notice_version(ctx, key=key, version=version))


@router.get(
    "/notices/{key}/versions/{version}/text",
    operation_id="getNoticeText",
    tags=["notices"],
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}}},
)
def get_notice_text(key: str, version: Version, ctx: Ctx, _: Reader) -> Response:
    """Returns the text of a version byte for byte, with its SHA-256 as an ETag."""
    found = notices.notice_version(ctx, key=key, version=version)
    return Response(
        found.text.encode("utf-8"),
        media_type="text/plain; charset=utf-8",
        headers={"ETag": f'"sha256:{found.sha256}"'},
    )


@router.put("/notices/{key}/versions/{version}", operation_id="updateNoticeDraft", tags=["notices"])
def update_notice_version(
    key: str, version: Version, body: NoticeVersionUpdate, ctx: Ctx, caller: SharedWriter
) -> NoticeVersionRead:
    """Rewrites a draft; a published version answers 409 and stays as it was."""
    return NoticeVersionRead.of(
        notices.update_notice_draft(
            ctx, key=key, version=version, **body.model_dump(), actor=key_actor(caller)
        )
    )


@router.post(
    "/notices/{key}/versions/{version}/publish",
    operation_id="publishNoticeVersion",
    tags=["notices"],
)
def publish_notice_version(
    key: str, version: Version, ctx: Ctx, caller: SharedWriter
) -> NoticeVersionRead:
    """Publishes a draft version: from then on it can never change."""
    return NoticeVersionRead.of(
        notices.publish_notice_version(ctx, key=key, version=version, actor=key_actor(caller))
    )
