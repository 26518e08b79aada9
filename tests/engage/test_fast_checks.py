"""The fast path of POST /v1/checks answers exactly what the FastAPI route answers.

Two apps on one database: the real one (fast path on) and one built with `fast_checks=False`,
where every check goes through the route. The same requests, happy and unhappy, must get the
same status, body (check ids aside: each check gets a new one), content type and headers.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from starlette.types import Receive, Scope, Send
from tests.factories.events import LUIGI

from trustguardian.api.app import size_limits
from trustguardian.api.checks import router
from trustguardian.api.fast_checks import FastChecks
from trustguardian.api.ops import rate_limits
from trustguardian.asgi import create_app
from trustguardian.domain.access import Scope as KeyScope
from trustguardian.service.context import Context

from .fast_helpers import answer_of, bearer, check
from .helpers import event, setup_engage
from .population import Population


@pytest.fixture
def registry(ctx: Context) -> Context:
    """The engage registry on each backend (PostgreSQL answers checks on worker threads)."""
    setup_engage(ctx)
    return ctx


@pytest.fixture
def apps(registry: Context) -> Iterator[tuple[TestClient, TestClient]]:
    """(fast, full): the real app and the app that sends every check through the route."""
    auth = bearer(registry, KeyScope.ADMIN)
    with (
        TestClient(create_app(registry), headers=auth) as fast,
        TestClient(create_app(registry, fast_checks=False), headers=auth) as full,
    ):
        yield fast, full


def test_every_kind_of_check_gets_the_routes_answer(
    apps: tuple[TestClient, TestClient], registry: Context
) -> None:
    given = event(registry)
    reader = bearer(registry, KeyScope.REGISTRY_READ)
    checker = bearer(registry, KeyScope.CONSENT_CHECK)
    json_type = {"Content-Type": "application/json"}
    requests: list[dict[str, Any]] = [
        {"json": check()},  # allowed
        {"json": check(identifier=None, subject_id=given.subject_id)},
        {"json": check(identifier={"kind": "email", "value": LUIGI})},  # unknown: denied
        {"json": check(channel="sms")},
        {"json": check(at="2020-01-01T10:00:00+01:00")},  # a moment gone by
        {"json": check(), "headers": checker},
        {"json": check(), "headers": reader},  # wrong scope
        {"json": check(), "headers": {"Authorization": "Bearer tg_nope_nope"}},  # unknown key
        {"json": check(), "headers": {"Authorization": "Bearer not-a-key"}},
        {"json": check(), "headers": {"Authorization": "Basic dXNlcjpwdw=="}},
        {"json": check(), "headers": {"Authorization": ""}},
        {"json": check(channel="pigeon")},
        {"json": check(purpose=None)},
        {"json": check(purpose="no-such-purpose")},
        {"json": check(identifier=None)},
        {"json": check(subject_id="sub_x")},  # both an identifier and a subject id
        {"json": check(identifier={"kind": "email", "value": "not-an-email"})},
        {"json": check(at="2026-11-30T10:00:00")},  # no time zone
        {"json": check(surprise=1)},
        {"json": [check()]},
        {"content": b'{"identifier": ', "headers": json_type},  # bad JSON
        {"content": b"\xff\xfe{}", "headers": json_type},  # not UTF-8
        {"content": b"", "headers": json_type},
        {"content": b'{"purpose": "newsletter"}', "headers": {"Content-Type": "text/plain"}},
        {"content": b'{"purpose": "newsletter"}'},  # no content type
        {"json": check(), "params": {"dry": "1"}},
    ]
    fast, full = apps
    for request in requests:
        assert answer_of(fast.post("/v1/checks", **request)) == answer_of(
            full.post("/v1/checks", **request)
        ), request
    for method in ("GET", "PUT"):
        assert answer_of(fast.request(method, "/v1/checks")) == answer_of(
            full.request(method, "/v1/checks")
        )


def test_an_allowed_check_has_the_security_headers_and_a_json_body(
    apps: tuple[TestClient, TestClient], registry: Context
) -> None:
    event(registry)
    answer = apps[0].post("/v1/checks", json=check())
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["content-security-policy"].startswith("default-src 'self'")
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.json()["allowed"] is True
    assert answer_of(answer) == answer_of(apps[1].post("/v1/checks", json=check()))


def test_an_oversized_body_is_refused_as_by_the_route(
    apps: tuple[TestClient, TestClient], registry: Context
) -> None:
    limit = registry.settings.max_request_bytes
    padded = check(identifier={"kind": "email", "value": "x" * limit + "@example.com"})
    answers = [answer_of(app.post("/v1/checks", json=padded)) for app in apps]
    assert answers[0] == answers[1]
    assert answers[0][0] == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit counts what arrives
        yield b'{"identifier": {"kind": "email", "value": "'
        for _ in range(limit // 1000 + 1):
            yield b"x" * 1000
        yield b'@example.com"}, "purpose": "newsletter", "channel": "email"}'

    headers = {"Content-Type": "application/json"}
    streamed = [
        answer_of(app.post("/v1/checks", content=chunks(), headers=headers)) for app in apps
    ]
    assert streamed[0] == streamed[1]
    assert streamed[0][0] == 413


def test_a_rate_limited_check_is_refused_as_by_the_route(registry: Context) -> None:
    event(registry)
    settings = registry.settings.model_copy(
        update={"rate_limit_api_per_minute": 1, "rate_limit_burst": 1}
    )
    strict = dataclasses.replace(registry, settings=settings)
    auth = bearer(registry, KeyScope.CONSENT_CHECK)
    answers = []
    for fast in (True, False):
        with TestClient(create_app(strict, fast_checks=fast), headers=auth) as client:
            first = client.post("/v1/checks", json=check())
            assert first.status_code == 200
            answers.append(answer_of(client.post("/v1/checks", json=check())))
    assert answers[0] == answers[1]
    assert answers[0][0] == 429
    assert answers[0][2]["retry-after"]


def test_fast_answers_are_logged_and_counted_under_the_route_template(
    apps: tuple[TestClient, TestClient], registry: Context, caplog: pytest.LogCaptureFixture
) -> None:
    event(registry)
    with caplog.at_level(logging.INFO, logger="trustguardian.http"):
        assert apps[0].post("/v1/checks", json=check()).status_code == 200
    [record] = [r for r in caplog.records if r.name == "trustguardian.http"]
    assert (getattr(record, "route", None), getattr(record, "status", None)) == (
        "/v1/checks",
        200,
    )
    metrics = apps[0].get("/metrics").text
    assert 'route="/v1/checks",status="200"' in metrics


def test_the_fast_path_answers_a_plain_check_itself_and_hands_on_the_rest(
    registry: Context,
) -> None:
    """Behind the fast path, an app that answers 418 to whatever reaches it."""
    event(registry)
    reached: list[bytes] = []

    async def teapot(scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        message = await receive()
        reached.append(message.get("body", b""))
        await send({"type": "http.response.start", "status": 418, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    [route] = [r for r in router.routes if getattr(r, "path", "") == "/v1/checks"]
    app = FastChecks(
        teapot,
        context=registry,
        route=route,
        rates=rate_limits(registry),
        sizes=size_limits(registry),
    )
    client = TestClient(
        app, headers=bearer(registry, KeyScope.CONSENT_CHECK)
    )  # no lifespan: the teapot speaks HTTP only
    answer = client.post("/v1/checks", json=check())
    assert (answer.status_code, answer.json()["allowed"]) == (200, True)
    assert reached == []
    bad = b'{"purpose": 1}'
    handed = client.post("/v1/checks", content=bad, headers={"Content-Type": "application/json"})
    assert handed.status_code == 418
    assert reached == [bad]  # the body the fast path read is replayed to the app


def test_a_real_server_answers_single_checks_as_the_route_does(
    population: Population, http: httpx.Client
) -> None:
    """`trustguardian serve` (uvicorn, fast path on) against the route, for the population."""
    token = http.headers["Authorization"]
    json_type = {"Content-Type": "application/json"}
    requests: list[dict[str, Any]] = [
        *(
            {"json": check(identifier={"kind": "email", "value": p.email})}
            for p in population.people[:40]
        ),
        *(
            {"json": check(identifier=None, subject_id=p.subject_id)}
            for p in population.people[40:60]
        ),
        {"json": check(identifier={"kind": "email", "value": "nobody@example.org"})},
        {"json": check(channel="pigeon")},
        {"json": check(purpose="no-such-purpose")},
        {"content": b"{", "headers": json_type},
        {"json": check(), "headers": {"Authorization": "Bearer tg_nope_nope"}},
    ]
    with TestClient(
        create_app(population.ctx, fast_checks=False), headers={"Authorization": token}
    ) as full:
        allowed = 0
        for request in requests:
            served = answer_of(http.post("/v1/checks", **request))
            assert served == answer_of(full.post("/v1/checks", **request)), request
            allowed += served[0] == 200 and served[1]["allowed"]
    assert allowed  # the population has people who may be contacted
