"""ASGI middleware for production: security headers and rate limits (request metrics and logs
are api.observe's). Each rule is one function or object that the middleware and the contact-check
fast path (api.fast_checks) both call.

Rate limits are a token bucket per client address, per process, written here (40 lines) rather
than taken from slowapi/limits: those decorate routes one by one, while ours must cover every
public route other packages add, and a per-process bucket needs no shared store. With N worker
processes a client gets at most N times the rate; a limit shared across machines belongs in the
reverse proxy (see the README).
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import OrderedDict

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from trustguardian.problems import PROBLEM_MEDIA_TYPE, problem_type
from trustguardian.service.ops import metrics

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


_BASE = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)
_HSTS = ((b"strict-transport-security", b"max-age=63072000; includeSubDomains"),)
# Built once: (docs page, over TLS) -> the headers every answer gets.
_SECURITY = {
    (docs, tls): (
        (b"content-security-policy", (DOCS_CSP if docs else CSP).encode()),
        *_BASE,
        *(_HSTS if tls else ()),
    )
    for docs in (False, True)
    for tls in (False, True)
}


def security_headers(scope: Scope) -> tuple[tuple[bytes, bytes], ...]:
    """The security headers of every answer to this request (HSTS over TLS only)."""
    return _SECURITY[scope["path"] in DOCS, scope.get("scheme") == "https"]


class SecurityHeaders:
    """Adds CSP, frame-ancestors, nosniff, referrer policy and, over TLS, HSTS."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = security_headers(scope)

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


class RateLimits:
    """The buckets of every client: per address for the API and the public pages, per link for
    one-click unsubscribes. Shared by the middleware and the contact-check fast path."""

    def __init__(self, *, public: int, api: int, burst: int) -> None:
        self.public = TokenBuckets(public, burst) if public else None
        self.api = TokenBuckets(api, max(burst, api // 6)) if api else None
        self.per_link = TokenBuckets(PER_LINK_PER_MINUTE, PER_LINK_BURST) if public else None

    def wait(self, scope: Scope) -> float:
        """Takes this request's token: 0 when allowed (once per request, whichever layer asks
        first), else the seconds until one is free."""
        state = scope.setdefault("state", {})
        if state.get(_TAKEN):
            return 0.0
        path: str = scope["path"]
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
            state[_TAKEN] = True
        return wait


_TAKEN = "rate_limit_taken"


class RateLimit:
    """429 problem+json with Retry-After once a client empties its bucket."""

    def __init__(self, app: ASGIApp, *, limits: RateLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(UNLIMITED):
            await self.app(scope, receive, send)
            return
        wait = self.limits.wait(scope)
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
