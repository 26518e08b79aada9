"""Routers for company systems, webhooks and the state of synchronisation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from pydantic import AnyHttpUrl, AwareDatetime, BaseModel, Field

from trustguardian.api.auth import get_context, require
from trustguardian.api.schemas import Input, Key, Name
from trustguardian.domain.access import ApiKey, Reach, Scope, key_actor
from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import Channel
from trustguardian.domain.sync import DeliveryStatus, System, SystemKind, Webhook
from trustguardian.service.context import Context
from trustguardian.service.sync import status as sync_status
from trustguardian.service.sync import systems

router = APIRouter(prefix="/v1", tags=["sync"])
Label = Annotated[str, Field(min_length=1, max_length=200)]
MAPPING_HELP = (
    'Our purpose and channel to the system list or field: {"newsletter": {"email": "list:7"}}'
)

Ctx = Annotated[Context, Depends(get_context)]
Reader = Annotated[ApiKey, Depends(require(Scope.SYNC_READ, Reach.UNBOUND))]
Writer = Annotated[ApiKey, Depends(require(Scope.SYNC_WRITE, Reach.UNBOUND))]
SubjectReader = Annotated[ApiKey, Depends(require(Scope.SUBJECTS_READ, Reach.SUBJECT))]


class SystemCreate(Input):
    key: Key
    name: Name
    kind: SystemKind
    identifier_kinds: Annotated[list[Label], Field(max_length=10)] = ["email"]
    mapping: dict[Key, dict[Channel, Label]] = Field(default={}, description=MAPPING_HELP)


class SystemRead(BaseModel):
    key: str
    name: str
    kind: SystemKind
    identifier_kinds: list[str]
    mapping: dict[str, dict[str, str]]
    status: str
    created_at: AwareDatetime

    @classmethod
    def of(cls, s: System) -> SystemRead:
        return cls(
            key=s.key,
            name=s.name,
            kind=s.kind,
            identifier_kinds=list(s.identifier_kinds),
            mapping=s.mapping,
            status=s.status,
            created_at=s.created_at,
        )


class WebhookCreate(Input):
    system: Key
    url: AnyHttpUrl
    event_kinds: list[EventKind] = []
    purposes: list[Key] = []
    from_start: bool = Field(
        default=False, description="Send the whole history first (by default: from now on)."
    )


class WebhookRead(BaseModel):
    id: str
    system: str
    url: str
    event_kinds: list[str]
    purposes: list[str]
    status: str
    created_at: AwareDatetime

    @classmethod
    def of(cls, h: Webhook) -> WebhookRead:
        return cls(
            id=h.id,
            system=h.system_key,
            url=h.url,
            event_kinds=list(h.event_kinds),
            purposes=list(h.purposes),
            status=h.status,
            created_at=h.created_at,
        )


class WebhookCreated(WebhookRead):
    secret: str = Field(description="The Standard Webhooks signing secret, shown only now.")


class SecretRead(BaseModel):
    secret: str = Field(
        description="The new secret; the old one also signs during the grace period."
    )


@router.post("/systems", operation_id="createSystem", status_code=status.HTTP_201_CREATED)
def create_system(body: SystemCreate, ctx: Ctx, caller: Writer) -> SystemRead:
    """Registers a company system (CRM, ESP, ...) that must see the same consent truth."""
    mapping = {
        p: {str(c): to for c, to in channels.items()} for p, channels in body.mapping.items()
    }
    system = systems.create_system(
        ctx,
        key=body.key,
        name=body.name,
        kind=body.kind,
        identifier_kinds=body.identifier_kinds,
        mapping=mapping,
        actor=key_actor(caller),
    )
    return SystemRead.of(system)


@router.get("/systems", operation_id="listSystems")
def list_systems(ctx: Ctx, _: Reader) -> list[SystemRead]:
    """Lists the company systems kept in sync, with their mappings."""
    return [SystemRead.of(s) for s in systems.list_systems(ctx)]


@router.post("/webhooks", operation_id="createWebhook", status_code=status.HTTP_201_CREATED)
def create_webhook(body: WebhookCreate, ctx: Ctx, caller: Writer) -> WebhookCreated:
    """Subscribes a system's URL to events; the secret is shown once."""
    hook, secret = systems.create_webhook(
        ctx,
        system_key=body.system,
        url=str(body.url),
        event_kinds=[str(k) for k in body.event_kinds],
        purposes=body.purposes,
        from_start=body.from_start,
        actor=key_actor(caller),
    )
    return WebhookCreated(**WebhookRead.of(hook).model_dump(), secret=secret)


@router.get("/webhooks", operation_id="listWebhooks")
def list_webhooks(ctx: Ctx, _: Reader) -> list[WebhookRead]:
    """Lists webhooks (never their secrets)."""
    return [WebhookRead.of(h) for h in systems.list_webhooks(ctx)]


@router.post("/webhooks/{hook_id}/rotate-secret", operation_id="rotateWebhookSecret")
def rotate_secret(hook_id: str, ctx: Ctx, caller: Writer) -> SecretRead:
    """Issues a new signing secret; both sign messages during the grace period."""
    return SecretRead(secret=systems.rotate_secret(ctx, hook_id=hook_id, actor=key_actor(caller)))


class DestinationRead(BaseModel):
    destination: str
    system: str | None
    taken_up_to: int
    ledger_size: int
    deliveries: dict[str, int]


@router.get("/sync/status", operation_id="getSyncStatus")
def status_of_sync(ctx: Ctx, _: Reader) -> list[DestinationRead]:
    """Per destination: how far it has taken the outbox and its deliveries by status."""
    return [
        DestinationRead(
            destination=d.destination,
            system=d.system,
            taken_up_to=d.taken_up_to,
            ledger_size=d.ledger_size,
            deliveries=d.counts,
        )
        for d in sync_status.sync_status(ctx)
    ]


class BehindRead(BaseModel):
    destination: str
    system: str | None
    subject_id: str
    waiting: int
    since: AwareDatetime
    last_error: str | None


@router.get("/sync/reconciliation", operation_id="listSubjectsBehind")
def reconciliation(
    ctx: Ctx, _: Reader, limit: Annotated[int, Query(ge=1, le=10_000)] = 1000
) -> list[BehindRead]:
    """The subjects whose state in a system is behind ours, oldest first."""
    return [
        BehindRead(
            destination=b.destination,
            system=b.system,
            subject_id=b.subject_id,
            waiting=b.waiting,
            since=b.since,
            last_error=b.last_error,
        )
        for b in sync_status.reconciliation(ctx, limit=limit)
    ]


class SubjectDeliveryRead(BaseModel):
    system: str | None
    destination: str
    event_id: str
    seq: int
    status: DeliveryStatus
    attempts: int
    last_error: str | None
    delivered_at: AwareDatetime | None
    next_attempt_at: AwareDatetime | None


@router.get("/subjects/{subject_id}/sync", operation_id="getSubjectSync", tags=["subjects"])
def subject_sync(subject_id: str, ctx: Ctx, _: SubjectReader) -> list[SubjectDeliveryRead]:
    """Which system has received which of the subject's events."""
    return [
        SubjectDeliveryRead(
            system=system,
            destination=d.destination,
            event_id=event_id,
            seq=d.seq,
            status=d.status,
            attempts=d.attempts,
            last_error=d.last_error,
            delivered_at=d.delivered_at,
            next_attempt_at=d.next_attempt_at,
        )
        for d, system, event_id in sync_status.subject_sync(ctx, subject_id=subject_id)
    ]
