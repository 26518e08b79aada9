"""ASGI middleware for production: security headers, rate limits, request metrics and logs.

Rate limits are a token bucket per client address, per process, written here (40 lines) rather
than taken from slowapi/limits: those decorate routes one by one, while ours must cover every
public route other packages add, and a per-process bucket needs no shared store. With N worker
processes a client gets at most N times the rate; a limit shared across machines belongs in the
reverse proxy (see the README).
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections import OrderedDict

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from trustguardian.problems import (
    PROBLEM_MEDIA_TYPE,
    internal_error,
    problem_type,
    request_id_of,
)
from trustguardian.service.ops import metrics

log = logging.getLogger("trustguardian.http")

# Probes and the scraper are never limited or counted as traffic of the API itself.
UNLIMITED = ("/healthz", "/readyz", "/metrics")
# RFC 8058 one-click unsubscribe: mailbox providers POST from a few shared addresses on behalf
# of millions of people, so these POSTs are limited per link (its path names its token), not per
# client address; a link gets a few retries a minute, which every provider's retry policy fits.
ONE_CLICK = "/u/"
PER_LINK_PER_MINUTE = 6
PER_LINK_BURST = 3
# Swagger UI and ReDoc run from assets this server ships (api/docs_pages.py): scripts from this
# origin only; both set inline styles, and ReDoc starts its search index in a blob: worker.
DOCS = ("/docs", "/redoc")
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class SecurityHeaders:
    """Adds CSP, frame-ancestors, nosniff, referrer policy and, over TLS, HSTS."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        extra = [
            (b"content-security-policy", (DOCS_CSP if path in DOCS else CSP).encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"no-referrer"),
            (b"cross-origin-opener-policy", b"same-origin"),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
        ]
        if scope.get("scheme") == "https":
            extra.append((b"strict-transport-security", b"max-age=63072000; includeSubDomains"))

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [
                    *message.get("headers", []),
                    *((k, v) for k, v in extra if k not in present),
                ]
            await send(message)

        await self.app(scope, receive, with_headers)


class TokenBuckets:
    """One bucket per key: `rate` tokens a minute, at most `burst` saved up."""

    def __init__(self, rate_per_minute: int, burst: int, *, max_keys: int = 100_000) -> None:
        self.rate = rate_per_minute / 60.0
        self.burst = float(burst)
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str, now: float) -> float:
        """Takes a token; returns 0 when allowed, else the seconds until one is free."""
        with self._lock:
            tokens, last = self._buckets.pop(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            wait = 0.0 if tokens >= 1 else (1 - tokens) / self.rate
            self._buckets[key] = (tokens - 1 if wait == 0 else tokens, now)
            if len(self._buckets) > self.max_keys:  # forget the longest-idle clients
                self._buckets.popitem(last=False)
            return wait


class RateLimit:
    """429 problem+json with Retry-After once a client empties its bucket."""

    def __init__(self, app: ASGIApp, *, public: int, api: int, burst: int) -> None:
        self.app = app
        self.public = TokenBuckets(public, burst) if public else None
        self.api = TokenBuckets(api, max(burst, api // 6)) if api else None
        self.per_link = TokenBuckets(PER_LINK_PER_MINUTE, PER_LINK_BURST) if public else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(UNLIMITED):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        key = client[0] if client else "-"
        if path.startswith("/v1/"):
            buckets = self.api
        elif path.startswith(ONE_CLICK) and scope.get("method") == "POST":
            buckets, key = self.per_link, path
        else:
            buckets = self.public
        wait = buckets.take(key, time.monotonic()) if buckets else 0.0
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        metrics.RATE_LIMITED.inc()
        body = json.dumps(
            {
                "type": problem_type("too-many-requests"),
                "title": "Too many requests",
                "status": 429,
                "detail": "slow down: too many requests from this address, or for this link",
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 429,
                "headers": [
                    (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"retry-after", str(math.ceil(wait)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class Observe:
    """Counts and times every request by route template and logs one line for it, under a
    request id that the answer carries in `X-Request-ID` and, for an error, in its problem body.

    The id is the caller's `X-Request-ID` when it is well-formed (a proxy's or a client's, so
    their logs and ours join), else a new one. An exception that nothing else answered becomes a
    problem+json 500 here, logged with its id: never a plain-text page or a dropped connection.

    The log names the route template, never the path or query (they may hold tokens or ids),
    and no header or body: the request log carries no personal data by construction.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        request_id = request_id_of(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        header = (b"x-request-id", request_id.encode())
        held: list[Message] = []
        answered = False

        async def observed(message: Message) -> None:
            nonlocal status, answered
            if message["type"] == "http.response.start":
                answered = True
                status = message["status"]
                message["headers"] = [*message.get("headers", []), header]
                if _is_problem(message):
                    held.append(message)  # its body gets the request id
                    return
            elif held:
                held.append(message)
                if message.get("more_body", False):
                    return
                for part in _with_request_id(held, request_id):
                    await send(part)
                held.clear()
                return
            await send(message)

        try:
            await self.app(scope, receive, observed)
        except Exception as exc:
            log.error(
                "unhandled error",
                exc_info=exc,
                extra={"request_id": request_id, "route": _route(scope), "status": 500},
            )
            scope["state"]["error_logged"] = True
            if answered:
                raise  # the answer is on its way: only closing the connection tells the client
            status = 500
            for part in internal_error(request_id):
                await send(part)
        finally:
            elapsed = time.perf_counter() - started
            route = _route(scope)
            method: str = scope.get("method", "")
            metrics.observe_request(method, route, status, elapsed)
            log.info(
                "request",
                extra={
                    "request_id": request_id,
                    "method": method,
                    "route": route,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                },
            )


def _is_problem(start: Message) -> bool:
    return any(
        name.lower() == b"content-type" and value.startswith(PROBLEM_MEDIA_TYPE.encode())
        for name, value in start.get("headers", [])
    )


def _with_request_id(held: list[Message], request_id: str) -> list[Message]:
    """A problem answer (start and body messages) with `request_id` added to its body."""
    start, body = held[0], b"".join(m.get("body", b"") for m in held[1:])
    try:
        problem = json.loads(body)
    except ValueError:
        problem = None
    if not isinstance(problem, dict):  # not a problem object after all: sent as it was
        return [start, {"type": "http.response.body", "body": body}]
    problem.setdefault("request_id", request_id)
    body = json.dumps(problem).encode()
    headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
    headers.append((b"content-length", str(len(body)).encode()))
    return [{**start, "headers": headers}, {"type": "http.response.body", "body": body}]


def _route(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path
    return scope["path"] if scope["path"] in UNLIMITED else "(unmatched)"
