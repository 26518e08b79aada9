"""POST /v1/checks answered in front of the framework and the other layers on its happy path.

A single check costs about 0.3 ms of CPU; FastAPI's request object, dependency solving, the
thread-pool hops of a sync route and six ASGI layers each wrapping `send` and `receive` cost
more than that again. This ASGI middleware, the outermost, answers a plain check itself: through
the route's own request model, key check (`authorise` with `CHECK_SCOPE`), decision
(`answer_check`) and response model, and through the other layers' own rules, called once each
and inline: the rate limit's buckets (`RateLimits.wait`), the size limit (`SizeLimits`), the body
deadline (`body_deadline`, `receive_by`), the security headers (`security_headers`) and the
request log, metrics and request id (`observe.opened`, `finish`, `fail`).

Anything else (another method or path, a query string, a content type other than
`application/json`, a refused rate, a body over its limit, late or cut short, bad JSON, a field
that does not validate, a missing, unknown or under-scoped key, a domain error) goes on to the
app with the body replayed and the request's id, start, rate token and body deadline in its
state: every other answer is the layers' and the route's own, with no second copy here.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from fastapi.security.utils import get_authorization_scheme_param
from pydantic import TypeAdapter, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from trustguardian.api import observe
from trustguardian.api.auth import authorise
from trustguardian.api.checks import CHECK_SCOPE, CheckCreate, CheckRead, answer_check
from trustguardian.api.hardening import RateLimits, security_headers
from trustguardian.api.limits import SizeLimits, declared_over
from trustguardian.api.timeouts import BodyTimedOut, body_deadline, receive_by
from trustguardian.domain.errors import DomainError
from trustguardian.service.context import Context

PATH = "/v1/checks"
# The route's answer as FastAPI serialises a declared response model (TypeAdapter.dump_json).
ANSWER = TypeAdapter(CheckRead)
_JSON = (b"content-type", b"application/json")


class FastChecks:
    """ASGI middleware: answers a well-formed, authorised POST /v1/checks itself."""

    def __init__(
        self, app: ASGIApp, *, context: Context, route: BaseRoute, rates: RateLimits,
        sizes: SizeLimits,
    ) -> None:  # fmt: skip
        self.app = app
        self.ctx = context
        self.route = route
        self.rates = rates
        self.limit = sizes.limit_for(PATH)
        self.seconds = context.settings.body_timeout_seconds
        self.min_rate = context.settings.body_min_bytes_per_second
        # SQLite answers from a local file in well under a millisecond of CPU: cheaper on the
        # event loop than the hop to a thread and back (~0.3 ms). PostgreSQL's round trips wait
        # on the network, where a thread lets the loop serve other requests meanwhile.
        self.on_loop = context.embedded

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["path"] != PATH
            or scope["method"] != "POST"
            or scope.get("query_string")
            or scope.get("root_path")
        ):
            await self.app(scope, receive, send)
            return
        token, declared = _bearer_json(scope["headers"])
        request_id, started = observe.opened(scope)
        if token is None or self.rates.wait(scope) > 0 or declared_over(declared, self.limit):
            await self.app(scope, receive, send)
            return
        # As the router would set it: the request log names the route template, 500s included.
        scope["route"] = self.route
        received, whole = await self._body(scope, receive)
        if not whole:
            await self.app(scope, _replay(received, receive), send)
            return
        body = b"".join(m.get("body", b"") for m in received)
        try:
            if self.on_loop:
                answer = self._answer(token, body)
            else:
                answer = await run_in_threadpool(self._answer, token, body)
        except Exception as exc:
            await observe.fail(scope, exc, request_id, send, answered=False)
            observe.finish(scope, request_id, 500, started)
            return
        if answer is None:
            await self.app(scope, _replay(received, receive), send)
            return
        headers = [
            (b"content-length", str(len(answer)).encode()),
            _JSON,
            *security_headers(scope),
            (b"x-request-id", request_id.encode()),
        ]
        try:
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": answer})
        except Exception as exc:
            await observe.fail(scope, exc, request_id, send, answered=True)  # raises it again
        finally:
            observe.finish(scope, request_id, 200, started)

    async def _body(self, scope: Scope, receive: Receive) -> tuple[list[Message], bool]:
        """The body's messages as the body limits take them, and whether that is all of it in
        time and within the size limit (else those until one came late, was not a body part or
        went over the limit, the last one taken)."""
        deadline = body_deadline(scope, self.seconds)
        received: list[Message] = []
        seen = 0
        while True:
            try:
                message = await receive_by(receive, deadline)
            except BodyTimedOut:
                return received, False
            received.append(message)
            if message["type"] != "http.request":
                return received, False
            part = len(message.get("body", b""))
            seen += part
            deadline += part / self.min_rate
            if seen > self.limit:
                return received, False
            if not message.get("more_body", False):
                return received, True

    def _answer(self, token: str | None, body: bytes) -> bytes | None:
        """The route's answer to a check on its happy path; None for the app to answer."""
        if token is None or not body:
            return None
        try:
            # The route's own steps: Starlette's json.loads, then the body model in Python mode.
            data = json.loads(body)
        except ValueError:  # bad JSON or undecodable bytes
            return None
        try:
            request = CheckCreate.model_validate(data)
            authorise(self.ctx, token=token, scope=CHECK_SCOPE)
            read = answer_check(self.ctx, request)
        except (ValidationError, DomainError):
            # Nothing was recorded (the check is written last): the app's own try writes once.
            return None
        return ANSWER.dump_json(read, by_alias=True)


def _bearer_json(headers: list[tuple[bytes, bytes]]) -> tuple[str | None, bytes | None]:
    """The bearer token of a request that declares a JSON body (None when anything differs),
    and its Content-Length."""
    authorization = content_type = length = None
    for name, value in headers:
        if name == b"authorization" and authorization is None:
            authorization = value.decode("latin-1")
        elif name == b"content-type" and content_type is None:
            content_type = value
        elif name == b"content-length":  # the last one, as the size limit reads it
            length = value
    if content_type != b"application/json":
        return None, length
    scheme, token = get_authorization_scheme_param(authorization)
    return (token if scheme.lower() == "bearer" and token else None), length


def _replay(received: list[Message], receive: Receive) -> Callable[[], Awaitable[Message]]:
    """A receive channel that gives the messages already taken, then the live ones."""
    pending = list(received)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed
