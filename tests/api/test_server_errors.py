"""Every error answer, 500s included, is problem+json that names its request id; the same id is
in the X-Request-ID header and in the server's log record of the error.

The app is the real one (create_app) served by uvicorn on the loopback, with routes and a
middleware added here that fail as a full disk, a vault or a broken middleware would.
"""

from __future__ import annotations

import errno
import logging
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import text
from starlette.types import ASGIApp, Receive, Scope, Send

from trustguardian.asgi import create_app
from trustguardian.service.context import Context
from trustguardian.vault.errors import VaultError

PROBLEM = "application/problem+json"
GENERATED = re.compile(r"[0-9a-f]{32}")


class FailingMiddleware:
    """Fails in front of every other layer of the app for one path."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/fail/middleware":
            raise RuntimeError("middleware failure")
        await self.app(scope, receive, send)


def disk_full() -> None:
    raise OSError(errno.ENOSPC, "No space left on device", "/var/lib/trustguardian/tg.db")


def vault_failure() -> None:
    raise VaultError("wrapped data key does not open under the master key")


@contextmanager
def served(app: FastAPI) -> Iterator[str]:
    """Serves the app with uvicorn on a free loopback port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive(), "the server stopped"
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def client(sqlite_ctx: Context, admin_token: str) -> Iterator[httpx.Client]:
    """A client of the real app, with failing routes and a failing middleware added."""
    app = create_app(sqlite_ctx)
    app.add_api_route("/fail/disk", disk_full)
    app.add_api_route("/fail/vault", vault_failure)
    app.add_middleware(FailingMiddleware)  # outermost of ours: outside the request log
    with (
        served(app) as base,
        httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {admin_token}"}, timeout=30
        ) as c,
    ):
        yield c


def problem_of(answer: httpx.Response, status: int) -> dict[str, object]:
    """The problem body, checked to be problem+json with the header's request id."""
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == PROBLEM
    body: dict[str, object] = answer.json()
    assert body["status"] == status
    assert body["request_id"] == answer.headers["x-request-id"]
    return body


def errors_logged(caplog: pytest.LogCaptureFixture, request_id: str) -> list[logging.LogRecord]:
    """The error records the server logged under a request id."""
    return [
        r
        for r in caplog.records
        if getattr(r, "request_id", None) == request_id and r.levelno >= logging.ERROR
    ]


@pytest.fixture
def caplog_http(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="trustguardian.http")
    return caplog


def test_a_full_disk_is_a_problem_500_with_its_request_id(
    client: httpx.Client, caplog_http: pytest.LogCaptureFixture
) -> None:
    body = problem_of(client.get("/fail/disk"), 500)
    assert body["type"] == "/problems/internal-error"
    request_id = str(body["request_id"])
    assert GENERATED.fullmatch(request_id)
    assert "No space left" not in str(body)  # the cause is for the log, not the client
    [record] = errors_logged(caplog_http, request_id)
    assert record.exc_info is not None
    assert record.exc_info[0] is OSError
    assert record.route == "/fail/disk"
    # The request line is written once the answer is sent: it may follow the answer by a moment.
    deadline = time.monotonic() + 10
    while not any(
        r.getMessage() == "request" and getattr(r, "request_id", None) == request_id
        for r in caplog_http.records
    ):
        assert time.monotonic() < deadline, "no request line with the request id"
        time.sleep(0.05)


def test_a_vault_error_is_a_problem_500(
    client: httpx.Client, caplog_http: pytest.LogCaptureFixture
) -> None:
    body = problem_of(client.get("/fail/vault"), 500)
    [record] = errors_logged(caplog_http, str(body["request_id"]))
    assert record.exc_info is not None
    assert record.exc_info[0] is VaultError


def test_a_failing_middleware_is_a_problem_500_not_plain_text(
    client: httpx.Client, caplog_http: pytest.LogCaptureFixture
) -> None:
    body = problem_of(client.get("/fail/middleware"), 500)
    [record] = errors_logged(caplog_http, str(body["request_id"]))
    assert record.exc_info is not None
    assert record.exc_info[0] is RuntimeError


def test_a_database_that_lost_a_table_is_a_problem_500(
    client: httpx.Client, sqlite_ctx: Context, caplog_http: pytest.LogCaptureFixture
) -> None:
    assert client.get("/v1/touchpoints").status_code == 200
    with sqlite_ctx.engine.begin() as conn:
        conn.execute(text("ALTER TABLE touchpoints RENAME TO touchpoints_gone"))
    body = problem_of(client.get("/v1/touchpoints"), 500)
    [record] = errors_logged(caplog_http, str(body["request_id"]))
    assert record.exc_info is not None
    assert record.exc_info[0].__name__ == "OperationalError"


def test_a_well_formed_incoming_request_id_is_kept(
    client: httpx.Client, caplog_http: pytest.LogCaptureFixture
) -> None:
    answer = client.get("/fail/disk", headers={"X-Request-ID": "proxy-7f3a.01_B"})
    assert problem_of(answer, 500)["request_id"] == "proxy-7f3a.01_B"
    assert errors_logged(caplog_http, "proxy-7f3a.01_B")
    for forged in ("two words", "x" * 200, "-leading-dash", 'a"b'):
        answer = client.get("/fail/disk", headers={"X-Request-ID": forged})
        assert GENERATED.fullmatch(str(problem_of(answer, 500)["request_id"])), forged


def test_client_errors_name_their_request_id_too(client: httpx.Client) -> None:
    assert problem_of(client.get("/v1/touchpoints/no-such-touchpoint"), 404)["request_id"]
    assert problem_of(client.get("/v1/no-such-route"), 404)["request_id"]
    assert problem_of(client.post("/v1/touchpoints", json={"key": 1}), 422)["request_id"]
    unauthorised = client.get("/v1/touchpoints", headers={"Authorization": "Bearer nope"})
    assert problem_of(unauthorised, 401)["request_id"]
    too_large = client.post("/v1/touchpoints", content=b"x" * (2 << 20))
    assert problem_of(too_large, 413)["request_id"]
    ok = client.get("/healthz")
    assert ok.status_code == 200
    assert GENERATED.fullmatch(ok.headers["x-request-id"])
