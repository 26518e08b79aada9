"""RFC 9457 problem details for every error, with a stable `type` per kind of error.

One mapping from errors to HTTP statuses and problem+json bodies, shared by the API and the web
pages (which answer the same errors with a page at the same status).
"""

from __future__ import annotations

import json
import logging
import math
import re
import secrets
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Message, Scope

from trustguardian.domain import errors as de

PROBLEM_MEDIA_TYPE = "application/problem+json"
# What an incoming X-Request-ID may be to be kept: nothing that could forge a log line.
REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
log = logging.getLogger("trustguardian.http")

STATUS = {
    de.NotFound: 404,
    de.AlreadyExists: 409,
    de.Conflict: 409,
    de.InvalidInput: 422,
    de.Unauthorized: 401,
    de.Forbidden: 403,
    de.TooLarge: 413,
    de.Erased: 410,
    de.InvalidToken: 403,
    de.TooManyAttempts: 429,
}

HTTP_CODES = {
    400: ("bad-request", "Bad request"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    408: ("request-timeout", "Request body too slow"),
    413: ("payload-too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    429: ("too-many-requests", "Too many requests"),
}


def problem_type(code: str) -> str:
    """The problem type URI for a code; `/problems/{code}` on this server describes it."""
    return f"/problems/{code}"


def problem(
    status: int,
    code: str,
    title: str,
    detail: str,
    *,
    instance: str | None = None,
    errors: Sequence[dict[str, Any]] = (),
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """Builds an application/problem+json response."""
    body: dict[str, Any] = {
        "type": problem_type(code),
        "title": title,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = list(errors)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def status_of(error: de.DomainError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def install_error_handlers(app: FastAPI) -> None:
    """Maps domain errors, validation errors and HTTP errors to problem+json."""

    @app.exception_handler(de.DomainError)
    async def _domain(request: Request, exc: de.DomainError) -> JSONResponse:
        status = status_of(exc)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        if isinstance(exc, de.TooManyAttempts):
            headers = {"Retry-After": str(max(1, math.ceil(exc.retry_after)))}
        return problem(
            status,
            exc.code,
            exc.title,
            exc.detail,
            instance=request.url.path,
            errors=[{"loc": e.loc, "msg": e.msg} for e in exc.errors],
            headers=headers,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "loc": ".".join(str(part) for part in err["loc"]),
                "msg": err["msg"],
                "type": err["type"],
            }
            for err in exc.errors()
        ]
        detail = "; ".join(f"{e['loc']}: {e['msg']}" for e in errors[:5])
        return problem(
            422,
            "validation-error",
            "The request is not valid",
            detail,
            instance=request.url.path,
            errors=errors,
        )

    # Starlette gives the handler of `Exception` to its outermost middleware: what escapes every
    # other layer (a failing middleware included) is answered as problem+json, not plain text.
    app.add_exception_handler(Exception, server_error)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, title = HTTP_CODES.get(exc.status_code, ("http-error", "HTTP error"))
        return problem(exc.status_code, code, title, str(exc.detail), instance=request.url.path)


async def server_error(request: Request, exc: Exception) -> Response:
    """The problem+json 500 for an exception no other layer answered, logged with its id."""
    request_id = request_id_of(request.scope)
    if not request.scope.get("state", {}).get("error_logged"):
        log.error("unhandled error", exc_info=exc, extra={"request_id": request_id, "status": 500})
    start, body = internal_error(request_id)
    return Response(
        body["body"],
        status_code=500,
        headers={k.decode(): v.decode() for k, v in start["headers"] if k != b"content-length"},
    )


def request_id_of(scope: Scope) -> str:
    """The request's id: a well-formed incoming X-Request-ID, else a new random one."""
    state = scope.get("state") or {}
    known = state.get("request_id") if isinstance(state, dict) else None
    if isinstance(known, str):
        return known
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            text = bytes(value).decode("latin-1")
            if REQUEST_ID.fullmatch(text):
                return text
            break
    return secrets.token_hex(16)


def internal_error(request_id: str) -> list[Message]:
    """The ASGI messages of a problem+json 500 that names the request id."""
    body = json.dumps(
        {
            "type": problem_type("internal-error"),
            "title": "Internal server error",
            "status": 500,
            "detail": f"the server failed to answer; quote request id {request_id} to report it",
            "request_id": request_id,
        }
    ).encode()
    return [
        {
            "type": "http.response.start",
            "status": 500,
            "headers": [
                (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"x-request-id", request_id.encode()),
            ],
        },
        {"type": "http.response.body", "body": body},
    ]


def known_problems() -> dict[str, str]:
    """Every problem code this API can answer with, and its title."""
    found: dict[str, str] = dict(HTTP_CODES.values())
    found["validation-error"] = "The request is not valid"
    found["internal-error"] = "Internal server error"
    found["too-many-requests"] = "Too many requests"
    pending: list[type[de.DomainError]] = [de.DomainError]
    while pending:
        cls = pending.pop()
        found[cls.code] = cls.title
        pending.extend(cls.__subclasses__())
    return found
