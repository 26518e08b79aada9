"""Routers for contact policies, the suppression list and the opposition registers: list, add,
change and remove. They act beyond any one touchpoint: keys bound to a touchpoint are refused.

Suppression entries are named by their keyed hash (what the list holds): no identifier in clear
ever appears in a URL.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, status
from pydantic import BaseModel, Field

from trustguardian.api.auth import get_context, require
from trustguardian.api.schemas import Input, Key, PageRead
from trustguardian.api.subjects import IdentifierIn, to_identifiers
from trustguardian.domain.access import ApiKey, Scope, key_actor
from trustguardian.domain.errors import FieldError, InvalidInput
from trustguardian.domain.registry import Channel
from trustguardian.service.context import Context
from trustguardian.service.engage import admin, lists

router = APIRouter(prefix="/v1", tags=["contact rules"])
Ctx = Annotated[Context, Depends(get_context)]
Reader = Annotated[ApiKey, Depends(require(Scope.REGISTRY_READ, unbound=True))]
Writer = Annotated[ApiKey, Depends(require(Scope.REGISTRY_WRITE, unbound=True))]
Entry = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
Window = dict[str, Any]


MaxContacts = Annotated[
    int | None, Field(ge=1, le=10_000, description="At most this many contacts per person...")
]
Days = Annotated[int | None, Field(ge=1, le=3660, description="...in this many days.")]
WINDOW = (
    'The contact window, e.g. {"weekdays": ["09:00","20:00"], "saturday": null, "sunday": '
    'null, "on_holidays": false, "time_zone": "Europe/Rome"}.'
)
Reason = Annotated[
    str, Field(min_length=1, max_length=200, description="Why the entry is on the list.")
]


class PolicyCreate(Input):
    purpose: Key | None = Field(default=None, description="Only this purpose (null: any).")
    channel: Channel | None = Field(default=None, description="Only this channel (null: any).")
    max_contacts: MaxContacts = None
    days: Days = None
    window: Window | None = Field(default=None, description=WINDOW)


class PolicyUpdate(Input):
    max_contacts: MaxContacts = None
    days: Days = None
    window: Window | None = Field(default=None, description=WINDOW)


class PolicyRead(BaseModel):
    id: str = Field(description="The policy's id (kept when it is changed).")
    purpose: str | None = Field(description="Only this purpose (null: any).")
    channel: str | None = Field(description="Only this channel (null: any).")
    max_contacts: int | None = Field(description="At most this many contacts per person...")
    days: int | None = Field(description="...in this many days.")
    window: Window | None = Field(description=WINDOW)
    since: datetime = Field(description="When this version of the policy took effect.")

    @classmethod
    def of(cls, row: lists.PolicyRow) -> PolicyRead:
        return cls(
            id=row.id,
            purpose=row.purpose_key,
            channel=row.channel,
            max_contacts=row.max_contacts,
            days=row.days,
            window=row.window,
            since=row.created_at,
        )


class SuppressionCreate(Input):
    identifiers: Annotated[list[IdentifierIn], Field(min_length=1, max_length=1000)] = Field(
        description="The identifiers never to contact (kept as keyed hashes)."
    )
    reason: Reason = "internal suppression"


class SuppressionUpdate(Input):
    reason: Reason


class SuppressionRead(BaseModel):
    entry: str = Field(description="The identifier's keyed hash.")
    reason: str = Field(description="Why the entry is on the list.")
    added_at: datetime = Field(description="Since when the entry is on the list.")


class SuppressionAdded(BaseModel):
    added: int = Field(description="How many identifiers were not on the list before.")


class RegisterUpdate(Input):
    register_date: date = Field(description="The register's right date.")


class RegisterRead(BaseModel):
    id: str = Field(description="The import's id.")
    name: str = Field(description="The register's name (rpo: Registro Pubblico Opposizioni).")
    kind: str = Field(description="phone or post.")
    register_date: date = Field(description="The date of the register's file.")
    entries: int = Field(description="How many numbers or addresses it lists.")
    file_sha256: str = Field(description="SHA-256 of the file imported.")
    imported_at: datetime = Field(description="When it was imported.")
    removed_at: datetime | None = Field(description="When it was removed (null: it stands).")

    @classmethod
    def of(cls, found: lists.RegisterImport) -> RegisterRead:
        return cls(**vars(found))


class RegisterImported(BaseModel):
    id: str | None = Field(description="The import's id.")
    entries: int = Field(description="How many numbers or addresses it lists.")
    rejected: list[dict[str, Any]] = Field(description="Lines that could not be read: line, why.")


# --- policies ---------------------------------------------------------------------------------


@router.get("/policies", operation_id="listPolicies")
def list_policies(ctx: Ctx, _: Reader) -> list[PolicyRead]:
    """Lists the contact policies in force (frequency caps and contact windows)."""
    return [PolicyRead.of(p) for p in lists.list_policies(ctx)]


@router.post("/policies", operation_id="createPolicy", status_code=status.HTTP_201_CREATED)
def create_policy(body: PolicyCreate, ctx: Ctx, key: Writer) -> PolicyRead:
    """Adds a contact policy: a frequency cap (max_contacts in days) and/or a contact window."""
    policy_id = admin.add_policy(
        ctx,
        purpose=body.purpose,
        channel=body.channel,
        max_contacts=body.max_contacts,
        days=body.days,
        window=body.window,
        actor=key_actor(key, None),
    )
    return next(PolicyRead.of(p) for p in lists.list_policies(ctx) if p.id == policy_id)


@router.patch("/policies/{policy_id}", operation_id="updatePolicy")
def update_policy(policy_id: str, body: PolicyUpdate, ctx: Ctx, key: Writer) -> PolicyRead:
    """Replaces a policy's cap and window from now on; checks of an earlier moment keep the old."""
    changed = lists.change_policy(
        ctx,
        policy_id=policy_id,
        max_contacts=body.max_contacts,
        days=body.days,
        window=body.window,
        actor=key_actor(key, None),
    )
    return PolicyRead.of(changed)


@router.delete(
    "/policies/{policy_id}", operation_id="deletePolicy", status_code=status.HTTP_204_NO_CONTENT
)
def delete_policy(policy_id: str, ctx: Ctx, key: Writer) -> Response:
    """Removes a policy from now on; checks of an earlier moment still apply it."""
    lists.remove_policy(ctx, policy_id=policy_id, actor=key_actor(key, None))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- suppression ------------------------------------------------------------------------------


@router.get("/suppression", operation_id="listSuppression")
def list_suppression(
    ctx: Ctx,
    _: Reader,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> PageRead[SuppressionRead]:
    """Lists the suppression list's entries (keyed hashes), a page at a time."""
    rows = lists.list_suppression(ctx, after=cursor, limit=limit)
    return PageRead(
        items=[SuppressionRead(entry=r.blind, reason=r.reason, added_at=r.added_at) for r in rows],
        next_cursor=rows[-1].blind if len(rows) == limit else None,
    )


@router.post("/suppression", operation_id="addSuppression", status_code=status.HTTP_201_CREATED)
def add_suppression(body: SuppressionCreate, ctx: Ctx, key: Writer) -> SuppressionAdded:
    """Puts identifiers on the suppression list (kept as keyed hashes); says how many were new."""
    identifiers = to_identifiers(ctx, body.identifiers)
    return SuppressionAdded(
        added=admin.suppress(
            ctx, identifiers=identifiers, reason=body.reason, actor=key_actor(key, None)
        )
    )


@router.patch("/suppression/{entry}", operation_id="updateSuppression")
def update_suppression(
    entry: Entry, body: SuppressionUpdate, ctx: Ctx, key: Writer
) -> SuppressionRead:
    """Changes why an entry is on the suppression list."""
    row = lists.change_suppression(ctx, entry=entry, reason=body.reason, actor=key_actor(key, None))
    return SuppressionRead(entry=row.blind, reason=row.reason, added_at=row.added_at)


@router.delete(
    "/suppression/{entry}",
    operation_id="deleteSuppression",
    status_code=status.HTTP_204_NO_CONTENT,
)
def delete_suppression(entry: Entry, ctx: Ctx, key: Writer) -> Response:
    """Takes an entry off the suppression list from now on (an erased person stays suppressed)."""
    lists.remove_suppression(ctx, entry=entry, actor=key_actor(key, None))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- registers --------------------------------------------------------------------------------


@router.get("/registers", operation_id="listRegisters")
def list_registers(ctx: Ctx, _: Reader) -> list[RegisterRead]:
    """Lists every import of every opposition register, removed ones too."""
    return [RegisterRead.of(r) for r in lists.list_registers(ctx)]


@router.post(
    "/registers",
    operation_id="importRegister",
    status_code=status.HTTP_201_CREATED,
    openapi_extra={
        "requestBody": {
            "content": {
                "text/csv": {"schema": {"type": "string"}, "example": "numero\r\n3331234567\r\n"}
            },
            "required": True,
        }
    },
)
async def import_register(
    request: Request,
    ctx: Ctx,
    key: Writer,
    register_date: date,
    name: Key = "rpo",
    kind: Annotated[str, Query(pattern="^(phone|post)$")] = "phone",
) -> RegisterImported:
    """Imports a register file: one number (phone, further CSV columns ignored) or postal
    address (post) per line, UTF-8; a line that does not read is answered with its number."""
    data = await request.body()
    if not data.strip():
        raise InvalidInput("the register file is empty", errors=[FieldError("body", "empty")])
    entries, rejected = admin.import_register(
        ctx,
        name=name,
        kind=kind,
        register_date=register_date,
        lines=data.splitlines(),
        file_sha256=admin.file_digest(data),
        actor=key_actor(key, None),
    )
    current = [r for r in lists.list_registers(ctx) if r.name == name and r.kind == kind]
    return RegisterImported(
        id=current[0].id if current else None,
        entries=entries,
        rejected=[{"line": n, "why": why} for n, why in rejected],
    )


@router.patch("/registers/{register_id}", operation_id="updateRegister")
def update_register(register_id: str, body: RegisterUpdate, ctx: Ctx, key: Writer) -> RegisterRead:
    """Corrects an import's date (and the date its numbers were first seen)."""
    return RegisterRead.of(
        lists.change_register(
            ctx,
            register_id=register_id,
            register_date=body.register_date,
            actor=key_actor(key, None),
        )
    )


@router.delete(
    "/registers/{register_id}",
    operation_id="deleteRegister",
    status_code=status.HTTP_204_NO_CONTENT,
)
def delete_register(register_id: str, ctx: Ctx, key: Writer) -> Response:
    """Removes an import from now on (the previous import is current again)."""
    lists.remove_register(ctx, register_id=register_id, actor=key_actor(key, None))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
