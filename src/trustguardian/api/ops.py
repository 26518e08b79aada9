"""Probes and metrics: `/healthz` (alive), `/readyz` (able to serve), `/metrics` (Prometheus)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text

from trustguardian.api.hardening import Observe, RateLimit, SecurityHeaders
from trustguardian.service import metrics
from trustguardian.service.context import Context
from trustguardian.store.migrate import current_revision, head_revision

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="The process is alive")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="The database answers, migrations are at head and the keys are loaded",
    responses={503: {"description": "Not ready; `checks` says what failed"}},
)
def readyz(request: Request) -> JSONResponse:
    ctx: Context = request.app.state.context
    checks: dict[str, str] = {}
    try:
        with ctx.engine.connect() as c:
            c.execute(text("SELECT 1"))
        checks["database"] = "ok"
        at, head = current_revision(ctx.engine), head_revision()
        checks["migrations"] = "ok" if at == head else f"at {at}, head is {head}"
    except Exception as exc:  # any failure to reach the database means not ready
        checks["database"] = f"unreachable ({type(exc).__name__})"
    checks["keys"] = "ok" if ctx.keys.signer and ctx.keys.master else "missing"
    ready = all(v == "ok" for v in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status_code=200 if ready else 503,
    )


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def prometheus(request: Request) -> Response:
    ctx: Context = request.app.state.context
    return Response(metrics.exposition(ctx.engine, ctx.clock), media_type=metrics.CONTENT_TYPE)


def install_operations(app: FastAPI, ctx: Context) -> None:
    """Adds the probes, metrics, rate limits, security headers and request logs."""
    app.include_router(router)
    s = ctx.settings
    app.add_middleware(
        RateLimit,
        public=s.rate_limit_public_per_minute,
        api=s.rate_limit_api_per_minute,
        burst=s.rate_limit_burst,
    )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(Observe)  # outermost: times and logs every answer, 413 and 429 included
