"""The fast path of POST /v1/checks runs in front of the other layers and keeps their rules:
one rate token per request, the body deadline, the request id, HSTS over TLS, the 500 of a
failure. Each answer is compared with the app that sends every check through the route."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from trustguardian.asgi import create_app
from trustguardian.domain.access import Scope as KeyScope
from trustguardian.service.context import Context

from .fast_helpers import VARYING, answer_of, check
from .fast_helpers import bearer as key_header
from .helpers import event


@pytest.fixture
def registry(ctx: Context) -> Context:
    from .helpers import setup_engage

    setup_engage(ctx)
    event(ctx)
    return ctx


def tuned(ctx: Context, **settings: Any) -> Context:
    return dataclasses.replace(ctx, settings=ctx.settings.model_copy(update=settings))


def test_a_check_handed_on_takes_one_rate_token_not_two(registry: Context) -> None:
    strict = tuned(registry, rate_limit_api_per_minute=1, rate_limit_burst=1)
    auth = key_header(registry, KeyScope.CONSENT_CHECK)
    json_type = {"Content-Type": "application/json"}
    answers = []
    for fast in (True, False):
        with TestClient(create_app(strict, fast_checks=fast), headers=auth) as client:
            handed_on = client.post("/v1/checks", content=b"{", headers=json_type)
            answers.append([answer_of(handed_on), answer_of(client.post("/v1/checks"))])
    assert answers[0] == answers[1]
    assert [status for status, _, _ in answers[0]] == [422, 429]


def test_the_callers_request_id_is_kept_and_tls_gets_hsts(registry: Context) -> None:
    auth = key_header(registry, KeyScope.CONSENT_CHECK)
    headers = {**auth, "X-Request-ID": "caller-id-1234"}
    answers = []
    for fast in (True, False):
        with TestClient(
            create_app(registry, fast_checks=fast), base_url="https://tg.example"
        ) as client:
            answer = client.post("/v1/checks", json=check(), headers=headers)
            assert answer.headers["x-request-id"] == "caller-id-1234"
            assert answer.headers["strict-transport-security"].startswith("max-age=")
            answers.append(answer_of(answer))
    assert answers[0] == answers[1]
    assert answers[0][0] == 200


class FailingIds:
    def new_id(self, prefix: str) -> str:
        raise RuntimeError("no ids today")


def test_a_failure_answering_is_the_request_logs_500(
    registry: Context, caplog: pytest.LogCaptureFixture
) -> None:
    broken = dataclasses.replace(registry, ids=FailingIds())
    # The same id for both: the 500's detail quotes it.
    auth = {**key_header(registry, KeyScope.CONSENT_CHECK), "X-Request-ID": "failing-check-1"}
    answers = []
    for fast in (True, False):
        caplog.clear()
        with (
            caplog.at_level(logging.INFO, logger="trustguardian.http"),
            TestClient(create_app(broken, fast_checks=fast), headers=auth) as client,
        ):
            answer = client.post("/v1/checks", json=check())
        answers.append(answer_of(answer))
        logged = [(r.getMessage(), getattr(r, "route", None), getattr(r, "status", None))
                  for r in caplog.records if r.name == "trustguardian.http"]  # fmt: skip
        assert logged == [("unhandled error", "/v1/checks", 500), ("request", "/v1/checks", 500)]
    assert answers[0] == answers[1]
    assert answers[0][0] == 500


def called(
    app: FastAPI, token: str, parts: list[dict[str, Any]]
) -> tuple[int, dict[str, str], dict[str, Any]]:
    """A check whose body comes in these messages (then never ends), without Content-Length,
    called on the app as uvicorn would."""
    messages: list[dict[str, Any]] = []
    parts = parts[::-1]

    async def receive() -> dict[str, Any]:
        if parts:
            return parts.pop()
        await asyncio.sleep(3600)
        raise AssertionError("the deadline passed long ago")

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/v1/checks", "raw_path": b"/v1/checks", "query_string": b"",
        "root_path": "", "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 80), "app": app,
        "headers": [(b"authorization", f"Bearer {token}".encode()),
                    (b"content-type", b"application/json")],
    }  # fmt: skip
    asyncio.run(app(scope, receive, send))
    start, body = messages[0], json.loads(b"".join(m.get("body", b"") for m in messages[1:]))
    headers = {k.decode(): v.decode() for k, v in start["headers"] if k.decode() not in VARYING}
    assert body.pop("request_id")
    return start["status"], headers, body


def test_a_body_that_never_ends_is_answered_408_as_by_the_route(registry: Context) -> None:
    quick = tuned(registry, body_timeout_seconds=0.3)
    token = key_header(registry, KeyScope.CONSENT_CHECK)["Authorization"].split(" ")[1]
    started = [{"type": "http.request", "body": b'{"purpose": ', "more_body": True}]
    answers = [called(create_app(quick, fast_checks=f), token, started) for f in (True, False)]
    assert answers[0] == answers[1]
    assert answers[0][0] == 408
    assert answers[0][1]["connection"] == "close"


def test_a_body_over_the_limit_in_one_message_is_refused_as_by_the_route(
    registry: Context,
) -> None:
    small = tuned(registry, max_request_bytes=1024)
    token = key_header(registry, KeyScope.CONSENT_CHECK)["Authorization"].split(" ")[1]
    # A valid check, but too large: the limit answers, not the check.
    emails = [{"kind": "email", "value": f"{n}{'x' * 60}@example.com"} for n in range(10)]
    whole = [
        {
            "type": "http.request",
            "body": json.dumps(check(identifier=None, identifiers=emails)).encode(),
        }
    ]
    assert len(whole[0]["body"]) > 1024
    answers = [called(create_app(small, fast_checks=f), token, whole) for f in (True, False)]
    assert answers[0] == answers[1]
    assert answers[0][0] == 413
