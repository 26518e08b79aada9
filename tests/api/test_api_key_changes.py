"""Changing an API key's scopes and binding over HTTP, on both backends: the token stays, the
change holds from the key's next request, is a registry leaf naming the caller, and bad input
is a problem that writes nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from tests.factories.api import TOUCHPOINT, assert_problem
from tests.factories.events import ledger_size

from trustguardian.asgi import create_app
from trustguardian.domain.access import Scope
from trustguardian.service.access.api_keys import create_api_key
from trustguardian.service.context import Context
from trustguardian.service.verify import verify_ledger
from trustguardian.store import tables as t


@pytest.fixture
def admin(ctx: Context) -> Iterator[TestClient]:
    _, token = create_api_key(ctx, name="admin", scopes=[Scope.ADMIN])
    with TestClient(create_app(ctx), headers={"Authorization": f"Bearer {token}"}) as c:
        yield c


def test_new_scopes_hold_from_the_next_request_with_the_same_token(
    ctx: Context, admin: TestClient
) -> None:
    key, token = create_api_key(ctx, name="reader", scopes=[Scope.REGISTRY_READ])
    as_key = {"Authorization": f"Bearer {token}"}
    assert_problem(admin.post("/v1/touchpoints", json=TOUCHPOINT, headers=as_key), 403, "forbidden")
    changed = admin.patch(
        f"/v1/keys/{key.id}", json={"scopes": ["registry:read", "registry:write"]}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["scopes"] == ["registry:read", "registry:write"]
    assert admin.post("/v1/touchpoints", json=TOUCHPOINT, headers=as_key).status_code == 201
    bound = admin.patch(f"/v1/keys/{key.id}", json={"touchpoint": "web-newsletter"})
    assert bound.json()["touchpoint"] == "web-newsletter"
    assert bound.json()["scopes"] == ["registry:read", "registry:write"]  # left out: kept
    other = {**TOUCHPOINT, "key": "store-desk"}
    assert_problem(admin.post("/v1/touchpoints", json=other, headers=as_key), 403, "forbidden")
    unbound = admin.patch(f"/v1/keys/{key.id}", json={"touchpoint": None})
    assert unbound.json()["touchpoint"] is None
    with ctx.uow(write=False) as uow:
        leaf = uow.records.latest("api_key")[("api_key", key.id)]
    assert leaf.kind == "registry.api_key.changed"
    assert leaf.actor.startswith("api-key:")
    assert leaf.actor.endswith("(admin)")
    assert verify_ledger(ctx).ok


def test_a_bad_change_is_a_problem_and_writes_nothing(ctx: Context, admin: TestClient) -> None:
    admin.post("/v1/touchpoints", json=TOUCHPOINT).raise_for_status()
    key, _ = create_api_key(
        ctx, name="form", scopes=[Scope.EVENTS_WRITE], touchpoint_key="web-newsletter"
    )
    gone, _ = create_api_key(ctx, name="gone", scopes=[Scope.REGISTRY_READ])
    admin.delete(f"/v1/keys/{gone.id}").raise_for_status()
    before = ledger_size(ctx)
    path = f"/v1/keys/{key.id}"
    assert_problem(admin.patch(path, json={"scopes": ["admin"]}), 422, "invalid-input")
    assert_problem(admin.patch(path, json={"scopes": []}), 422, "validation-error")
    assert_problem(admin.patch(path, json={"system": "no-such"}), 422, "invalid-input")
    assert_problem(admin.patch(path, json={"owner": "x"}), 422, "validation-error")
    assert_problem(admin.patch("/v1/keys/nope", json={"scopes": ["admin"]}), 404, "not-found")
    assert_problem(admin.patch(f"/v1/keys/{gone.id}", json={"scopes": ["admin"]}), 409, "conflict")
    assert ledger_size(ctx) == before
    listed = {k["id"]: k for k in admin.get("/v1/keys").json()}
    assert listed[key.id]["scopes"] == ["events:write"]
    assert listed[key.id]["touchpoint"] == "web-newsletter"


def test_no_key_but_an_admin_one_changes_a_key_not_even_its_own(
    ctx: Context, admin: TestClient
) -> None:
    """A key bound to a touchpoint, or one with every registry scope, cannot widen itself."""
    admin.post("/v1/touchpoints", json=TOUCHPOINT).raise_for_status()
    bound, bound_token = create_api_key(
        ctx, name="form", scopes=[Scope.EVENTS_WRITE], touchpoint_key="web-newsletter"
    )
    writer, writer_token = create_api_key(
        ctx, name="writer", scopes=[Scope.REGISTRY_READ, Scope.REGISTRY_WRITE]
    )
    before = ledger_size(ctx)
    wider = {"scopes": ["registry:write", "events:write"], "touchpoint": None}
    with TestClient(create_app(ctx)) as c:
        for key_id, token in ((bound.id, bound_token), (writer.id, writer_token)):
            tried = c.patch(
                f"/v1/keys/{key_id}", json=wider, headers={"Authorization": f"Bearer {token}"}
            )
            assert_problem(tried, 403, "forbidden")
        assert_problem(c.patch(f"/v1/keys/{writer.id}", json=wider), 401, "unauthorized")
    assert ledger_size(ctx) == before
    listed = {k["id"]: k for k in admin.get("/v1/keys").json()}
    assert listed[bound.id]["scopes"] == ["events:write"]
    assert listed[bound.id]["touchpoint"] == "web-newsletter"
    assert listed[writer.id]["scopes"] == ["registry:read", "registry:write"]


def test_scopes_widened_in_the_database_behind_a_change_are_named_by_verify(
    ctx: Context, admin: TestClient
) -> None:
    key, _ = create_api_key(ctx, name="reader", scopes=[Scope.REGISTRY_READ])
    admin.patch(f"/v1/keys/{key.id}", json={"scopes": ["registry:write"]}).raise_for_status()
    assert verify_ledger(ctx).ok
    with ctx.engine.begin() as conn:
        conn.execute(update(t.api_keys).where(t.api_keys.c.id == key.id).values(scopes=["admin"]))
    report = verify_ledger(ctx)
    assert not report.ok
    assert any(key.id in problem and "scopes" in problem for problem in report.problems)
