"""The web console for Legal, Marketing and ICT: server-rendered, in English and Italian."""

from __future__ import annotations

import inspect
from typing import Any, cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from trustguardian.domain.errors import DomainError, InvalidInput, NotFound
from trustguardian.problems import status_of
from trustguardian.web.console import (
    pages_admin,
    pages_auth,
    pages_cases,
    pages_lists,
    pages_manage_brand,
    pages_manage_keys,
    pages_manage_notices,
    pages_manage_purposes,
    pages_manage_sync,
    pages_manage_touchpoints,
    pages_overview,
    pages_registry,
    pages_requests,
    pages_sso,
    pages_subjects,
)
from trustguardian.web.console.core import PREFIX, ConsoleHeaders, error_page


async def _delegate(handler: Any, request: Request, exc: Exception) -> Response:
    """Calls the API's own handler (sync or async) for what is not the console's."""
    result = handler(request, exc)
    if inspect.isawaitable(result):
        result = await result
    return cast(Response, result)


def _is_console(request: Request) -> bool:
    return request.url.path == PREFIX or request.url.path.startswith(PREFIX + "/")


def install_console(app: FastAPI) -> None:
    """Adds the console's pages; console errors become pages, the API's stay problem+json."""
    for module in (
        pages_auth,
        pages_sso,
        pages_overview,
        pages_subjects,
        pages_registry,
        pages_admin,
        pages_requests,
        pages_cases,
        pages_lists,
        pages_manage_touchpoints,
        pages_manage_purposes,
        pages_manage_notices,
        pages_manage_sync,
        pages_manage_keys,
        pages_manage_brand,
    ):
        app.include_router(module.router)
    app.add_middleware(ConsoleHeaders)
    api_domain = app.exception_handlers[DomainError]
    api_validation = app.exception_handlers[RequestValidationError]
    api_http = app.exception_handlers[StarletteHTTPException]

    async def domain(request: Request, exc: Exception) -> Response:
        if _is_console(request) and isinstance(exc, DomainError):
            return error_page(request, exc, status_of(exc))
        return await _delegate(api_domain, request, exc)

    async def validation(request: Request, exc: Exception) -> Response:
        if _is_console(request) and isinstance(exc, RequestValidationError):
            detail = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in exc.errors()[:5]
            )
            return error_page(request, InvalidInput(detail), 422)
        return await _delegate(api_validation, request, exc)

    async def http(request: Request, exc: Exception) -> Response:
        if _is_console(request) and isinstance(exc, StarletteHTTPException):
            return error_page(request, NotFound(str(exc.detail)), exc.status_code)
        return await _delegate(api_http, request, exc)

    app.add_exception_handler(DomainError, domain)
    app.add_exception_handler(RequestValidationError, validation)
    app.add_exception_handler(StarletteHTTPException, http)
