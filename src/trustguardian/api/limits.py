"""Refuses request bodies over a size limit before anything reads them."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from trustguardian.problems import PROBLEM_MEDIA_TYPE, problem_type

# Extra headers for a refusal, from the request's scope: the CORS headers a page's script needs
# to read the answer, when the route answers cross-origin requests and the origin is allowed.
RefusalHeaders = Callable[[Scope], Awaitable[list[tuple[bytes, bytes]]]]


class BodyTooLarge(Exception):
    pass


async def _no_headers(scope: Scope) -> list[tuple[bytes, bytes]]:
    return []


class SizeLimits:
    """The largest body each path takes: the first prefix that matches, else the default.
    Shared by the middleware and the contact-check fast path."""

    def __init__(self, *, default: int, limits: dict[str, int]) -> None:
        self.default = default
        self.limits = limits

    def limit_for(self, path: str) -> int:
        return next(
            (n for prefix, n in self.limits.items() if path.startswith(prefix)), self.default
        )


def declared_over(declared: bytes | None, limit: int) -> bool:
    """Whether a request's Content-Length already says its body is over the limit."""
    return declared is not None and declared.isdigit() and int(declared) > limit


class BodySizeLimit:
    """ASGI middleware: 413 problem+json when a body exceeds its route's limit."""

    def __init__(
        self, app: ASGIApp, *, sizes: SizeLimits, headers: RefusalHeaders = _no_headers
    ) -> None:
        self.app = app
        self.sizes = sizes
        self.headers = headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.sizes.limit_for(scope["path"])
        if declared_over(dict(scope["headers"]).get(b"content-length"), limit):
            await _refuse(send, limit, await self.headers(scope))
            return
        seen = 0
        started = exceeded = refused = False

        async def counted_receive() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    exceeded = True
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started, refused
            if exceeded and not started:
                # FastAPI turns an exception raised while it reads a body into its own 400
                # ("error parsing the body"): the answer to an oversized body is still the 413.
                if not refused:
                    refused = True
                    await _refuse(send, limit, await self.headers(scope))
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracking_send)
        except BodyTooLarge:
            if not started and not refused:
                await _refuse(send, limit, await self.headers(scope))


async def _refuse(send: Send, limit: int, extra: list[tuple[bytes, bytes]]) -> None:
    body = json.dumps(
        {
            "type": problem_type("payload-too-large"),
            "title": "Request body too large",
            "status": 413,
            "detail": f"the body exceeds the limit of {limit} bytes for this endpoint",
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
                *extra,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
