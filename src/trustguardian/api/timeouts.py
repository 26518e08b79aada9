"""Connections that send too slowly are cut off: the request head within the header timeout
(below ASGI, in the HTTP protocol uvicorn runs), the body within the body timeout (an ASGI
middleware, answering 408). Without them a client sending a byte a second holds a connection,
and whatever the request holds, for ever."""

from __future__ import annotations

import asyncio
import functools
import json
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from trustguardian.problems import PROBLEM_MEDIA_TYPE, problem_type
from trustguardian.settings import Settings


class BodyTimedOut(Exception):
    pass


class BodyTimeout:
    """ASGI middleware: 408 problem+json (and the connection closed) when a request's body has
    not all arrived `seconds` after its head, plus a second for every `min_rate` bytes received
    (a large upload at a fair speed goes on; a trickle stops at `seconds`)."""

    def __init__(self, app: ASGIApp, *, seconds: float, min_rate: int) -> None:
        self.app = app
        self.seconds = seconds
        self.min_rate = min_rate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        deadline = body_deadline(scope, self.seconds)
        started = timed_out = answered = False

        async def timed_receive() -> Message:
            nonlocal timed_out, deadline
            try:
                message = await receive_by(receive, deadline)
            except BodyTimedOut:
                timed_out = True
                raise
            deadline += len(message.get("body", b"")) / self.min_rate
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started, answered
            if timed_out and not started:
                # FastAPI answers an exception raised while it reads a body with its own 400.
                if not answered:
                    answered = True
                    await _timed_out(send, self.seconds)
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, timed_receive, tracking_send)
        except BodyTimedOut:
            if not started and not answered:
                await _timed_out(send, self.seconds)


def body_deadline(scope: Scope, seconds: float) -> float:
    """When the request's body must be all there (before its size extends the time): fixed
    by the first layer that reads it, so a layer that hands the request on keeps its clock."""
    state = scope.setdefault("state", {})
    deadline: float | None = state.get(_DEADLINE)
    if deadline is None:
        deadline = state[_DEADLINE] = time.monotonic() + seconds
    return deadline


async def receive_by(receive: Receive, deadline: float) -> Message:
    """The request's next message, or BodyTimedOut when it has not come by the deadline."""
    try:
        # A timer on this task, not wait_for's task per message: a message already there is
        # taken even at the deadline, and the usual body costs a timer, not a task.
        async with asyncio.timeout(max(deadline - time.monotonic(), 0)):
            return await receive()
    except TimeoutError:
        raise BodyTimedOut from None


_DEADLINE = "body_deadline"


async def _timed_out(send: Send, seconds: float) -> None:
    body = json.dumps(
        {
            "type": problem_type("request-timeout"),
            "title": "Request body too slow",
            "status": 408,
            "detail": f"the request body did not arrive within {seconds:g} seconds",
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 408,
            "headers": [
                (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


@functools.cache
def header_timeout() -> float:
    """TRUSTGUARDIAN_HEADER_TIMEOUT_SECONDS, read once per process (workers read it too)."""
    return Settings().header_timeout_seconds


class HeaderDeadline:
    """Mixed into uvicorn's HTTP protocols: closes a connection whose request head (line and
    headers) has not all arrived within the header timeout of the connection opening or of the
    previous response."""

    _timer: asyncio.TimerHandle | None = None
    _armed_for: object = None
    cycle: Any
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)  # type: ignore[misc]
        if self._timer is not None and self.cycle is not self._armed_for:
            self._disarm()  # a new request's head is complete

    def on_response_complete(self) -> None:
        super().on_response_complete()  # type: ignore[misc]
        if not self.transport.is_closing():
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)  # type: ignore[misc]

    def _arm(self) -> None:
        self._disarm()
        self._armed_for = self.cycle
        self._timer = self.loop.call_later(header_timeout(), self._too_slow)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _too_slow(self) -> None:
        self._timer = None
        if self.cycle is self._armed_for and not self.transport.is_closing():
            self.transport.close()
