"""The operator page: a store clerk or a call-centre agent records a consent with its evidence.

Sign-in takes the operator's API key (scope `events:write`) and opens a server-side session: the
HttpOnly, SameSite=Strict cookie scoped to /operator holds only the session's random id, never
the key, and the session ends at sign-out, at expiry or when the key is revoked. Every POST is
checked for its origin and, once signed in, for the CSRF token bound to the cookie
(`web/operator_guard.py`). The page runs no inline script: its one script is a static file, so
the page's Content-Security-Policy allows scripts from here only.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import FastAPI, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from trustguardian.domain.access import ApiKey
from trustguardian.domain.errors import DomainError, FieldError, Forbidden, InvalidInput
from trustguardian.domain.registry import purpose_label
from trustguardian.domain.subjects import IdentifierKind
from trustguardian.i18n import Words, negotiate, words
from trustguardian.service.access.operator_sessions import (
    end_operator_session,
    open_operator_session,
    operator_session_key,
)
from trustguardian.service.collect.in_person import (
    CallRecording,
    InPersonConsent,
    PaperForm,
    record_in_person,
)
from trustguardian.service.collect.operator import operator_choices
from trustguardian.service.context import Context
from trustguardian.service.events.identifiers import normalise
from trustguardian.web.operator_guard import (
    COOKIE,
    PATH,
    check_csrf,
    check_origin,
    csrf_token,
    set_cookie,
)
from trustguardian.web.pages import TEMPLATES

SCRIPT = Path(__file__).parent / "static" / "operator.js"
POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
FIELDS = (
    "email", "phone", "customer_id", "staff_member", "store", "campaign", "occurred_at",
    "form_reference", "recording_reference", "recording_sha256",
)  # fmt: skip


def _words(request: Request) -> Words:
    """The operator's words: `?lang=`, then Accept-Language; English, as in the console, when
    neither names a language we have."""
    ctx: Context = request.app.state.context
    lang = negotiate(
        request.query_params.get("lang"),
        accept_language=request.headers.get("accept-language", ""),
        default="en",
    )
    return words(lang, ctx.settings.timezone)


def _key(ctx: Context, request: Request) -> ApiKey | None:
    return operator_session_key(ctx, session_id=request.cookies.get(COOKIE, ""))


def _render(
    request: Request, ctx: Context, key: ApiKey | None, status: int = 200, **extra: Any
) -> HTMLResponse:
    values: dict[str, Any] = {
        "signed_in": key is not None,
        "form": {"purposes": []},
        "t": _words(request),
        "purpose_label": purpose_label,
        **extra,
    }
    if key is not None:
        tps, purposes = operator_choices(ctx, key=key)
        wanted = str(extra.get("chosen") or request.query_params.get("touchpoint") or "")
        touchpoint = next((t for t in tps if t.key == wanted), tps[0] if tps else None)
        values.update(
            key_name=key.name,
            touchpoints=tps,
            touchpoint=touchpoint,
            purposes=[
                purposes[p] for p in (touchpoint.purposes if touchpoint else ()) if p in purposes
            ],
        )
        values["form"] = dict.fromkeys(FIELDS, "") | {"purposes": []} | extra.get("form", {})
        values["csrf_token"] = csrf_token(ctx, request.cookies.get(COOKIE, ""))
    headers = {
        "Cache-Control": "no-store",
        "Content-Security-Policy": POLICY,
        # Not no-referrer: with it, browsers send `Origin: null` on the page's own POSTs.
        "Referrer-Policy": "same-origin",
    }
    return TEMPLATES.TemplateResponse(
        request, "operator.html", values, status_code=status, headers=headers
    )


def install_operator_pages(app: FastAPI) -> None:
    """Adds `/operator` to the app."""

    @app.get("/operator", response_class=HTMLResponse, include_in_schema=False)
    def page(request: Request) -> HTMLResponse:
        ctx: Context = request.app.state.context
        return _render(request, ctx, _key(ctx, request))

    @app.get("/operator/operator.js", include_in_schema=False)
    def script() -> Response:
        return Response(
            SCRIPT.read_bytes(),
            media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=3600"},
        )

    @app.post("/operator/sign-in", include_in_schema=False)
    def sign_in(request: Request, api_key: Annotated[str, Form()]) -> Response:
        check_origin(request)
        ctx: Context = request.app.state.context
        try:
            _, session_id = open_operator_session(ctx, token=api_key.strip())
        except Forbidden:
            error = _words(request)("This key cannot record events.")
            return _render(request, ctx, None, 403, error=error)
        except DomainError:
            error = _words(request)("Unknown or revoked API key.")
            return _render(request, ctx, None, 401, error=error)
        response = RedirectResponse("/operator", status_code=303)
        set_cookie(request, response, session_id)
        return response

    @app.post("/operator/sign-out", include_in_schema=False)
    def sign_out(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
        check_origin(request)
        ctx: Context = request.app.state.context
        session_id = request.cookies.get(COOKIE, "")
        check_csrf(ctx, session_id, csrf_token)
        end_operator_session(ctx, session_id=session_id)
        response = RedirectResponse("/operator", status_code=303)
        response.delete_cookie(COOKIE, path=PATH, httponly=True, samesite="strict")
        return response

    @app.post("/operator/consents", response_class=HTMLResponse, include_in_schema=False)
    async def record(
        request: Request,
        scan: Annotated[UploadFile | None, File()] = None,
        recording: Annotated[UploadFile | None, File()] = None,
    ) -> Response:
        check_origin(request)
        ctx: Context = request.app.state.context
        key = _key(ctx, request)
        if key is None:
            return RedirectResponse("/operator", status_code=303)
        form = await request.form()
        check_csrf(ctx, request.cookies.get(COOKIE, ""), str(form.get("csrf_token") or ""))
        text = {f: str(form.get(f) or "").strip() for f in FIELDS}
        chosen = str(form.get("touchpoint") or "")
        purposes = [str(p) for p in form.getlist("purpose")]
        content = await scan.read() if scan is not None and scan.filename else b""
        audio = await recording.read() if recording is not None and recording.filename else b""
        kept = text | {"purposes": purposes}
        try:
            heard = (audio, recording.content_type if recording else None)
            consent = _consent(ctx, chosen, text, purposes, scan, content, heard)
            from starlette.concurrency import run_in_threadpool

            events = await run_in_threadpool(
                record_in_person,
                ctx,
                consent=consent,
                acting=key.touchpoint_key,
                recorded_by=f"operator page, api-key:{key.id} ({key.name})",
            )
        except DomainError as exc:
            return _render(
                request,
                ctx,
                key,
                422,
                error=exc.detail,
                errors=exc.errors,
                form=kept,
                chosen=chosen,
            )
        return _render(request, ctx, key, 201, recorded=events, chosen=chosen)


def _consent(
    ctx: Context,
    touchpoint: str,
    text: dict[str, str],
    purposes: list[str],
    scan: UploadFile | None,
    content: bytes,
    heard: tuple[bytes, str | None] = (b"", None),
) -> InPersonConsent:
    region = ctx.settings.default_phone_region
    identifiers = tuple(
        normalise(kind, text[kind.value], region=region, loc=kind.value)
        for kind in (IdentifierKind.EMAIL, IdentifierKind.PHONE, IdentifierKind.CUSTOMER_ID)
        if text[kind.value]
    )
    moment = ctx.clock.now()
    if text["occurred_at"]:
        try:
            # The operator types the company's local time (TRUSTGUARDIAN_TIMEZONE).
            zone = ZoneInfo(ctx.settings.timezone)
            moment = datetime.fromisoformat(text["occurred_at"]).replace(tzinfo=zone)
        except ValueError as exc:
            raise InvalidInput(
                "invalid date", errors=[FieldError("occurred_at", "a date and time")]
            ) from exc
    recording = None
    audio, audio_type = heard
    if audio:  # the recording itself, kept sealed; its hash is computed when not given
        digest = text["recording_sha256"].lower() or hashlib.sha256(audio).hexdigest()
        recording = CallRecording(text["recording_reference"], digest, audio, audio_type)
    elif text["recording_reference"] or text["recording_sha256"]:
        recording = CallRecording(text["recording_reference"], text["recording_sha256"].lower())
    paper = None
    if content:
        media = (scan.content_type if scan else None) or "application/octet-stream"
        paper = PaperForm(
            content, media, text["form_reference"] or (scan.filename if scan else None)
        )
    return InPersonConsent(
        touchpoint=touchpoint,
        identifiers=identifiers,
        purposes=tuple((p, ()) for p in purposes),
        staff_member=text["staff_member"],
        occurred_at=moment,
        store=text["store"] or None,
        campaign=text["campaign"] or None,
        paper_form=paper,
        call_recording=recording,
    )
