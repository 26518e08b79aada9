"""Request and response models for Right touchpoints: links, rights requests, complaints."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, Field

from trustguardian.api.schemas import Input, Key
from trustguardian.api.subjects import IdentifierIn
from trustguardian.domain.complaints import ComplaintKind, ComplaintStatus
from trustguardian.domain.holds import Hold
from trustguardian.domain.registry import Channel
from trustguardian.domain.rights import RequestKind, RequestStatus
from trustguardian.service.engage.links import Link
from trustguardian.service.rights.complaints import ComplaintView
from trustguardian.service.rights.erasure import ErasureReport
from trustguardian.service.rights.requests import RequestView, Step

SubjectId = Annotated[str, Field(max_length=40)]
Text = Annotated[str, Field(max_length=10_000)]
Language = Literal["it", "en"]
Actor = Annotated[str, Field(min_length=1, max_length=200)]


class UnsubscribeLinksCreate(Input):
    purpose: Key
    channel: Channel
    touchpoint: Key = Field(description="The Right touchpoint that issues the links.")
    subject_ids: Annotated[list[SubjectId], Field(min_length=1, max_length=10_000)]


class PreferencesLinkCreate(Input):
    subject_id: SubjectId
    touchpoint: Key


class LinkRead(BaseModel):
    subject_id: str
    url: str
    token_id: str = Field(description="Revoke with DELETE /v1/links/{token_id}.")
    expires_at: AwareDatetime
    headers: dict[str, str] = Field(
        description="For unsubscribe links: the List-Unsubscribe and List-Unsubscribe-Post "
        "header values of the message (RFC 2369, RFC 8058)."
    )

    @classmethod
    def of(cls, link: Link) -> LinkRead:
        headers = {}
        if link.list_unsubscribe:
            headers["List-Unsubscribe"] = link.list_unsubscribe
        if link.list_unsubscribe_post:
            headers["List-Unsubscribe-Post"] = link.list_unsubscribe_post
        return cls(
            subject_id=link.subject_id,
            url=link.url,
            token_id=link.token_id,
            expires_at=link.expires_at,
            headers=headers,
        )


class LinksRead(BaseModel):
    links: list[LinkRead]


class SaleSharingUpdate(Input):
    sale_sharing: bool


class StepRead(BaseModel):
    status: str
    event_id: str
    actor: str
    at: AwareDatetime

    @classmethod
    def of(cls, s: Step) -> StepRead:
        return cls(status=s.status, event_id=s.event_id, actor=s.actor, at=s.at)


class RequestCreate(Input):
    kind: RequestKind
    touchpoint: Key = Field(description="The Right touchpoint that received the request.")
    channel: Channel = Field(description="How the request arrived.")
    identifiers: Annotated[list[IdentifierIn], Field(max_length=20)] = []
    subject_id: SubjectId | None = None
    details: Text | None = None
    language: Annotated[str, Field(pattern="^(it|en)$")] = "it"
    received_at: AwareDatetime | None = None
    actor: Actor | None = None


class RequestRead(BaseModel):
    id: str
    kind: RequestKind
    status: RequestStatus
    subject_id: str
    touchpoint: str
    channel: Channel
    language: Language
    received_at: AwareDatetime
    due_on: date = Field(description="The last day to answer, a Europe/Rome calendar date.")
    due_at: AwareDatetime = Field(description="The instant the deadline ends.")
    overdue: bool
    extended_at: AwareDatetime | None
    extension_reason: str | None = Field(description="The reason sent to the person.")
    extension_message_id: str | None
    answer_message_id: str | None = Field(
        description="The message that told the person the answer (fulfilled or rejected)."
    )
    details: str | None = Field(
        description="The person's words; null once the subject is erased, and in lists."
    )
    outcome: str | None
    handler: str | None
    closed_at: AwareDatetime | None
    steps: list[StepRead]

    @classmethod
    def of(cls, v: RequestView) -> RequestRead:
        values = {k: getattr(v, k) for k in cls.model_fields if k != "steps"}
        return cls(**values, steps=[StepRead.of(s) for s in v.steps])


class RequestMove(Input):
    status: RequestStatus = Field(description="verifying, in_progress or rejected.")
    outcome: Text | None = Field(default=None, description="Required when rejecting.")
    actor: Actor | None = None


class ExtensionCreate(Input):
    reason: Annotated[str, Field(min_length=1, max_length=2000)]
    actor: Actor | None = None


class FulfilmentCreate(Input):
    outcome: Text | None = None
    actor: Actor | None = None
    purposes: Annotated[
        list[Key] | None,
        Field(max_length=200, description="Restriction: the purposes held (omitted: all)."),
    ] = None
    identifiers: Annotated[
        list[IdentifierIn],
        Field(
            max_length=20,
            description="Rectification: the corrected identifiers; each replaces the person's "
            "identifiers of its kind.",
        ),
    ] = []


class LiftCreate(Input):
    reason: Text | None = None
    actor: Actor | None = None


class HoldRead(BaseModel):
    id: str
    purpose: str | None = Field(description="None: every purpose.")
    channel: Channel | None = Field(description="None: every channel.")
    cause: str = Field(description="`restriction` (art. 18) or `complaint` (about a contact).")
    started_at: AwareDatetime = Field(description="From when checks and sync are held.")
    lifted_at: AwareDatetime | None = Field(description="When lifted; None while in force.")

    @classmethod
    def of(cls, hold: Hold) -> HoldRead:
        return cls(
            id=hold.id,
            purpose=hold.purpose,
            channel=hold.channel,
            cause=hold.cause.value,
            started_at=hold.started_at,
            lifted_at=hold.lifted_at,
        )


class CodeConfirm(Input):
    code: Annotated[str, Field(min_length=4, max_length=12)]


class CodeSentRead(BaseModel):
    method: str
    expires_at: AwareDatetime


class SystemToErase(BaseModel):
    key: str
    name: str | None
    reasons: list[str]


class ErasureRead(BaseModel):
    subject_id: str
    erased_at: AwareDatetime
    event_id: str
    systems_to_erase: list[SystemToErase]

    @classmethod
    def of(cls, r: ErasureReport) -> ErasureRead:
        return cls(
            subject_id=r.subject_id,
            erased_at=r.erased_at,
            event_id=r.event_id,
            systems_to_erase=[
                SystemToErase(key=s.key, name=s.name, reasons=list(s.reasons)) for s in r.systems
            ],
        )


class ErasureCreate(Input):
    touchpoint: Key
    actor: Actor | None = None


class FulfilledRead(BaseModel):
    request: RequestRead
    withdrawn: list[str] = Field(description="Purposes withdrawn (objection).")
    erasure: ErasureRead | None
    holds: list[HoldRead] = Field(default=[], description="Restriction: what is held until lifted.")


class ComplaintCreate(Input):
    touchpoint: Key
    channel: Channel
    summary: Annotated[str, Field(min_length=1, max_length=10_000)]
    identifiers: Annotated[list[IdentifierIn], Field(max_length=20)] = []
    subject_id: SubjectId | None = None
    about_event_id: Annotated[str, Field(max_length=40)] | None = None
    received_at: AwareDatetime | None = None
    handler: Actor | None = None
    actor: Actor | None = None
    kind: ComplaintKind | None = Field(
        default=None,
        description="Sets the deadline; omitted: `contact` when a contact or its channel is "
        "named, else `other`.",
    )
    contact_channel: Channel | None = Field(
        default=None,
        description="The channel of the contact complained about (else the event's own): held "
        "for the person until the complaint is closed.",
    )


class ComplaintUpdate(Input):
    status: ComplaintStatus | None = None
    handler: Actor | None = None
    outcome: Text | None = None
    actor: Actor | None = None


class AttachmentRead(BaseModel):
    position: int
    name: str | None
    media_type: str | None
    size: int
    event_id: str


class ComplaintRead(BaseModel):
    id: str
    subject_id: str
    touchpoint: str
    channel: Channel
    about_event_id: str | None
    status: ComplaintStatus
    handler: str | None
    received_at: AwareDatetime
    summary: str | None
    outcome: str | None
    closed_at: AwareDatetime | None
    steps: list[StepRead]
    attachments: list[AttachmentRead]
    timeline: list[str] = Field(
        description="The subject's event ids in the order they happened (see /v1/events/{id})."
    )
    kind: ComplaintKind = Field(description="What the complaint is about; sets its deadline.")
    due_at: AwareDatetime | None = Field(description="When the complaint must be answered by.")

    @classmethod
    def of(cls, v: ComplaintView) -> ComplaintRead:
        skip = {"steps", "attachments", "timeline"}
        values = {k: getattr(v, k) for k in cls.model_fields if k not in skip}
        return cls(
            **values,
            steps=[StepRead.of(s) for s in v.steps],
            attachments=[AttachmentRead(**vars(a)) for a in v.attachments],
            timeline=[e.id for e in v.timeline],
        )
