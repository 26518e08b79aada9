"""Console single sign-on against a real OpenID provider (the npm package oidc-provider, installed
by .ci/run into tests/web/oidc), driven by headless Chromium, on both backends: a person in the
mapped group signs in as DPO and their user is a ledger leaf; a person in no mapped group is
refused and gets no session; a forged return is refused."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy import select
from tests.conftest import BACKENDS
from tests.engage.server import free_port, live_server, wait_until_up

from trustguardian.domain.roles import Role
from trustguardian.service.access.sso import role_for
from trustguardian.service.context import Context
from trustguardian.store import tables as t

pytestmark = pytest.mark.slow
PROVIDER = Path(__file__).parent / "oidc"
SECRET = "test-client-secret-0123456789"


@dataclass(frozen=True)
class Site:
    base: str
    ctx: Context


@pytest.fixture(scope="module", params=BACKENDS)
def sso_site(
    request: pytest.FixtureRequest,
    make_shared_ctx: Callable[[str], Context],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Site]:
    """The provider and `trustguardian serve` configured for it, each on its own port."""
    if not (PROVIDER / "node_modules" / "oidc-provider").is_dir():
        pytest.fail("oidc-provider is not installed: npm ci --prefix tests/web/oidc")
    ctx = make_shared_ctx(request.param)
    tmp_path = tmp_path_factory.mktemp(f"sso-{request.param}")
    port, idp_port = free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    log = (tmp_path / "provider.log").open("w+")
    provider = subprocess.Popen(
        ["node", "provider.mjs", str(idp_port), f"{base}/console/sso/callback", SECRET],
        cwd=PROVIDER,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    issuer = f"http://127.0.0.1:{idp_port}"
    try:
        wait_until_up(f"{issuer}/.well-known/openid-configuration", provider, log, "the provider")
        env = {
            "TRUSTGUARDIAN_PUBLIC_BASE_URL": base,
            "TRUSTGUARDIAN_OIDC_ISSUER": issuer,
            "TRUSTGUARDIAN_OIDC_CLIENT_ID": "trustguardian",
            "TRUSTGUARDIAN_OIDC_CLIENT_SECRET": SECRET,
            "TRUSTGUARDIAN_OIDC_ROLES": "tg-auditors=auditor tg-dpo=dpo",
            "TRUSTGUARDIAN_OIDC_LABEL": "Company SSO",
            "TRUSTGUARDIAN_OUTBOUND_ALLOW_HOSTS": "127.0.0.1",
        }
        with live_server(ctx.settings, tmp_path, env=env, port=port) as served:
            yield Site(served, ctx)
    finally:
        provider.terminate()
        provider.wait(timeout=10)
        log.close()


def _sign_in_at_provider(page: Page, base: str, login: str) -> None:
    page.goto(f"{base}/console/login")
    page.get_by_role("link", name="Company SSO").click()
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any password")
    page.locator("button[type=submit]").click()
    page.get_by_role("button", name="Continue").click()


def test_a_person_in_the_dpo_group_signs_in_as_dpo(sso_site: Site, browser: Browser) -> None:
    page = browser.new_page()
    try:
        _sign_in_at_provider(page, sso_site.base, "dpo-anna")
        page.wait_for_url(f"{sso_site.base}/console")
        assert "dpo-anna" in page.content()
        assert page.goto(f"{sso_site.base}/console/users").status == 200  # a DPO-only page
    finally:
        page.close()
    with sso_site.ctx.engine.connect() as c:
        user = c.execute(select(t.admin_users).where(t.admin_users.c.username == "dpo-anna")).one()
        leaves = c.execute(
            select(t.registry_records.c.kind, t.registry_records.c.actor).where(
                t.registry_records.c.object_key == user.id
            )
        ).all()
    assert user.role == Role.DPO.value
    assert user.external_id.endswith(" dpo-anna")
    assert ("registry.admin_user.created", "sso:dpo-anna") in [tuple(r) for r in leaves]
    assert not user.password_hash.startswith("$argon2")  # no local sign-in for this account


def test_a_person_in_no_mapped_group_is_refused_without_a_session(
    sso_site: Site, browser: Browser
) -> None:
    page = browser.new_page()
    try:
        _sign_in_at_provider(page, sso_site.base, "staff-bob")
        page.wait_for_load_state()
        assert "no console role" in page.content()
        page.goto(f"{sso_site.base}/console")
        assert page.url.endswith("/console/login")
    finally:
        page.close()
    with sso_site.ctx.engine.connect() as c:
        found = c.execute(select(t.admin_users).where(t.admin_users.c.username == "staff-bob"))
        assert found.first() is None


def test_a_return_that_this_browser_did_not_start_is_refused(sso_site: Site) -> None:
    with httpx.Client(base_url=sso_site.base) as client:
        started = client.get("/console/sso/start")
        assert started.status_code == 303
        assert "code_challenge_method=S256" in started.headers["location"]
        forged = client.get("/console/sso/callback", params={"state": "forged", "code": "x"})
        assert forged.status_code == 400
        assert "tg_session" not in forged.headers.get("set-cookie", "")
        client.cookies.clear()
        bare = client.get("/console/sso/callback", params={"state": "s", "code": "x"})
        assert bare.status_code == 400


def test_roles_come_from_the_first_mapped_value() -> None:
    pairs = "tg-auditors=auditor tg-dpo=dpo"
    assert role_for(["staff", "tg-dpo", "tg-auditors"], pairs) == Role.AUDITOR
    assert role_for("tg-dpo", pairs) == Role.DPO
    assert role_for(["staff"], pairs) is None
    assert role_for(None, pairs) is None
