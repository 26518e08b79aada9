"""Routers for a webhook's life (disable, enable, delete) and for dead letters."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status
from pydantic import AwareDatetime, BaseModel, Field

from trustguardian.api.auth import get_context, require
from trustguardian.api.schemas import Input, Key
from trustguardian.api.sync import WebhookRead
from trustguardian.domain.access import ApiKey, Reach, Scope, key_actor
from trustguardian.service.context import Context
from trustguardian.service.sync import webhooks as admin

router = APIRouter(prefix="/v1", tags=["sync"])
Ctx = Annotated[Context, Depends(get_context)]
Reader = Annotated[ApiKey, Depends(require(Scope.SYNC_READ, Reach.UNBOUND))]
Writer = Annotated[ApiKey, Depends(require(Scope.SYNC_WRITE, Reach.UNBOUND))]
HookId = Annotated[str, Field(min_length=1, max_length=40)]


@router.post("/webhooks/{hook_id}/disable", operation_id="disableWebhook")
def disable_webhook(hook_id: str, ctx: Ctx, caller: Writer) -> WebhookRead:
    """Stops deliveries to a webhook; enabled again, it resumes from where it stopped."""
    return WebhookRead.of(admin.disable_webhook(ctx, hook_id=hook_id, actor=key_actor(caller)))


@router.post("/webhooks/{hook_id}/enable", operation_id="enableWebhook")
def enable_webhook(hook_id: str, ctx: Ctx, caller: Writer) -> WebhookRead:
    """Resumes deliveries to a disabled webhook from where it stopped."""
    return WebhookRead.of(admin.enable_webhook(ctx, hook_id=hook_id, actor=key_actor(caller)))


@router.delete(
    "/webhooks/{hook_id}", operation_id="deleteWebhook", status_code=status.HTTP_204_NO_CONTENT
)
def delete_webhook(hook_id: str, ctx: Ctx, caller: Writer) -> Response:
    """Deletes a webhook for good: its secrets are destroyed and what it was owed discarded."""
    admin.delete_webhook(ctx, hook_id=hook_id, actor=key_actor(caller))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


class DeadLetterRead(BaseModel):
    webhook: str | None = Field(description="The webhook it was meant for.")
    system: str | None
    seq: int
    event_id: str
    kind: str
    subject_id: str
    attempts: int
    last_error: str | None
    at: AwareDatetime


class DeadLetterSelection(Input):
    """Which dead letters: all of them, or those of a webhook, a system and/or some events."""

    webhook: HookId | None = Field(default=None, description="Only this webhook's.")
    system: Key | None = Field(default=None, description="Only those of this system's webhooks.")
    seqs: Annotated[list[Annotated[int, Field(ge=0)]], Field(max_length=10_000)] | None = Field(
        default=None, description="Only those of these events (ledger sequence numbers)."
    )


class DeadLettersMoved(BaseModel):
    count: int = Field(description="How many dead letters it moved.")


@router.get("/sync/dead-letters", operation_id="listDeadLetters")
def list_dead_letters(
    ctx: Ctx,
    _: Reader,
    webhook: Annotated[str | None, Query(max_length=40)] = None,
    system: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> list[DeadLetterRead]:
    """The deliveries that ran out of attempts, oldest event first."""
    return [
        DeadLetterRead(
            webhook=v.webhook_id,
            system=v.system,
            seq=v.letter.delivery.seq,
            event_id=v.letter.event_id,
            kind=v.letter.kind,
            subject_id=v.letter.delivery.subject_id,
            attempts=v.letter.delivery.attempts,
            last_error=v.letter.delivery.last_error,
            at=v.letter.updated_at,
        )
        for v in admin.list_dead_letters(ctx, hook_id=webhook, system=system, limit=limit)
    ]


@router.post("/sync/dead-letters/retry", operation_id="retryDeadLetters")
def retry_dead_letters(body: DeadLetterSelection, ctx: Ctx, key: Writer) -> DeadLettersMoved:
    """Sends dead letters again with a fresh count of attempts; returns how many."""
    count = admin.retry_dead_letters(
        ctx, hook_id=body.webhook, system=body.system, seqs=body.seqs, actor=key_actor(key)
    )
    return DeadLettersMoved(count=count)


@router.post("/sync/dead-letters/discard", operation_id="discardDeadLetters")
def discard_dead_letters(body: DeadLetterSelection, ctx: Ctx, key: Writer) -> DeadLettersMoved:
    """Gives dead letters up on purpose; returns how many."""
    count = admin.discard_dead_letters(
        ctx, hook_id=body.webhook, system=body.system, seqs=body.seqs, actor=key_actor(key)
    )
    return DeadLettersMoved(count=count)
