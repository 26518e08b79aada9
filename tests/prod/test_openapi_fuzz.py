"""Schemathesis against our own `/openapi.json`: whatever operations it holds (other packages
add theirs), generated requests never get a 5xx or a response that violates its schema.

Bounded, and the same on every run (derandomized): every operation gets the examples its schema
gives and `MAX_EXAMPLES` generated requests; schemathesis' coverage phase (every boundary and
negative case the schema defines, about 4,600 requests and two minutes here) runs by hand:

    TRUSTGUARDIAN_FUZZ_EXAMPLES=200 TRUSTGUARDIAN_FUZZ_PHASES=examples,coverage,fuzzing \
        pytest -n 0 tests/prod/test_openapi_fuzz.py

On SQLite with a registry and a few events, authenticated as an admin so requests reach the
handlers. What the coverage phase found stays pinned below (the out-of-range integers).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)
from tests.factories.events import email, make_draft, record_one, setup_registry

from trustguardian.asgi import create_app
from trustguardian.domain.access import Scope
from trustguardian.service.access.api_keys import create_api_key
from trustguardian.service.context import Context

# CI runs five generated requests an operation, several hundred in all: most of the time goes
# into generating them, not into the app. The variables above dig deeper.
MAX_EXAMPLES = int(os.environ.get("TRUSTGUARDIAN_FUZZ_EXAMPLES", "5"))
PHASES = os.environ.get("TRUSTGUARDIAN_FUZZ_PHASES", "examples,fuzzing").split(",")
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def fuzzed(sqlite_ctx: Context) -> tuple[FastAPI, str]:
    setup_registry(sqlite_ctx)
    for n in range(3):
        record_one(sqlite_ctx, make_draft(identifiers=(email(f"fuzz{n}@example.com"),)))
    _, token = create_api_key(sqlite_ctx, name="fuzz", scopes=[Scope.ADMIN])
    return create_app(sqlite_ctx), token


@pytest.fixture
def api_schema(fuzzed: tuple[FastAPI, str]) -> schemathesis.BaseSchema:
    app, _ = fuzzed
    loaded = schemathesis.openapi.from_asgi("/openapi.json", app)
    loaded.config.phases.update(phases=PHASES)
    return loaded


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.mark.slow  # several hundred requests
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_error_and_no_response_outside_the_schema(
    case: schemathesis.Case, fuzzed: tuple[FastAPI, str]
) -> None:
    _, token = fuzzed
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        # Found by schemathesis: each was a 500 (orjson, SQLite or PostgreSQL integer overflow).
        ("POST", "/v1/events", {"notice_version": 2**64}),
        ("POST", "/v1/events", {"data": {"points": 2**64}}),
        ("GET", "/v1/purposes/newsletter/versions/18446744073709551616", None),
        ("GET", "/v1/notices/privacy-it/versions/4294967296", None),
    ],
)
def test_out_of_range_integers_are_refused_with_422(
    fuzzed: tuple[FastAPI, str], method: str, path: str, body: dict[str, object] | None
) -> None:
    from fastapi.testclient import TestClient

    app, token = fuzzed
    event = {
        "kind": "consent.given",
        "touchpoint": "web-newsletter",
        "occurred_at": "2026-01-01T00:00:00Z",
        "identifiers": [{"kind": "email", "value": "fuzz0@example.com"}],
        "purpose": "newsletter",
    }
    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as client:
        answer = client.request(method, path, json={**event, **body} if body else None)
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
