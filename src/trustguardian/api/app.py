"""The HTTP API: its routers in the order they are matched, the problem types, the contact-check
fast path and the request size limits. `trustguardian.asgi` assembles them with the web pages."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from trustguardian.api import census as census_api
from trustguardian.api import (
    checks,
    collect,
    engage_lists,
    events,
    keys,
    public_ledger,
    registry,
    sdk,
    subjects,
    sync,
    sync_admin,
)
from trustguardian.api import complaints as complaints_api
from trustguardian.api import defence as defence_api
from trustguardian.api import reports as reports_api
from trustguardian.api import rights as rights_api
from trustguardian.api.fast_checks import PATH as FAST_PATH
from trustguardian.api.fast_checks import FastChecks
from trustguardian.api.hardening import RateLimits
from trustguardian.api.limits import BodySizeLimit, SizeLimits
from trustguardian.api.timeouts import BodyTimeout
from trustguardian.problems import known_problems, problem
from trustguardian.service.context import Context

DESCRIPTION = """Consent and privacy-event platform with a tamper-evident ledger.

Every endpoint needs an API key (`Authorization: Bearer tg_...`) with the right scope.
Errors are RFC 9457 `application/problem+json`; list endpoints paginate with `cursor`."""


def install_api(app: FastAPI) -> None:
    """Adds the API's routers and the description of each problem type (`/problems/{code}`)."""
    # Routes are matched in order: the contact check, the busiest endpoint, is tried first.
    app.include_router(checks.router)
    app.include_router(engage_lists.router)
    app.include_router(registry.router)
    app.include_router(events.router)
    app.include_router(subjects.router)
    app.include_router(sync.router)
    app.include_router(sync_admin.router)
    app.include_router(keys.router)
    app.include_router(census_api.router)
    app.include_router(reports_api.router)
    app.include_router(collect.router)
    app.include_router(sdk.router)
    app.include_router(rights_api.router)
    app.include_router(complaints_api.router)
    app.include_router(public_ledger.router)
    app.include_router(defence_api.router)

    @app.get("/problems/{code}", include_in_schema=False)
    def describe_problem(code: str) -> JSONResponse:
        titles = known_problems()
        if code not in titles:
            return problem(404, "not-found", "Not found", f"no problem type {code!r}")
        return JSONResponse({"type": f"/problems/{code}", "title": titles[code]})


def install_fast_checks(app: FastAPI, ctx: Context, rates: RateLimits, sizes: SizeLimits) -> None:
    """Answers `POST /v1/checks` in front of every other layer, with the route's own models and
    decision and the layers' own rules (added last: it is the outermost)."""
    app.add_middleware(
        FastChecks,
        context=ctx,
        route=_route(checks.router, "POST", FAST_PATH),
        rates=rates,
        sizes=sizes,
    )


def size_limits(ctx: Context) -> SizeLimits:
    """The configured body sizes (larger ones for events and bulk checks)."""
    return SizeLimits(
        default=ctx.settings.max_request_bytes,
        limits={
            # First match wins: the batch route has its own, smaller limit.
            "/v1/events/batch": ctx.settings.max_batch_request_bytes,
            "/v1/events": ctx.settings.max_event_request_bytes,
            "/v1/checks/bulk": ctx.settings.max_bulk_request_bytes,
            # A campaign list uploaded to the console: the list, and room for the form around
            # it (a list over its own limit is refused by the page, in words).
            "/console/lists": ctx.settings.max_list_bytes + 65_536,
        },
    )


def install_size_limits(app: FastAPI, ctx: Context, sizes: SizeLimits) -> None:
    """Refuses request bodies over their size limit."""
    # A web form's script must be able to read why its submission was refused.
    app.add_middleware(BodySizeLimit, sizes=sizes, headers=partial(sdk.refusal_cors, ctx))


def install_body_timeout(app: FastAPI, ctx: Context) -> None:
    """Answers 408 to a request whose body is not all there `body_timeout_seconds` after its head
    (more for a large body arriving at `body_min_bytes_per_second` or faster)."""
    app.add_middleware(
        BodyTimeout,
        seconds=ctx.settings.body_timeout_seconds,
        min_rate=ctx.settings.body_min_bytes_per_second,
    )


def _route(router: APIRouter, method: str, path: str) -> APIRoute:
    return next(
        r
        for r in router.routes
        if isinstance(r, APIRoute) and r.path == path and method in (r.methods or ())
    )
