"""Probes and metrics: `/healthz` (alive), `/readyz` (able to serve), `/metrics` (Prometheus)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from trustguardian.api.auth import require
from trustguardian.api.hardening import RateLimit, RateLimits, SecurityHeaders
from trustguardian.api.observe import Observe
from trustguardian.api.openapi import install_openapi
from trustguardian.domain.access import ApiKey, Scope
from trustguardian.problems import PROBLEM_MEDIA_TYPE, problem_type
from trustguardian.service.context import Context
from trustguardian.service.ops import keyring, metrics, readiness, stamping

router = APIRouter(tags=["operations"])


@router.get("/healthz", operation_id="getHealth", summary="The process is alive")
async def healthz() -> dict[str, str]:
    """The process is alive (no dependency is checked): for liveness probes."""
    # async: nothing here blocks, and a sync route costs a hop to a worker thread and back.
    return {"status": "ok"}


@router.get(
    "/readyz",
    operation_id="getReadiness",
    summary="The database answers and takes writes, migrations are at head, the keys open it",
    responses={
        503: {
            "description": "Not ready: `detail` says why, `checks` says what failed",
            "content": {PROBLEM_MEDIA_TYPE: {}},
        }
    },
)
def readyz(request: Request) -> JSONResponse:
    """Ready to serve: the database answers, migrations are at head, the keys are loaded."""
    ctx: Context = request.app.state.context
    checks: dict[str, str] = {}
    try:
        readiness.ping(ctx)
        checks["database"] = "ok"
        at, head = readiness.revisions(ctx)
        checks["migrations"] = "ok" if at == head else f"at {at}, head is {head}"
        checks["keys"] = (
            (readiness.keys_problem(ctx) or "ok") if at == head else "unknown (migrations behind)"
        )
    except Exception as exc:  # any failure to reach the database means not ready
        checks["database"] = f"unreachable ({type(exc).__name__})"
        checks.setdefault("keys", "unknown (no database)")
    try:
        reachable = checks["database"] == "ok"
        checks["storage"] = readiness.storage_problem(ctx, reachable=reachable) or "ok"
    except Exception as exc:  # a probe that fails says so instead of failing the probe
        checks["storage"] = f"unknown ({type(exc).__name__})"
    failed = {name: why for name, why in checks.items() if why != "ok"}
    # Trusted time is reported, never a reason to refuse traffic: stamps catch up later.
    trusted_time = _trusted_time(ctx) if checks["database"] == "ok" else None
    if not failed:
        return JSONResponse({"status": "ready", "checks": checks, "trusted_time": trusted_time})
    body = {
        "type": problem_type(readiness.NotReady.code),
        "title": readiness.NotReady.title,
        "status": 503,
        "detail": "; ".join(f"{name}: {why}" for name, why in failed.items()),
        "checks": checks,
        "trusted_time": trusted_time,
    }
    return JSONResponse(body, status_code=503, media_type=PROBLEM_MEDIA_TYPE)


def _trusted_time(ctx: Context) -> dict[str, object] | None:
    """How far the time-stamps are behind (None without a TSA or when it cannot be read)."""
    if not ctx.settings.tsa_url:
        return None
    try:
        status = stamping.stamping_status(ctx)
    except Exception:  # a probe that fails says so instead of failing the probe
        return {"status": "unknown"}
    schedule = status.schedule
    due = schedule.next_attempt_at
    return {
        "status": "behind" if schedule.failures else "ok",
        "stamped_size": status.stamped_size,
        "unstamped_events": status.behind,
        "failures": schedule.failures,
        "next_attempt_at": due.isoformat() if due else None,
    }


@router.get(
    "/metrics", operation_id="getMetrics", summary="Prometheus metrics", response_class=Response
)
def prometheus(request: Request) -> Response:
    """Prometheus metrics of requests, the ledger, deliveries and checks (text format)."""
    ctx: Context = request.app.state.context
    body = metrics.exposition(ctx.engine, ctx.clock, tsa=bool(ctx.settings.tsa_url))
    return Response(body, media_type=metrics.CONTENT_TYPE)


class SigningKeyRead(BaseModel):
    key_hash: str
    verifier_key: str
    from_tree_size: int
    until_tree_size: int | None
    activated_at: datetime | None
    retired_at: datetime | None
    endorsement: str | None = Field(description="The previous key's signed note introducing it.")
    trusted: bool = Field(
        description="Whether the key is pinned outside the database or endorsed in an unbroken "
        "chain from a pinned key; checkpoints signed by an untrusted key are not accepted."
    )
    trust: str = Field(
        description="`pinned`, `endorsed by KEY_HASH`, or why the chain does not reach the key."
    )


keys_router = APIRouter(prefix="/v1", tags=["ledger"])


@keys_router.get(
    "/ledger/keys", operation_id="listSigningKeys", response_model=list[SigningKeyRead]
)
def ledger_keys(
    request: Request, _: Annotated[ApiKey, Depends(require(Scope.EVENTS_READ))]
) -> list[SigningKeyRead]:
    """Every key that signed checkpoints, with the tree sizes and times it was valid."""
    ctx: Context = request.app.state.context
    return [
        SigningKeyRead(
            key_hash=k.key_hash,
            verifier_key=k.verifier_key,
            from_tree_size=k.from_tree_size,
            until_tree_size=k.until_tree_size,
            activated_at=k.activated_at,
            retired_at=k.retired_at,
            endorsement=k.endorsement,
            trusted=k.trusted,
            trust=k.trust,
        )
        for k in keyring.signing_keys(ctx)
    ]


def rate_limits(ctx: Context) -> RateLimits:
    """The configured rate limits: one set of buckets per app."""
    s = ctx.settings
    return RateLimits(
        public=s.rate_limit_public_per_minute,
        api=s.rate_limit_api_per_minute,
        burst=s.rate_limit_burst,
    )


def install_operations(app: FastAPI, limits: RateLimits) -> None:
    """Adds the probes, metrics, rate limits, security headers and request logs."""
    app.include_router(router)
    app.include_router(keys_router)
    install_openapi(app)
    app.add_middleware(RateLimit, limits=limits)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(Observe)  # outermost: times and logs every answer, 413 and 429 included
