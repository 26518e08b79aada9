"""Routers for Right touchpoints: links, rights requests (arts. 15-22) and erasure."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response, status
from fastapi.responses import JSONResponse, PlainTextResponse

from trustguardian.api.auth import confine, confined_touchpoint, get_context, require
from trustguardian.api.events import IdempotencyKey
from trustguardian.api.ledger_schemas import SaleSharingRead
from trustguardian.api.rights_schemas import (
    CodeConfirm,
    CodeSentRead,
    ErasureCreate,
    ErasureRead,
    ExtensionCreate,
    FulfilledRead,
    FulfilmentCreate,
    HoldRead,
    LiftCreate,
    LinkRead,
    LinksRead,
    PreferencesLinkCreate,
    RequestCreate,
    RequestMove,
    RequestRead,
    SaleSharingUpdate,
    UnsubscribeLinksCreate,
)
from trustguardian.api.schemas import Key, PageRead
from trustguardian.api.subjects import to_identifiers
from trustguardian.domain.access import ApiKey, Reach, Scope, key_actor
from trustguardian.domain.errors import Conflict
from trustguardian.domain.rights import RequestKind, RequestStatus
from trustguardian.service.access.access_log import api_reader, log_read
from trustguardian.service.context import Context
from trustguardian.service.engage import links
from trustguardian.service.registry import purpose_flags
from trustguardian.service.rights import requests as rights_requests
from trustguardian.service.rights import verification as rights_verify
from trustguardian.service.rights.effects import lift_restriction
from trustguardian.service.rights.erasure import erase_subject
from trustguardian.service.rights.export import export_csv, subject_export
from trustguardian.service.rights.fulfil import fulfil_request

router = APIRouter(prefix="/v1", tags=["rights"])
Ctx = Annotated[Context, Depends(get_context)]
Lister = Annotated[ApiKey, Depends(require(Scope.RIGHTS_READ))]
Reader = Annotated[ApiKey, Depends(require(Scope.RIGHTS_READ, Reach.REQUEST))]
Submitter = Annotated[ApiKey, Depends(require(Scope.RIGHTS_WRITE))]
Writer = Annotated[ApiKey, Depends(require(Scope.RIGHTS_WRITE, Reach.REQUEST))]
LinkWriter = Annotated[ApiKey, Depends(require(Scope.RIGHTS_WRITE, Reach.LINK))]
Eraser = Annotated[ApiKey, Depends(require(Scope.RIGHTS_WRITE, Reach.SUBJECT))]
RegistryWriter = Annotated[ApiKey, Depends(require(Scope.REGISTRY_WRITE, Reach.UNBOUND))]
EXPORTABLE = (RequestKind.ACCESS, RequestKind.PORTABILITY)


def _actor(key: ApiKey, given: str | None) -> str:
    """The key is the actor; an operator named in the body is recorded as the key's claim."""
    return key_actor(key, given)


@router.post(
    "/links/unsubscribe", operation_id="createUnsubscribeLinks", status_code=status.HTTP_201_CREATED
)
def mint_unsubscribe(body: UnsubscribeLinksCreate, ctx: Ctx, key: Submitter) -> LinksRead:
    """Mints unsubscribe links for a campaign, with each message's List-Unsubscribe headers."""
    confine(ctx, key, Reach.TOUCHPOINT, [body.touchpoint])
    confine(ctx, key, Reach.SUBJECT, set(body.subject_ids))
    minted = links.unsubscribe_links(
        ctx,
        subject_ids=body.subject_ids,
        purpose=body.purpose,
        channel=body.channel,
        touchpoint=body.touchpoint,
    )
    return LinksRead(links=[LinkRead.of(link) for link in minted])


@router.post(
    "/links/preferences", operation_id="createPreferencesLink", status_code=status.HTTP_201_CREATED
)
def mint_preferences(body: PreferencesLinkCreate, ctx: Ctx, key: Submitter) -> LinkRead:
    """Mints a link to a person's preference centre."""
    confine(ctx, key, Reach.TOUCHPOINT, [body.touchpoint])
    confine(ctx, key, Reach.SUBJECT, [body.subject_id])
    return LinkRead.of(
        links.preferences_link(ctx, subject_id=body.subject_id, touchpoint=body.touchpoint)
    )


@router.delete(
    "/links/{token_id}", operation_id="revokeLink", status_code=status.HTTP_204_NO_CONTENT
)
def revoke(token_id: str, ctx: Ctx, _: LinkWriter) -> Response:
    """Revokes a link: from now on it is refused and changes nothing."""
    links.revoke_link(ctx, token_id=token_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put("/purposes/{key}/sale-sharing", operation_id="setSaleSharing")
def flag_sale_sharing(
    key: Key, body: SaleSharingUpdate, ctx: Ctx, _: RegistryWriter
) -> SaleSharingRead:
    """Flags a purpose as selling or sharing data: `Sec-GPC: 1` objects to it."""
    purpose_flags.set_sale_sharing(ctx, purpose=key, value=body.sale_sharing)
    return SaleSharingRead(purpose=key, sale_sharing=body.sale_sharing)


@router.post("/requests", operation_id="submitRightsRequest", status_code=status.HTTP_201_CREATED)
def submit(
    body: RequestCreate, ctx: Ctx, key: Submitter, idempotency_key: IdempotencyKey = None
) -> RequestRead:
    """Takes in a rights request (by an operator or a system); the deadline starts at receipt.

    A retry with the same `Idempotency-Key` returns the request taken in the first time."""
    confine(ctx, key, Reach.TOUCHPOINT, [body.touchpoint])
    confine(ctx, key, Reach.SUBJECT, [body.subject_id])
    return RequestRead.of(
        rights_requests.submit_request(
            ctx,
            kind=body.kind,
            touchpoint=body.touchpoint,
            channel=body.channel,
            identifiers=to_identifiers(ctx, body.identifiers),
            subject_id=body.subject_id,
            details=body.details,
            language=body.language,
            received_at=body.received_at,
            actor=_actor(key, body.actor),
            idempotency_key=idempotency_key,
            idempotency_scope=f"rights:requests:{key.id}",
        )
    )


@router.get("/requests", operation_id="listRightsRequests")
def list_requests(
    ctx: Ctx,
    key: Lister,
    status_: Annotated[list[RequestStatus] | None, Query(alias="status")] = None,
    due_within_days: Annotated[int | None, Query(ge=0, le=400)] = None,
    overdue: bool = False,
    subject_id: str | None = None,
    cursor: str | None = None,
    limit: Annotated[int | None, Query(ge=1)] = None,
) -> PageRead[RequestRead]:
    """Lists requests by deadline, most urgent first (open ones unless `status` is given)."""
    page = rights_requests.list_requests(
        ctx,
        due_within=timedelta(days=due_within_days) if due_within_days is not None else None,
        overdue=overdue,
        statuses=status_,
        subject_id=subject_id,
        touchpoint=confined_touchpoint(key),
        cursor=cursor,
        limit=limit,
    )
    return PageRead(items=[RequestRead.of(v) for v in page.items], next_cursor=page.next_cursor)


@router.get("/requests/{request_id}", operation_id="getRightsRequest")
def get(request_id: str, ctx: Ctx, key: Reader) -> RequestRead:
    """Gets a request with the person's own words (the read is logged)."""
    view = rights_requests.get_request(ctx, request_id=request_id)
    log_read(ctx, reader=api_reader(key), subject_id=view.subject_id, what="rights request")
    return RequestRead.of(view)


@router.post("/requests/{request_id}/verification", operation_id="sendVerificationCode")
def send_code(request_id: str, ctx: Ctx, key: Writer) -> CodeSentRead:
    """Sends the person a verification code by e-mail or SMS (the request becomes verifying)."""
    sent = rights_verify.send_code(ctx, request_id=request_id, actor=_actor(key, None))
    return CodeSentRead(method=sent.method, expires_at=sent.expires_at)


@router.post("/requests/{request_id}/verification/confirm", operation_id="confirmVerificationCode")
def confirm_code(request_id: str, body: CodeConfirm, ctx: Ctx, key: Writer) -> RequestRead:
    """Checks the code the person received; the right one puts the request in progress."""
    return RequestRead.of(
        rights_verify.confirm_code(
            ctx, request_id=request_id, code=body.code, actor=_actor(key, None)
        )
    )


@router.post("/requests/{request_id}/status", operation_id="moveRightsRequest")
def move(request_id: str, body: RequestMove, ctx: Ctx, key: Writer) -> RequestRead:
    """Moves a request to verifying, in progress, or rejected (with the reasons)."""
    return RequestRead.of(
        rights_requests.advance_request(
            ctx,
            request_id=request_id,
            to=body.status,
            actor=_actor(key, body.actor),
            outcome=body.outcome,
        )
    )


@router.post("/requests/{request_id}/extension", operation_id="extendRightsRequest")
def extend(request_id: str, body: ExtensionCreate, ctx: Ctx, key: Writer) -> RequestRead:
    """Extends the deadline once by two months; the reason is sent to the person."""
    return RequestRead.of(
        rights_verify.extend_request(
            ctx, request_id=request_id, reason=body.reason, actor=_actor(key, body.actor)
        )
    )


@router.post("/requests/{request_id}/fulfilment", operation_id="fulfilRightsRequest")
def fulfil(request_id: str, body: FulfilmentCreate, ctx: Ctx, key: Writer) -> FulfilledRead:
    """Fulfils a request; erasure crypto-shreds and names the systems that must erase too."""
    done = fulfil_request(
        ctx,
        request_id=request_id,
        actor=_actor(key, body.actor),
        outcome=body.outcome,
        purposes=body.purposes,
        identifiers=to_identifiers(ctx, body.identifiers),
    )
    return FulfilledRead(
        request=RequestRead.of(done.request),
        withdrawn=list(done.withdrawn),
        erasure=ErasureRead.of(done.erasure) if done.erasure else None,
        holds=[HoldRead.of(h) for h in done.holds],
    )


@router.post("/requests/{request_id}/restriction/lift", operation_id="liftRestriction")
def lift(request_id: str, body: LiftCreate, ctx: Ctx, key: Writer) -> list[HoldRead]:
    """Lifts a restriction (art. 18(3)): the person is told, and checks and sync resume."""
    holds = lift_restriction(
        ctx, request_id=request_id, actor=_actor(key, body.actor), reason=body.reason
    )
    return [HoldRead.of(h) for h in holds]


@router.get(
    "/requests/{request_id}/export", operation_id="exportRightsRequest", response_model=None
)
def export(
    request_id: str,
    ctx: Ctx,
    key: Reader,
    format: Literal["json", "csv"] = "json",
) -> Response:
    """The person's data and history for an access or portability request, as JSON or CSV."""
    view = rights_requests.get_request(ctx, request_id=request_id)
    if view.kind not in EXPORTABLE or view.status in (
        RequestStatus.RECEIVED,
        RequestStatus.VERIFYING,
        RequestStatus.REJECTED,
    ):
        raise Conflict("only a verified access or portability request has an export")
    data = subject_export(ctx, subject_id=view.subject_id)
    log_read(ctx, reader=api_reader(key), subject_id=view.subject_id, what=f"export ({format})")
    name = f"{view.id}.{format}"
    disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
    if format == "csv":
        return PlainTextResponse(export_csv(data), media_type="text/csv", headers=disposition)
    return JSONResponse(data, headers=disposition)


@router.post("/subjects/{subject_id}/erasure", operation_id="eraseSubject")
def erase(subject_id: str, body: ErasureCreate, ctx: Ctx, key: Eraser) -> ErasureRead:
    """Erases a subject outside a request: crypto-shredding, proven, told to connected systems."""
    confine(ctx, key, Reach.TOUCHPOINT, [body.touchpoint])
    return ErasureRead.of(
        erase_subject(
            ctx, subject_id=subject_id, touchpoint=body.touchpoint, actor=_actor(key, body.actor)
        )
    )
