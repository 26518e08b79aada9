"""Publishable keys: write-only, one touchpoint, configured origins only, rate-limited."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.collect.helpers import SHOP, STORE, TP, publishable, setup_collect, submission
from tests.factories import add_touchpoint
from tests.factories.api import assert_problem

from trustguardian.asgi import create_app
from trustguardian.domain.errors import InvalidInput
from trustguardian.service.collect.admin import create_publishable_key
from trustguardian.service.context import Context
from trustguardian.store import tables as t


def written(ctx: Context) -> int:
    with ctx.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.events)).scalar_one())


@pytest.fixture
def site(ctx: Context) -> tuple[Context, TestClient, str]:
    setup_collect(ctx)
    return ctx, TestClient(create_app(ctx)), publishable(ctx)


def post(client: TestClient, key: str, body: dict[str, Any], origin: str | None = SHOP) -> Any:
    headers = {"Origin": origin} if origin else {}
    return client.post(f"/sdk/v1/{key}/consents", json=body, headers=headers)


def test_a_form_from_an_allowed_origin_is_recorded_with_cors_headers(
    site: tuple[Context, TestClient, str],
) -> None:
    ctx, client, key = site
    answer = post(client, key, submission())
    assert answer.status_code == 201, answer.text
    assert answer.headers["access-control-allow-origin"] == SHOP
    assert [e["status"] for e in answer.json()["events"]] == ["given", "refused"]
    # The same submission again (a retry) records nothing new.
    again = post(client, key, submission())
    assert [e["id"] for e in again.json()["events"]] == [e["id"] for e in answer.json()["events"]]
    assert written(ctx) == 2


def test_the_preflight_is_answered_only_for_configured_origins(
    site: tuple[Context, TestClient, str],
) -> None:
    _, client, key = site
    ask = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    ok = client.options(f"/sdk/v1/{key}/consents", headers={"Origin": SHOP, **ask})
    assert ok.status_code == 204
    assert ok.headers["access-control-allow-origin"] == SHOP
    assert ok.headers["access-control-allow-methods"] == "POST"
    evil = client.options(
        f"/sdk/v1/{key}/consents", headers={"Origin": "https://evil.example", **ask}
    )
    assert_problem(evil, 403, "forbidden")
    assert "access-control-allow-origin" not in evil.headers
    unknown = client.options("/sdk/v1/tgpk_nope/consents", headers={"Origin": SHOP, **ask})
    assert_problem(unknown, 401, "unauthorized")


def test_an_unconfigured_origin_or_none_is_refused_and_writes_nothing(
    site: tuple[Context, TestClient, str],
) -> None:
    ctx, client, key = site
    for origin in (
        "https://evil.example",
        "http://shop.example:8080",
        "https://shop.example",
        None,
    ):
        answer = post(client, key, submission(), origin=origin)
        assert_problem(answer, 403, "forbidden")
        assert "access-control-allow-origin" not in answer.headers
    assert written(ctx) == 0


def test_the_key_cannot_write_for_another_touchpoint(
    site: tuple[Context, TestClient, str],
) -> None:
    ctx, client, key = site
    answer = post(client, key, submission(touchpoint=STORE))
    problem = assert_problem(answer, 403, "forbidden")
    assert TP in problem["detail"]
    assert written(ctx) == 0


def test_the_key_cannot_read_anything(site: tuple[Context, TestClient, str]) -> None:
    _ctx, client, key = site
    assert post(client, key, submission()).status_code == 201
    auth = {"Authorization": f"Bearer {key}", "Origin": SHOP}
    for path in (
        "/v1/events",
        "/v1/touchpoints",
        "/v1/subjects/lookup",
        "/v1/publishable-keys",
        f"/v1/touchpoints/{TP}/collect-settings",
        "/v1/ledger/checkpoint",
    ):
        answer = client.get(path, headers=auth)
        assert answer.status_code in (401, 405), (path, answer.status_code)
        if answer.status_code == 401:
            assert_problem(answer, 401, "unauthorized")
    assert_problem(client.post("/v1/events", json={}, headers=auth), 401, "unauthorized")
    # Nor read through its own endpoints.
    assert client.get(f"/sdk/v1/{key}/consents", headers={"Origin": SHOP}).status_code == 405


def test_a_revoked_or_unknown_key_is_refused(site: tuple[Context, TestClient, str]) -> None:
    ctx, client, _ = site
    add_touchpoint(ctx, "promo-form", name="Promo form")
    key, text = create_publishable_key(ctx, name="promo", touchpoint="promo-form", origins=[SHOP])
    from trustguardian.service.collect.admin import revoke_publishable_key

    revoke_publishable_key(ctx, key_id=key.id)
    assert_problem(post(client, text, submission(touchpoint=None)), 401, "unauthorized")
    assert_problem(post(client, "tgpk_forged", submission()), 401, "unauthorized")
    assert written(ctx) == 0


def test_requests_beyond_the_rate_are_refused_per_key_and_address(ctx: Context) -> None:
    setup_collect(ctx)
    key = publishable(ctx, rate=3)
    app = create_app(ctx)
    one = TestClient(app, client=("198.51.100.1", 1000))
    other = TestClient(app, client=("198.51.100.2", 1000))
    codes = [post(one, key, submission(f"p{n}@example.com")).status_code for n in range(5)]
    assert codes == [201, 201, 201, 429, 429]
    limited = post(one, key, submission("late@example.com"))
    assert_problem(limited, 429, "rate-limited")
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.headers["access-control-allow-origin"] == SHOP  # the page can read why
    assert post(other, key, submission("q@example.com")).status_code == 201
    assert written(ctx) == 4 * 2


def test_keys_are_only_for_collect_touchpoints_and_real_origins(ctx: Context) -> None:
    setup_collect(ctx)
    from trustguardian.domain.registry import Channel, TouchpointKind

    add_touchpoint(ctx, "newsletter-footer", kind=TouchpointKind.ENGAGE, channel=Channel.EMAIL)
    with pytest.raises(InvalidInput):
        create_publishable_key(ctx, name="x", touchpoint="newsletter-footer", origins=[SHOP])
    for bad in ("shop.example", "https://shop.example/path", "ftp://shop.example", ""):
        with pytest.raises(InvalidInput):
            create_publishable_key(ctx, name="x", touchpoint=TP, origins=[bad])
    key, _ = create_publishable_key(
        ctx, name="x", touchpoint=TP, origins=["HTTPS://Shop.Example:443/", "https://shop.example"]
    )
    assert key.origins == ("https://shop.example",)
    assert dataclasses.asdict(key)["touchpoint_key"] == TP


def test_a_snapshot_beyond_the_body_limit_gets_a_readable_413(
    site: tuple[Context, TestClient, str],
) -> None:
    ctx, client, key = site
    limit = ctx.settings.max_request_bytes
    body = submission()
    # Within the body limit but leaving no room for the rest: refused with CORS headers, so the
    # page can show why.
    body["snapshot"]["html"] = "<form>" + "x" * (limit - 64 * 1024) + "</form>"
    answer = post(client, key, body)
    assert answer.status_code == 413, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.headers["access-control-allow-origin"] == SHOP
    assert answer.json()["errors"][0]["loc"] == "snapshot.html"
    # Beyond the body limit (the old model allowed 2,000,000 characters): a 413 problem too.
    body["snapshot"]["html"] = "x" * 1_500_000
    assert post(client, key, body).status_code == 413
    assert written(ctx) == 0


def test_the_body_limit_refusal_carries_cors_headers_for_allowed_origins_only(
    site: tuple[Context, TestClient, str],
) -> None:
    """The size-limit middleware answers before the route: the page's script can still read
    the 413 from an allowed origin (announced or streamed body), and another origin gets none."""
    ctx, client, key = site
    body = submission()
    body["snapshot"]["html"] = "x" * (ctx.settings.max_request_bytes + 1)
    declared = post(client, key, body)
    assert_problem(declared, 413, "payload-too-large")
    assert declared.headers["access-control-allow-origin"] == SHOP
    assert declared.headers["vary"] == "Origin"

    def chunks() -> Any:  # no Content-Length: the middleware counts as the body arrives
        yield b'{"snapshot": {"html": "'
        for _ in range(ctx.settings.max_request_bytes // 65536 + 2):
            yield b"x" * 65536

    streamed = client.post(f"/sdk/v1/{key}/code", content=chunks(), headers={"Origin": SHOP})
    assert_problem(streamed, 413, "payload-too-large")
    assert streamed.headers["access-control-allow-origin"] == SHOP
    for origin in ("https://evil.example", None):
        other = post(client, key, body, origin=origin)
        assert other.status_code == 413
        assert "access-control-allow-origin" not in other.headers
    unknown = post(client, "tgpk_nope", body)
    assert unknown.status_code == 413
    assert "access-control-allow-origin" not in unknown.headers
    assert written(ctx) == 0
