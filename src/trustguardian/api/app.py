"""The FastAPI application factory."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from trustguardian import __version__
from trustguardian.api import census as census_api
from trustguardian.api import checks, collect, events, keys, registry, sdk, subjects, sync
from trustguardian.api import complaints as complaints_api
from trustguardian.api import reports as reports_api
from trustguardian.api import rights as rights_api
from trustguardian.api.errors import install_error_handlers, known_problems, problem
from trustguardian.api.fast_checks import PATH as FAST_PATH
from trustguardian.api.fast_checks import FastChecks
from trustguardian.api.limits import BodySizeLimit
from trustguardian.service.context import Context

DESCRIPTION = """Consent and privacy-event platform with a tamper-evident ledger.

Every endpoint needs an API key (`Authorization: Bearer tg_...`) with the right scope.
Errors are RFC 9457 `application/problem+json`; list endpoints paginate with `cursor`."""


def create_app(ctx: Context, *, fast_checks: bool = True) -> FastAPI:
    """Builds the app for a context (nothing is created at import time).

    Without `fast_checks` every contact check goes through its FastAPI route: the answers are
    the same (the tests compare them), only slower.
    """
    app = FastAPI(
        title="Trust Guardian",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,  # served by api.docs_pages from our own assets
        redoc_url=None,
    )
    app.state.context = ctx
    install_error_handlers(app)
    # Routes are matched in order: the contact check, the busiest endpoint, is tried first.
    app.include_router(checks.router)
    app.include_router(registry.router)
    app.include_router(events.router)
    app.include_router(subjects.router)
    app.include_router(sync.router)
    app.include_router(keys.router)
    app.include_router(census_api.router)
    app.include_router(reports_api.router)
    app.include_router(collect.router)
    app.include_router(sdk.router)
    app.include_router(rights_api.router)
    app.include_router(complaints_api.router)

    @app.get("/problems/{code}", include_in_schema=False)
    def describe_problem(code: str) -> JSONResponse:
        titles = known_problems()
        if code not in titles:
            return problem(404, "not-found", "Not found", f"no problem type {code!r}")
        return JSONResponse({"type": f"/problems/{code}", "title": titles[code]})

    from trustguardian.web.pages import install_pages

    install_pages(app)
    from trustguardian.web.confirm import install_confirm_pages

    install_confirm_pages(app)
    from trustguardian.web.operator import install_operator_pages

    install_operator_pages(app)
    # Innermost: the size limit, rate limit, headers and request log wrap the fast path too.
    if fast_checks:
        app.add_middleware(FastChecks, context=ctx, route=_route(checks.router, "POST", FAST_PATH))
    app.add_middleware(
        BodySizeLimit,
        default=ctx.settings.max_request_bytes,
        limits={
            "/v1/events": ctx.settings.max_event_request_bytes,
            "/v1/checks/bulk": ctx.settings.max_bulk_request_bytes,
        },
    )
    from trustguardian.api.docs_pages import install_docs

    install_docs(app)
    from trustguardian.api.ops import install_operations

    install_operations(app, ctx)
    return app


def _route(router: APIRouter, method: str, path: str) -> APIRoute:
    return next(
        r
        for r in router.routes
        if isinstance(r, APIRoute) and r.path == path and method in (r.methods or ())
    )
