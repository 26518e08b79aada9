"""The web-form SDK: `/sdk/collect.js` and the endpoints it calls with a publishable key.

A publishable key sits in a public page, so it can do exactly two things: record the consents
of a form for its own touchpoint, and check a one-time code of that touchpoint. It reads
nothing. Browsers are let in only from the key's configured origins (the CORS preflight is
answered for them alone, and a request from elsewhere is refused before anything is written),
and each key and client address is rate-limited.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError
from starlette.types import Scope

from trustguardian.api.ratelimit import RateLimiter
from trustguardian.api.schemas import Input, Key
from trustguardian.domain.collect import Confirmation, PublishableKey
from trustguardian.domain.errors import (
    DomainError,
    FieldError,
    Forbidden,
    InvalidInput,
    TooLarge,
    TooManyAttempts,
)
from trustguardian.domain.events import EventKind, PrivacyEvent
from trustguardian.domain.registry import Channel
from trustguardian.domain.subjects import IdentifierKind
from trustguardian.problems import problem, status_of
from trustguardian.service.collect.admin import authenticate_publishable
from trustguardian.service.collect.confirmations import confirm_code
from trustguardian.service.collect.web_capture import ConsentChoice, Network, Submission, capture
from trustguardian.service.context import Context
from trustguardian.service.rights.gpc import Signal, honour_gpc, sends_gpc

router = APIRouter(tags=["collect sdk"])
SCRIPT = Path(__file__).parent.parent / "web" / "static" / "collect.js"
PREFLIGHT_MAX_AGE = "600"
SDK_PATH = re.compile(r"^/sdk/v1/([^/]+)/")
# The rest of a submission beside its snapshot (identifiers, boxes, notice text, URLs) fits in
# this much of the request body limit; the snapshot may use the remainder.
ENVELOPE_BYTES = 128 * 1024


class RateLimited(DomainError):
    code = "rate-limited"
    title = "Too many requests"


Body = TypeVar("Body", bound=Input)


class IdentifierField(Input):
    kind: IdentifierKind
    value: Annotated[str, Field(min_length=1, max_length=320)]


class ConsentBox(Input):
    purpose: Key
    given: bool
    channels: Annotated[list[Channel], Field(max_length=12)] = []


class Snapshot(Input):
    # Bounded by the request body limit (`snapshot_limit`), checked when the form is recorded.
    html: Annotated[str, Field(min_length=1)]
    url: Annotated[str, Field(max_length=2000)] | None = None
    notice_url: Annotated[str, Field(max_length=2000)] | None = None
    notice_text: Annotated[str, Field(max_length=100_000)] | None = None
    notice_sha256: Annotated[str, Field(pattern=r"^[0-9a-fA-F]{64}$")] | None = None
    captured_at: Annotated[str, Field(max_length=40)] | None = None


class SnapshotTooLarge(TooLarge):
    code = "evidence-too-large"
    title = "Form snapshot too large"


def snapshot_limit(max_request_bytes: int) -> int:
    """The largest snapshot (UTF-8 bytes) a submission within `max_request_bytes` may carry."""
    return max(1, max_request_bytes - ENVELOPE_BYTES)


class SubmissionIn(Input):
    submission_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{8,64}$")]
    touchpoint: Key | None = None
    identifiers: Annotated[list[IdentifierField], Field(min_length=1, max_length=5)]
    consents: Annotated[list[ConsentBox], Field(min_length=1, max_length=20)]
    notice: Key | None = None
    notice_version: Annotated[int, Field(ge=1)] | None = None
    snapshot: Snapshot


class CodeIn(Input):
    confirmation_id: Annotated[str, Field(max_length=40)]
    code: Annotated[str, Field(max_length=12)]


EventStatus = Literal["given", "refused", "pending_confirmation"]


class RecordedEvent(BaseModel):
    """An event of the form. On a touchpoint that confirms consents, nothing is recorded until
    the person confirms: the ids are those the events will have, and
    `/v1/events/{id}/confirmation` says where the confirmation stands meanwhile."""

    id: str
    kind: EventKind
    purpose: str | None
    status: EventStatus


class ConfirmationOut(BaseModel):
    id: str
    method: Confirmation
    expires_at: datetime
    sent: bool


class CaptureOut(BaseModel):
    events: list[RecordedEvent]
    confirmation: ConfirmationOut | None


def _status(event: PrivacyEvent) -> EventStatus:
    if event.kind is EventKind.CONSENT_REFUSED:
        return "refused"
    if event.confirm_by is not None:
        return "pending_confirmation"
    return "given"


_LIMITER_LOCK = threading.Lock()


def _limiter(request: Request) -> RateLimiter:
    """The app's limiter, made on first use (requests run in a thread pool: one lock)."""
    state = request.app.state
    with _LIMITER_LOCK:
        if not hasattr(state, "sdk_limiter"):
            state.sdk_limiter = RateLimiter()
    limiter: RateLimiter = state.sdk_limiter
    return limiter


def _cors(origin: str) -> dict[str, str]:
    return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}


async def refusal_cors(ctx: Context, scope: Scope) -> list[tuple[bytes, bytes]]:
    """The CORS headers for a refusal answered before the route runs (a body over the limit):
    those the route would send, for an allowed origin of the path's key, and none otherwise."""
    found = SDK_PATH.match(scope["path"])
    origin = dict(scope["headers"]).get(b"origin")
    if found is None or origin is None:
        return []
    try:
        key = await run_in_threadpool(authenticate_publishable, ctx, key=found.group(1))
    except DomainError:
        return []
    text = origin.decode("latin-1")
    if text.lower().rstrip("/") not in key.origins:
        return []
    return [(name.lower().encode(), value.encode()) for name, value in _cors(text).items()]


def _allowed_origin(request: Request, key: PublishableKey) -> str:
    origin = request.headers.get("origin")
    if origin is None:
        raise Forbidden("a publishable key is used from a web page: the Origin header is missing")
    if origin.lower().rstrip("/") not in key.origins:
        raise Forbidden(f"origin {origin!r} is not allowed for this key")
    return origin


def _answer(request: Request, key_text: str, act: Callable[[Context, PublishableKey], Any]) -> Any:
    """Authenticates the key, checks the origin and the rate, then acts; errors keep CORS headers
    for allowed origins so the page can read them, and none for the others."""
    ctx: Context = request.app.state.context
    origin: str | None = None
    wait = 0.0
    try:
        key = authenticate_publishable(ctx, key=key_text)
        origin = _allowed_origin(request, key)
        client = request.client.host if request.client else "unknown"
        wait = _limiter(request).allow(key.id, client, key.rate_per_minute)
        if wait > 0:
            raise RateLimited(f"at most {key.rate_per_minute} requests a minute; retry later")
        body = act(ctx, key)
        response = JSONResponse(body.model_dump(mode="json"), status_code=201)
        response.headers.update(_cors(origin))
        return response
    except DomainError as exc:
        status = 429 if isinstance(exc, RateLimited) else status_of(exc)
        headers = _cors(origin) if origin else {}
        if isinstance(exc, RateLimited):
            headers["Retry-After"] = str(max(1, math.ceil(wait)))
        if isinstance(exc, TooManyAttempts):  # a message cap of the sign-up's address
            headers["Retry-After"] = str(max(1, math.ceil(exc.retry_after)))
        return problem(
            status,
            exc.code,
            exc.title,
            exc.detail,
            instance=request.url.path,
            errors=[{"loc": e.loc, "msg": e.msg} for e in exc.errors],
            headers=headers,
        )


async def _parse(request: Request, model: type[Body]) -> Body:
    try:
        return model.model_validate_json(await request.body())
    except ValidationError as exc:
        raise InvalidInput(
            "the request is not valid",
            errors=[FieldError(".".join(str(p) for p in e["loc"]), e["msg"]) for e in exc.errors()],
        ) from exc


def _preflight(request: Request, key_text: str) -> Response:
    ctx: Context = request.app.state.context
    try:
        key = authenticate_publishable(ctx, key=key_text)
        origin = _allowed_origin(request, key)
    except DomainError as exc:
        return problem(status_of(exc), exc.code, exc.title, exc.detail)
    if request.headers.get("access-control-request-method", "POST").upper() != "POST":
        return problem(405, "method-not-allowed", "Method not allowed", "only POST is allowed")
    return Response(
        status_code=204,
        headers={
            **_cors(origin),
            "Access-Control-Allow-Methods": "POST",
            "Access-Control-Allow-Headers": "Content-Type",
            "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
        },
    )


@router.get("/sdk/collect.js", include_in_schema=False)
def collect_js() -> Response:
    return Response(
        SCRIPT.read_bytes(),
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=300"},
    )


@router.options("/sdk/v1/{key}/consents", include_in_schema=False)
def consents_preflight(key: str, request: Request) -> Response:
    return _preflight(request, key)


@router.post("/sdk/v1/{key}/consents", operation_id="recordFormConsents", response_model=CaptureOut)
async def record_form(key: str, request: Request) -> Any:
    """Records a form's consents (one event per box) with its snapshot and the network proof."""

    def act(ctx: Context, pk: PublishableKey, body: SubmissionIn) -> CaptureOut:
        limit = snapshot_limit(ctx.settings.max_request_bytes)
        size = len(body.snapshot.html.encode())
        if size > limit:
            raise SnapshotTooLarge(
                f"the form snapshot is {size} bytes; at most {limit} are accepted",
                errors=[FieldError("snapshot.html", f"at most {limit} bytes")],
            )
        sub = Submission(
            submission_id=body.submission_id,
            touchpoint=body.touchpoint,
            identifiers=tuple((i.kind, i.value) for i in body.identifiers),
            consents=tuple(
                ConsentChoice(c.purpose, c.given, tuple(c.channels)) for c in body.consents
            ),
            html=body.snapshot.html,
            url=body.snapshot.url,
            notice=body.notice,
            notice_version=body.notice_version,
            notice_url=body.snapshot.notice_url,
            notice_text=body.snapshot.notice_text,
            notice_sha256=body.snapshot.notice_sha256,
            captured_at=body.snapshot.captured_at,
        )
        net = Network(
            ip=request.client.host if request.client else None,
            user_agent=request.headers.get("user-agent"),
            origin=request.headers.get("origin", ""),
            referer=request.headers.get("referer"),
        )
        signal = Signal(f"sdk:{pk.touchpoint_key}", net.ip or "unknown", net.user_agent or "")
        spared = sorted({c.purpose for c in body.consents if c.given})
        gpc = sends_gpc(request.headers.items())
        done = capture(
            ctx,
            key=pk,
            sub=sub,
            net=net,
            gpc={**vars(signal), "spared": spared} if gpc else None,
        )
        # A sign-up kept until confirmed names the events it will record, by their ids.
        held = [
            RecordedEvent(
                id=str(d.event_id),
                kind=d.kind,
                purpose=d.purpose,
                status="pending_confirmation" if d.kind is EventKind.CONSENT_GIVEN else "refused",
            )
            for d in done.held
        ]
        if done.events and gpc:
            # The browser's standing objection to sale/sharing, except for a box ticked now.
            honour_gpc(ctx, signal=signal, subject_id=done.events[0].subject_id, spared=spared)
        c = done.confirmation
        return CaptureOut(
            events=held
            or [
                RecordedEvent(id=e.id, kind=e.kind, purpose=e.purpose, status=_status(e))
                for e in done.events
            ],
            confirmation=None
            if c is None
            else ConfirmationOut(
                id=c.id, method=c.method, expires_at=c.expires_at, sent=c.sent_at is not None
            ),
        )

    return await _run(request, key, SubmissionIn, act)


async def _run(
    request: Request,
    key: str,
    model: type[Body],
    act: Callable[[Context, PublishableKey, Body], Any],
) -> Any:
    """Parses the body, then answers through the key's checks: a bad key or origin is refused
    before a malformed body is reported."""
    from starlette.concurrency import run_in_threadpool

    try:
        body: Body | None = await _parse(request, model)
        error: DomainError | None = None
    except DomainError as exc:
        body, error = None, exc

    def checked(ctx: Context, pk: PublishableKey) -> Any:
        if error is not None:
            raise error
        assert body is not None
        return act(ctx, pk, body)

    # The service layer blocks (database, SMTP): keep it off the event loop.
    return await run_in_threadpool(_answer, request, key, checked)


@router.options("/sdk/v1/{key}/code", include_in_schema=False)
def code_preflight(key: str, request: Request) -> Response:
    return _preflight(request, key)


class CodeOut(BaseModel):
    confirmed: list[RecordedEvent]


@router.post("/sdk/v1/{key}/code", operation_id="checkFormCode", response_model=CodeOut)
async def check_code(key: str, request: Request) -> Any:
    """Checks a one-time code for the key's touchpoint; a match confirms the consents."""

    def act(ctx: Context, pk: PublishableKey, body: CodeIn) -> CodeOut:
        events = confirm_code(
            ctx,
            confirmation_id=body.confirmation_id,
            code=body.code,
            ip=request.client.host if request.client else None,
            user_agent=request.headers.get("user-agent"),
            touchpoint=pk.touchpoint_key,
        )
        return CodeOut(
            confirmed=[
                RecordedEvent(id=e.id, kind=e.kind, purpose=e.purpose, status="given")
                for e in events
            ]
        )

    return await _run(request, key, CodeIn, act)
