"""RFC 9457 problem details for every error, with a stable `type` per kind of error."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from trustguardian.domain import errors as de

PROBLEM_MEDIA_TYPE = "application/problem+json"

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
}

HTTP_CODES = {
    400: ("bad-request", "Bad request"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
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

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, title = HTTP_CODES.get(exc.status_code, ("http-error", "HTTP error"))
        return problem(exc.status_code, code, title, str(exc.detail), instance=request.url.path)


def known_problems() -> dict[str, str]:
    """Every problem code this API can answer with, and its title."""
    found: dict[str, str] = dict(HTTP_CODES.values())
    found["validation-error"] = "The request is not valid"
    pending: list[type[de.DomainError]] = [de.DomainError]
    while pending:
        cls = pending.pop()
        found[cls.code] = cls.title
        pending.extend(cls.__subclasses__())
    return found
