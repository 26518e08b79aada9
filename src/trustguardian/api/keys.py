"""Router for API keys (admin only): a token is shown once, at creation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response, status
from pydantic import AwareDatetime, BaseModel, Field

from trustguardian.api.auth import get_context, require
from trustguardian.api.schemas import Input, Key, Name
from trustguardian.domain.access import ApiKey, Scope, key_actor
from trustguardian.service.access import api_keys as access
from trustguardian.service.context import Context

router = APIRouter(prefix="/v1", tags=["keys"])
Ctx = Annotated[Context, Depends(get_context)]
Admin = Annotated[ApiKey, Depends(require(Scope.ADMIN))]


class ApiKeyCreate(Input):
    name: Name
    scopes: Annotated[list[Scope], Field(min_length=1)]
    touchpoint: Key | None = None
    system: Key | None = Field(
        default=None,
        description="A company system's key: the events it records are attributed to that "
        "system and never sent back to it.",
    )


class ApiKeyChange(Input):
    """What changes about a key: a field left out stays as it is; `null` unbinds."""

    scopes: Annotated[list[Scope], Field(min_length=1)] | None = None
    touchpoint: Key | None = None
    system: Key | None = None


class ApiKeyRead(BaseModel):
    id: str
    name: str
    scopes: list[Scope]
    touchpoint: str | None
    system: str | None
    created_at: AwareDatetime
    revoked_at: AwareDatetime | None

    @classmethod
    def of(cls, key: ApiKey) -> ApiKeyRead:
        return cls(
            id=key.id,
            name=key.name,
            scopes=sorted(key.scopes),
            touchpoint=key.touchpoint_key,
            system=key.system_key,
            created_at=key.created_at,
            revoked_at=key.revoked_at,
        )


class ApiKeyCreated(ApiKeyRead):
    token: str = Field(description="The key itself: shown now and never again.")


@router.post("/keys", operation_id="createApiKey", status_code=status.HTTP_201_CREATED)
def create_key(body: ApiKeyCreate, ctx: Ctx, caller: Admin) -> ApiKeyCreated:
    """Creates an API key and shows its token once."""
    key, token = access.create_api_key(
        ctx,
        name=body.name,
        scopes=body.scopes,
        touchpoint_key=body.touchpoint,
        system_key=body.system,
        actor=key_actor(caller),
    )
    return ApiKeyCreated(**ApiKeyRead.of(key).model_dump(), token=token)


@router.get("/keys", operation_id="listApiKeys")
def list_keys(ctx: Ctx, _: Admin) -> list[ApiKeyRead]:
    """Lists API keys (never their tokens)."""
    return [ApiKeyRead.of(k) for k in access.list_api_keys(ctx)]


@router.patch("/keys/{key_id}", operation_id="changeApiKey")
def change_key(key_id: str, body: ApiKeyChange, ctx: Ctx, caller: Admin) -> ApiKeyRead:
    """Changes a live key's scopes or binding; its token stays the same."""
    current = access.get_api_key(ctx, key_id=key_id)
    stated = body.model_fields_set
    key = access.change_api_key(
        ctx,
        key_id=key_id,
        scopes=current.scopes if body.scopes is None else body.scopes,
        touchpoint_key=body.touchpoint if "touchpoint" in stated else current.touchpoint_key,
        system_key=body.system if "system" in stated else current.system_key,
        actor=key_actor(caller),
    )
    return ApiKeyRead.of(key)


@router.delete(
    "/keys/{key_id}", operation_id="revokeApiKey", status_code=status.HTTP_204_NO_CONTENT
)
def revoke_key(key_id: str, ctx: Ctx, caller: Admin) -> Response:
    """Revokes an API key at once: its next request is refused with 401."""
    access.revoke_api_key(ctx, key_id=key_id, actor=key_actor(caller))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
