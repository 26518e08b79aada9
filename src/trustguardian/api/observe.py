"""The request log and metrics: every answer counted and timed by route template, one log line
for it, under a request id that the answer carries in `X-Request-ID` and, for an error, in its
problem body. `opened`, `finish` and `fail` are the steps; the `Observe` middleware and the
contact-check fast path (api.fast_checks) both take them.

The id is the caller's `X-Request-ID` when it is well-formed (a proxy's or a client's, so their
logs and ours join), else a new one. An exception that nothing else answered becomes a
problem+json 500 here, logged with its id: never a plain-text page or a dropped connection.

The log names the route template, never the path or query (they may hold tokens or ids), and no
header or body: the request log carries no personal data by construction.
"""

from __future__ import annotations

import json
import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from trustguardian.api.hardening import UNLIMITED
from trustguardian.problems import PROBLEM_MEDIA_TYPE, internal_error, request_id_of
from trustguardian.service.ops import metrics

log = logging.getLogger("trustguardian.http")

_STARTED = "started"


def opened(scope: Scope) -> tuple[str, float]:
    """The request's id and the moment it began, kept in its state: a layer that hands the
    request on keeps both."""
    state = scope.setdefault("state", {})
    started = state.get(_STARTED)
    if started is None:
        started = state[_STARTED] = time.perf_counter()
    request_id = state["request_id"] = request_id_of(scope)
    return request_id, started


def finish(scope: Scope, request_id: str, status: int, started: float) -> None:
    """Counts, times and logs one answered request."""
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


async def fail(scope: Scope, exc: Exception, request_id: str, send: Send, answered: bool) -> None:
    """Logs an exception nothing else answered and answers the 500 (re-raises it when the
    answer had begun: only closing the connection tells the client then)."""
    log.error(
        "unhandled error",
        exc_info=exc,
        extra={"request_id": request_id, "route": _route(scope), "status": 500},
    )
    scope["state"]["error_logged"] = True
    if answered:
        raise exc
    for part in internal_error(request_id):
        await send(part)


class Observe:
    """ASGI middleware: the request log and metrics around every request (see the module)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id, started = opened(scope)
        status = 500
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
            if not answered:
                status = 500
            await fail(scope, exc, request_id, send, answered)
        finally:
            finish(scope, request_id, status, started)


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
    # Probes and the scraper are named by their path when no route matched them.
    return scope["path"] if scope["path"] in UNLIMITED else "(unmatched)"
