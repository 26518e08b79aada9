"""Console users administered by the DPO over HTTP, on both backends: added (a short
password refused and never sent back), given another role (their sessions close), disabled;
each change a registry leaf naming the DPO."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from tests.web.conftest import csrf_of
from tests.web.helpers import PASSWORD, Company

from trustguardian.asgi import create_app
from trustguardian.service.access import users
from trustguardian.service.context import Context

SignIn = Callable[[str], TestClient]


def test_the_dpo_adds_users_changes_a_role_and_disables_a_user(
    ctx: Context, company: Company, sign_in: SignIn
) -> None:
    client = sign_in("dpo")
    token = csrf_of(client, "/console/users")
    short = client.post(
        "/console/users",
        data={"csrf_token": token, "username": "anna", "password": "short", "role": "legal"},
    )
    assert short.status_code == 422
    assert "short" not in re.findall(r'value="([^"]*)"', short.text)  # never sent back
    added = client.post(
        "/console/users",
        data={"csrf_token": token, "username": "anna", "password": PASSWORD, "role": "legal"},
    )
    assert added.status_code == 303
    anna = TestClient(create_app(ctx), follow_redirects=False)
    form = anna.get("/console/login").text
    login_token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert login_token is not None
    anna.post(
        "/console/login",
        data={"username": "anna", "password": PASSWORD, "csrf_token": login_token.group(1)},
    )
    assert anna.get("/console/manage/purposes/new").status_code == 200
    moved = client.post(
        "/console/users/role", data={"csrf_token": token, "username": "anna", "role": "marketing"}
    )
    assert moved.status_code == 303
    assert anna.get("/console/manage/purposes/new").status_code in (303, 401)  # signed out
    assert (
        client.post(
            "/console/users/role", data={"csrf_token": token, "username": "dpo", "role": "auditor"}
        ).status_code
        == 409
    )
    gone = client.post("/console/users/disable", data={"csrf_token": token, "username": "anna"})
    assert gone.status_code == 303
    (found,) = [u for u in users.list_users(ctx) if u.username == "anna"]
    assert found.role.value == "marketing"
    assert found.disabled_at is not None
    with ctx.uow(write=False) as uow:
        leaf = uow.records.latest("admin_user")[("admin_user", found.id)]
    assert leaf.kind == "registry.admin_user.disabled"
    assert leaf.actor == "console:dpo"
