"""A batch is held whole while it is recorded (all or nothing), so its size and its number of
events are capped: what one request can make the server hold stays bounded."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests.factories.api import assert_problem, event_body
from tests.factories.events import footprint, setup_registry

from trustguardian.asgi import create_app
from trustguardian.service.context import Context
from trustguardian.settings import Settings

MIB = 1024 * 1024


@pytest.fixture
def registry(sqlite_ctx: Context) -> Context:
    setup_registry(sqlite_ctx)
    return sqlite_ctx


def test_the_defaults_bound_a_batch_to_1000_events_in_8_mib() -> None:
    defaults = Settings.model_fields
    assert defaults["max_batch_request_bytes"].default == 8 * MIB
    assert defaults["max_batch_events"].default == 1_000


def test_a_63_mb_batch_is_refused_before_its_body_is_read(
    client: TestClient, registry: Context
) -> None:
    sent = 0

    def body() -> Iterator[bytes]:
        nonlocal sent
        yield b'{"events": ['
        for _ in range(63):
            sent += MIB
            yield b" " * MIB
        yield b"]}"

    before = footprint(registry)
    answer = client.post(
        "/v1/events/batch",
        content=body(),
        headers={"Content-Type": "application/json", "Content-Length": str(63 * MIB + 14)},
    )
    assert_problem(answer, 413, "payload-too-large")
    assert sent <= MIB  # refused from its declared length: the rest was never read
    assert footprint(registry) == before


def test_a_batch_over_the_byte_limit_is_refused_while_it_streams(
    client: TestClient, registry: Context
) -> None:
    chunks = [b'{"events": [', *([b" " * MIB] * 9), b"]}"]
    before = footprint(registry)
    answer = client.post(
        "/v1/events/batch", content=iter(chunks), headers={"Content-Type": "application/json"}
    )
    assert_problem(answer, 413, "payload-too-large")
    assert footprint(registry) == before


def test_a_batch_with_more_events_than_the_limit_is_refused_whole(
    registry: Context, admin_token: str
) -> None:
    registry.settings.max_batch_events = 3
    with TestClient(
        create_app(registry), headers={"Authorization": f"Bearer {admin_token}"}
    ) as client:
        before = footprint(registry)
        many = {"events": [event_body() for _ in range(4)]}
        problem = assert_problem(client.post("/v1/events/batch", json=many), 413, "too-large")
        assert "at most 3 events" in problem["detail"]
        assert footprint(registry) == before
        three = json.dumps({"events": [event_body() for _ in range(3)]})
        done = client.post(
            "/v1/events/batch", content=three, headers={"Content-Type": "application/json"}
        )
        assert done.status_code == 201, done.text
