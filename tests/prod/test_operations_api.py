"""Probes, metrics, security headers and rate limits on the real app."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from tests.factories.api import event_body
from tests.factories.events import setup_registry

from trustguardian.asgi import create_app
from trustguardian.service.context import Context, build_context


@pytest.fixture
def app_client(sqlite_ctx: Context, admin_token: str) -> Iterator[TestClient]:
    with TestClient(
        create_app(sqlite_ctx), headers={"Authorization": f"Bearer {admin_token}"}
    ) as c:
        yield c


def _metric(body: str, name: str) -> float:
    total = 0.0
    for line in body.splitlines():
        if line.startswith(name) and not line.startswith("#"):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_probes_say_alive_and_ready(app_client: TestClient) -> None:
    assert app_client.get("/healthz").json() == {"status": "ok"}
    ready = app_client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {
        "database": "ok",
        "migrations": "ok",
        "keys": "ok",
        "storage": "ok",
    }


def test_readyz_is_503_when_migrations_are_behind(sqlite_ctx: Context) -> None:
    with sqlite_ctx.engine.begin() as c:
        c.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    with TestClient(create_app(sqlite_ctx)) as client:
        answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["checks"]["migrations"].startswith("at 0001")


def test_readyz_is_503_when_the_database_is_unreachable(sqlite_ctx: Context) -> None:
    broken = build_context(
        sqlite_ctx.settings.model_copy(
            update={"database_url": "postgresql+psycopg://nobody@127.0.0.1:1/none"}
        )
    )
    with TestClient(create_app(broken)) as client:
        answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["checks"]["database"].startswith("unreachable")


def test_readyz_is_503_when_this_process_holds_a_retired_signing_key(
    sqlite_ctx: Context,
) -> None:
    from trustguardian.ledger import Signer
    from trustguardian.service.ops.instance import read_key_file, write_key_file
    from trustguardian.service.ops.keyring import register_signing_key

    register_signing_key(sqlite_ctx)
    # The key file now holds a key that was never registered (a bad hand edit).
    stored = read_key_file(sqlite_ctx.settings.keys_file)
    stored["signing_key"] = Signer.generate("trustguardian.local/ledger").signer_key
    write_key_file(sqlite_ctx.settings.keys_file, stored)
    stale = build_context(sqlite_ctx.settings)
    with TestClient(create_app(stale)) as client:
        answer = client.get("/readyz")
    assert answer.status_code == 503
    assert "cannot sign" in answer.json()["checks"]["keys"]


def test_metrics_count_requests_events_and_report_the_ledger(
    app_client: TestClient, sqlite_ctx: Context
) -> None:
    setup_registry(sqlite_ctx)
    before = app_client.get("/metrics").text
    body = event_body(who="metrics@example.com")
    assert app_client.post("/v1/events", json=body).status_code == 201
    after = app_client.get("/metrics")
    assert after.headers["content-type"].startswith("text/plain")
    text_after = after.text
    assert _metric(text_after, "trustguardian_events_recorded_total") == (
        _metric(before, "trustguardian_events_recorded_total") + 1
    )
    assert 'route="/v1/events",status="201"' in text_after
    assert "trustguardian_http_request_duration_seconds_bucket" in text_after
    assert _metric(text_after, "trustguardian_ledger_size") == (
        _metric(before, "trustguardian_ledger_size") + 1
    )
    assert _metric(text_after, "trustguardian_last_checkpoint_age_seconds") >= 0
    assert "metrics@example.com" not in text_after


def test_security_headers_on_pages_api_and_docs(app_client: TestClient) -> None:
    for path in ("/", "/v1/touchpoints", "/healthz"):
        headers = app_client.get(path).headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert "strict-transport-security" not in headers  # plain HTTP: no HSTS
    docs = app_client.get("/docs").headers["content-security-policy"]
    # The docs pages load their scripts from this server only, never inline or from a CDN.
    assert "script-src 'self';" in docs
    assert "http" not in docs


def test_hsts_is_sent_over_tls(sqlite_ctx: Context) -> None:
    with TestClient(create_app(sqlite_ctx), base_url="https://testserver") as client:
        headers = client.get("/healthz").headers
    assert headers["strict-transport-security"].startswith("max-age=")


def test_public_pages_are_rate_limited_per_address_and_probes_are_not(
    sqlite_ctx: Context,
) -> None:
    ctx = build_context(
        sqlite_ctx.settings.model_copy(
            update={"rate_limit_public_per_minute": 60, "rate_limit_burst": 5}
        )
    )
    with TestClient(create_app(ctx)) as client:
        codes = [client.get("/").status_code for _ in range(8)]
        assert codes[:5] == [200] * 5
        assert 429 in codes[5:]
        refused = client.get("/")
        assert refused.status_code == 429
        assert refused.headers["content-type"] == "application/problem+json"
        assert int(refused.headers["retry-after"]) >= 1
        assert refused.json()["title"] == "Too many requests"
        assert all(client.get("/healthz").status_code == 200 for _ in range(10))
        assert "trustguardian_rate_limited_total" in client.get("/metrics").text
    ctx.engine.dispose()


def test_the_signing_keys_are_published_with_their_validity(app_client: TestClient) -> None:
    keys = app_client.get("/v1/ledger/keys").json()
    current = app_client.get("/v1/ledger/public-key").json()["verifier_key"]
    assert [k["verifier_key"] for k in keys] == [current]
    assert keys[0]["from_tree_size"] == 0
    assert keys[0]["until_tree_size"] is None
    assert app_client.get("/v1/ledger/keys", headers={"Authorization": ""}).status_code == 401
