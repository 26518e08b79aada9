"""The witness's HTTP interface: `POST /add-checkpoint` and `GET /<origin hash>/checkpoint`."""

from __future__ import annotations

import hashlib

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from trustguardian.store.witness_state import Refused
from trustguardian.witness.protocol import Witness

__all__ = ["MAX_BODY", "witness_app"]

MAX_BODY = 64 * 1024
"""A checkpoint with 100 signatures and 63 proof lines fits many times over."""
_TITLES = {
    400: "Malformed request",
    403: "Not signed by the log",
    404: "Unknown log",
    413: "Request too large",
    422: "Not consistent with the cosigned checkpoint",
}


def _problem(status: int, detail: str) -> Response:
    body = {"type": "about:blank", "title": _TITLES[status], "status": status, "detail": detail}
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def witness_app(witness: Witness) -> Starlette:
    """The Starlette app serving `witness` (its handlers run in the thread pool)."""

    async def add_checkpoint(request: Request) -> Response:
        declared = request.headers.get("content-length", "0")
        if not declared.isdigit() or int(declared) > MAX_BODY:
            return _problem(413, f"the body must be under {MAX_BODY} bytes")
        body = await request.body()
        if len(body) > MAX_BODY:
            return _problem(413, f"the body must be under {MAX_BODY} bytes")
        try:
            lines = await run_in_threadpool(witness.add_checkpoint, body)
        except Refused as exc:
            if exc.status == 409:
                return PlainTextResponse(
                    f"{exc.size}\n", status_code=409, media_type="text/x.tlog.size"
                )
            return _problem(exc.status, str(exc))
        return PlainTextResponse(lines, media_type="text/plain; charset=utf-8")

    def checkpoint(request: Request) -> Response:
        wanted = request.path_params["origin_hash"]
        for origin in witness.logs:
            if hashlib.sha256(origin.encode()).hexdigest() == wanted:
                latest = witness.state.latest(origin)
                if latest is not None:
                    return PlainTextResponse(latest.note, media_type="text/plain; charset=utf-8")
        return _problem(404, "this witness has cosigned no checkpoint of that log")

    return Starlette(
        routes=[
            Route("/add-checkpoint", add_checkpoint, methods=["POST"]),
            Route("/{origin_hash}/checkpoint", checkpoint, methods=["GET"]),
        ]
    )
