"""Routers for collect touchpoints: confirmation settings, publishable keys, confirmation
requests, and consents taken in person or by phone."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Request, status
from pydantic import AwareDatetime, BaseModel, Field

from trustguardian.api.auth import confine, get_context, require
from trustguardian.api.event_schemas import AudioMedia, Base64File, EventRead, Hex64, Short
from trustguardian.api.schemas import Input, Key
from trustguardian.api.subjects import IdentifierIn, to_identifiers
from trustguardian.domain.access import ApiKey, Reach, Scope, key_actor
from trustguardian.domain.collect import (
    CollectSettings,
    Confirmation,
    ConfirmationRequest,
    PublishableKey,
)
from trustguardian.domain.common import as_utc
from trustguardian.domain.errors import NotFound
from trustguardian.domain.registry import Channel
from trustguardian.service.collect import admin as collect_admin
from trustguardian.service.collect import confirmations
from trustguardian.service.collect.in_person import CallRecording, InPersonConsent, PaperForm
from trustguardian.service.collect.in_person import record_in_person as record_in_person_service
from trustguardian.service.context import Context

router = APIRouter(prefix="/v1", tags=["collect"])
Ctx = Annotated[Context, Depends(get_context)]
RegistryReader = Annotated[ApiKey, Depends(require(Scope.REGISTRY_READ))]
RegistryWriter = Annotated[ApiKey, Depends(require(Scope.REGISTRY_WRITE, Reach.UNBOUND))]
ConfirmationReader = Annotated[ApiKey, Depends(require(Scope.EVENTS_READ, Reach.CONFIRMATION))]
EventReader = Annotated[ApiKey, Depends(require(Scope.EVENTS_READ, Reach.EVENT))]
ConfirmationWriter = Annotated[ApiKey, Depends(require(Scope.EVENTS_WRITE, Reach.CONFIRMATION))]
EventsWriter = Annotated[ApiKey, Depends(require(Scope.EVENTS_WRITE))]


class CollectSettingsUpdate(Input):
    confirmation: Confirmation
    within_minutes: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="How long a confirmation may take (default by method)."
    )
    max_attempts: Annotated[int, Field(ge=1, le=10)] = 5
    language: Annotated[str, Field(pattern="^(it|en)$")] = "it"
    confirmed_by: Annotated[str, Field(min_length=1, max_length=80)] | None = Field(
        default=None,
        description=(
            "The external system that confirms this touchpoint's consents (confirmation must "
            "be none): double_opt_in and otp proofs sent by clients are recorded as its claims."
        ),
    )


class CollectSettingsRead(BaseModel):
    touchpoint: str
    confirmation: Confirmation
    within_minutes: int
    max_attempts: int
    language: Literal["it", "en"]
    confirmed_by: str | None = None

    @classmethod
    def of(cls, s: CollectSettings) -> CollectSettingsRead:
        return cls(
            touchpoint=s.touchpoint_key,
            confirmation=s.confirmation,
            within_minutes=s.confirm_within_minutes,
            max_attempts=s.otp_max_attempts,
            language=s.language,
            confirmed_by=s.confirmed_by,
        )


@router.get("/touchpoints/{key}/collect-settings", operation_id="getCollectSettings")
def get_collect_settings(key: str, ctx: Ctx, _: RegistryReader) -> CollectSettingsRead:
    """How this touchpoint confirms the consents it collects."""
    return CollectSettingsRead.of(collect_admin.get_settings(ctx, touchpoint=key))


@router.put("/touchpoints/{key}/collect-settings", operation_id="setCollectSettings")
def put_collect_settings(
    key: str, body: CollectSettingsUpdate, ctx: Ctx, caller: RegistryWriter
) -> CollectSettingsRead:
    """Requires double opt-in or a one-time code for consents collected from now on."""
    return CollectSettingsRead.of(
        collect_admin.configure(
            ctx,
            touchpoint=key,
            confirmation=body.confirmation,
            within_minutes=body.within_minutes,
            max_attempts=body.max_attempts,
            language=body.language,
            confirmed_by=body.confirmed_by,
            actor=key_actor(caller),
        )
    )


class PublishableKeyCreate(Input):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    touchpoint: Key
    origins: Annotated[list[Annotated[str, Field(max_length=300)]], Field(min_length=1)]
    rate_per_minute: Annotated[int, Field(ge=1, le=10_000)] = 30


class PublishableKeyRead(BaseModel):
    id: str
    name: str
    touchpoint: str
    origins: list[str]
    rate_per_minute: int
    created_at: datetime
    revoked_at: datetime | None
    key: str | None = Field(default=None, description="Shown once, at creation.")

    @classmethod
    def of(cls, k: PublishableKey, text: str | None = None) -> PublishableKeyRead:
        return cls(
            id=k.id,
            name=k.name,
            touchpoint=k.touchpoint_key,
            origins=list(k.origins),
            rate_per_minute=k.rate_per_minute,
            created_at=k.created_at,
            revoked_at=k.revoked_at,
            key=text,
        )


@router.post(
    "/publishable-keys", operation_id="createPublishableKey", status_code=status.HTTP_201_CREATED
)
def create_publishable_key(
    body: PublishableKeyCreate, ctx: Ctx, _: RegistryWriter
) -> PublishableKeyRead:
    """Creates a key a web page may embed (write-only, one touchpoint, these origins)."""
    key, text = collect_admin.create_publishable_key(
        ctx,
        name=body.name,
        touchpoint=body.touchpoint,
        origins=body.origins,
        rate_per_minute=body.rate_per_minute,
    )
    return PublishableKeyRead.of(key, text)


@router.get("/publishable-keys", operation_id="listPublishableKeys")
def list_publishable_keys(ctx: Ctx, _: RegistryReader) -> list[PublishableKeyRead]:
    """Lists publishable keys (never the keys themselves), revoked ones included."""
    return [PublishableKeyRead.of(k) for k in collect_admin.list_publishable_keys(ctx)]


@router.delete(
    "/publishable-keys/{key_id}",
    operation_id="revokePublishableKey",
    status_code=status.HTTP_204_NO_CONTENT,
)
def revoke_publishable_key(key_id: str, ctx: Ctx, _: RegistryWriter) -> None:
    """Revokes a publishable key at once: forms that embed it are refused from now on."""
    collect_admin.revoke_publishable_key(ctx, key_id=key_id)


class ConfirmationRead(BaseModel):
    id: str
    touchpoint: str
    subject_id: str | None = Field(
        description="None until the person confirms a sign-up from a public form: until then "
        "nothing is recorded (no subject, no event; `event_ids` are the ids they will have)."
    )
    method: Confirmation
    status: Literal["open", "confirmed", "locked", "failed", "expired"] = Field(
        description="`locked` after too many wrong codes; `failed` when it could not be sent; "
        "`expired` when nobody confirmed it in time (nothing was recorded from a public form)."
    )
    event_ids: list[str]
    attempts: int
    max_attempts: int
    created_at: datetime
    expires_at: datetime
    sent_at: datetime | None
    send_error: str | None
    confirmed_at: datetime | None
    confirmed_event_ids: list[str] | None

    @classmethod
    def of(cls, r: ConfirmationRequest, now: datetime) -> ConfirmationRead:
        return cls(
            id=r.id,
            touchpoint=r.touchpoint_key,
            subject_id=r.subject_id,
            method=r.method,
            status=r.status_at(now),
            event_ids=list(r.event_ids),
            attempts=r.attempts,
            max_attempts=r.max_attempts,
            created_at=r.created_at,
            expires_at=r.expires_at,
            sent_at=r.sent_at,
            send_error=r.send_error,
            confirmed_at=r.confirmed_at,
            confirmed_event_ids=None
            if r.confirmed_event_ids is None
            else list(r.confirmed_event_ids),
        )


def _request(ctx: Context, confirmation_id: str) -> ConfirmationRequest:
    found = confirmations.get_request(ctx, confirmation_id=confirmation_id)
    if found is None:
        raise NotFound(f"no confirmation request {confirmation_id!r}")
    return found


@router.get("/confirmations/{confirmation_id}", operation_id="getConfirmation")
def get_confirmation(confirmation_id: str, ctx: Ctx, _: ConfirmationReader) -> ConfirmationRead:
    """Where a confirmation request stands (never its address or code)."""
    return ConfirmationRead.of(_request(ctx, confirmation_id), ctx.clock.now())


@router.get("/events/{event_id}/confirmation", operation_id="getEventConfirmation")
def event_confirmation(event_id: str, ctx: Ctx, _: EventReader) -> ConfirmationRead:
    """The confirmation request of a consent awaiting confirmation, also before it is recorded
    (a sign-up from a public form is recorded only when the person confirms)."""
    found = confirmations.request_for_events(ctx, event_ids=[event_id])
    if found is None:
        raise NotFound(f"event {event_id!r} awaits no confirmation")
    return ConfirmationRead.of(found, ctx.clock.now())


class CodeCheck(Input):
    code: Annotated[str, Field(min_length=1, max_length=12)]
    ip: Annotated[str, Field(max_length=64)] | None = Field(
        default=None, description="The person's IP address, when a back end relays the code."
    )
    user_agent: Annotated[str, Field(max_length=2000)] | None = None


@router.post("/confirmations/{confirmation_id}/code", operation_id="checkConfirmationCode")
def check_code(
    confirmation_id: str, body: CodeCheck, ctx: Ctx, key: ConfirmationWriter, request: Request
) -> list[EventRead]:
    """Checks a one-time code (an app's back end relays it); a match records consent.confirmed."""
    found = _request(ctx, confirmation_id)
    events = confirmations.confirm_code(
        ctx,
        confirmation_id=found.id,
        code=body.code,
        ip=body.ip or (request.client.host if request.client else None),
        user_agent=body.user_agent or request.headers.get("user-agent"),
        touchpoint=key.touchpoint_key,
    )
    return [EventRead.of(e) for e in events]


class PaperFormIn(Input):
    media_type: Annotated[str, Field(pattern="^(application/pdf|image/(png|jpeg|webp))$")]
    content_base64: Base64File
    form_reference: Short | None = None


class CallRecordingIn(Input):
    reference: Short
    sha256: Hex64
    media_type: AudioMedia | None = None
    content_base64: Base64File | None = Field(
        default=None,
        description="The recording itself, kept sealed beside its reference (optional).",
    )


class PurposeIn(Input):
    purpose: Key
    channels: list[Channel] = []


class InPersonCreate(Input):
    touchpoint: Key
    identifiers: Annotated[list[IdentifierIn], Field(min_length=1, max_length=10)]
    purposes: Annotated[list[PurposeIn], Field(min_length=1, max_length=50)]
    staff_member: Short
    store: Short | None = None
    campaign: Short | None = None
    occurred_at: AwareDatetime
    paper_form: PaperFormIn | None = None
    call_recording: CallRecordingIn | None = None


@router.post(
    "/collect/in-person", operation_id="recordInPersonConsent", status_code=status.HTTP_201_CREATED
)
def record_in_person(
    body: InPersonCreate,
    ctx: Ctx,
    key: EventsWriter,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)] = None,
) -> list[EventRead]:
    """Records a consent given in a store, at an event or by phone, with the operator's evidence."""
    confine(ctx, key, Reach.TOUCHPOINT, [body.touchpoint])
    consent = InPersonConsent(
        touchpoint=body.touchpoint,
        identifiers=tuple(to_identifiers(ctx, body.identifiers, loc="identifiers")),
        purposes=tuple((p.purpose, tuple(p.channels)) for p in body.purposes),
        staff_member=body.staff_member,
        occurred_at=as_utc(body.occurred_at),
        store=body.store,
        campaign=body.campaign,
        paper_form=None
        if body.paper_form is None
        else PaperForm(
            body.paper_form.content_base64,
            body.paper_form.media_type,
            body.paper_form.form_reference,
        ),
        call_recording=None
        if body.call_recording is None
        else CallRecording(
            body.call_recording.reference,
            body.call_recording.sha256,
            body.call_recording.content_base64,
            body.call_recording.media_type,
        ),
        idempotency_key=idempotency_key,
    )
    events = record_in_person_service(
        ctx,
        consent=consent,
        acting=key.touchpoint_key,
        recorded_by=f"api-key:{key.id} ({key.name})",
    )
    return [EventRead.of(e) for e in events]
