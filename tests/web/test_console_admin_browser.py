"""The acceptance of console administration: headless Debian Chromium against a real
`trustguardian serve`, on both backends, signed in as the DPO, creates a touchpoint, a purpose
with Italian and English labels, publishes a notice, creates a webhook and an API key without
the CLI; each then shows in `GET /v1/...` (read with an admin key) and as a registry leaf that
names the console user."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page
from tests.web.browser import Site, shot, sign_in

from trustguardian.asgi import create_app
from trustguardian.domain.access import Scope
from trustguardian.service.access import api_keys
from trustguardian.service.context import Context
from trustguardian.service.verify import verify_ledger

pytestmark = pytest.mark.slow


def _submit(page: Page, action: str) -> None:
    """Clicks the submit button of the form posting to `action`."""
    page.locator(f'form[action="{action}"] button[type="submit"]').click()


def _actor(ctx: Context, object_type: str, key: str) -> str:
    with ctx.uow(write=False) as uow:
        return uow.records.latest(object_type)[(object_type, key)].actor


def test_the_dpo_administers_everything_from_the_browser(browser: Browser, site: Site) -> None:
    tag = uuid.uuid4().hex[:8]
    tp, purpose, notice, system = f"kiosk-{tag}", f"loyalty-{tag}", f"notice-{tag}", f"crm-{tag}"
    page = browser.new_page()
    sign_in(page, site, "dpo")
    base = site.base

    page.get_by_role("link", name="Purposes").first.click()
    page.get_by_role("link", name="New purpose").click()
    page.fill('[name="key"]', purpose)
    page.fill('[name="name"]', "Loyalty programme")
    page.fill('[name="label_name.it"]', "Programma fedeltà")
    page.fill('[name="label_description.it"]', "Punti e offerte riservate")
    page.fill('[name="label_name.en"]', "Loyalty programme")
    page.fill('[name="label_description.en"]', "Points and members' offers")
    page.select_option('[name="legal_basis"]', "consent")
    page.check('input[name="channels"][value="email"]')
    page.fill('[name="controller"]', "Bottega Rossi S.r.l.")
    page.fill('[name="retention_days"]', "730")
    page.fill('[name="consent_lifetime_days"]', "365")
    page.check('[name="marketing"]')
    page.fill('[name="recipients"]', "Mailer S.r.l.")
    _submit(page, "/console/manage/purposes")
    page.wait_for_url(f"{base}/console/purposes/{purpose}")
    assert "name (it): Programma fedeltà" in page.locator("pre.notice").inner_text()
    shot(page, site, "admin-purpose")

    page.goto(f"{base}/console/touchpoints")
    page.get_by_role("link", name="New touchpoint").click()
    page.fill('[name="key"]', tp)
    page.fill('[name="name"]', "Shop kiosk")
    page.select_option('[name="kind"]', "collect")
    page.select_option('[name="channel"]', "web_form")
    page.select_option('[name="nature"]', "digital")
    page.check(f'input[name="purposes"][value="{purpose}"]')
    page.select_option('[name="notice_key"]', "privacy-it")
    page.check('input[name="required_proofs"][value="form_snapshot"]')
    page.check('input[name="required_proofs"][value="notice_shown"]')
    _submit(page, "/console/manage/touchpoints")
    page.wait_for_url(f"{base}/console/touchpoints/{tp}")
    assert page.get_by_role("heading", name="Shop kiosk").is_visible()

    page.goto(f"{base}/console/notices")
    page.get_by_role("link", name="New notice").click()
    page.fill('[name="key"]', notice)
    page.fill('[name="language"]', "en")
    page.fill('[name="title"]', "Privacy notice (kiosk)")
    _submit(page, "/console/manage/notices")
    page.wait_for_url(f"{base}/console/manage/notices/{notice}")
    page.fill('[name="text"]', "Privacy notice\nController: Bottega Rossi S.r.l.\n")
    _submit(page, f"/console/manage/notices/{notice}/draft")
    page.wait_for_url(f"{base}/console/manage/notices/{notice}#preview")
    assert "Controller: Bottega Rossi" in page.locator("#preview").inner_text()
    shot(page, site, "admin-notice-preview")
    page.check('[name="final"]')
    _submit(page, f"/console/manage/notices/{notice}/publish")
    page.wait_for_url(f"{base}/console/notices/{notice}")

    page.get_by_role("link", name="Administration").click()
    page.get_by_role("link", name="Systems and webhooks").click()
    page.fill('form[action="/console/manage/systems"] [name="key"]', system)
    page.fill('form[action="/console/manage/systems"] [name="name"]', "CRM")
    _submit(page, "/console/manage/systems")
    page.wait_for_url(f"{base}/console/manage/systems")
    page.select_option('[name="system"]', system)
    page.fill('[name="url"]', f"https://{system}.invalid/hooks")
    page.check(f'input[name="purposes"][value="{purpose}"]')
    _submit(page, "/console/manage/webhooks")
    secret = page.locator("#secret code").inner_text()
    assert secret.startswith("whsec_")
    shot(page, site, "admin-webhook-secret")

    page.get_by_role("link", name="Administration").click()
    page.get_by_role("link", name="API keys").click()
    page.fill('[name="name"]', f"kiosk {tag}")
    page.check('input[name="scopes"][value="events:write"]')
    page.check('input[name="scopes"][value="registry:read"]')
    page.select_option('[name="touchpoint"]', tp)
    _submit(page, "/console/manage/keys")
    token = page.locator("#token").inner_text()
    assert token.startswith("tg_")
    page.close()

    ctx = site.ctx
    _, admin = api_keys.create_api_key(ctx, name=f"inspector {tag}", scopes=[Scope.ADMIN])
    api = TestClient(create_app(ctx), headers={"Authorization": f"Bearer {admin}"})
    read_tp = api.get(f"/v1/touchpoints/{tp}").json()
    assert read_tp["purposes"] == [purpose]
    assert read_tp["notice_key"] == "privacy-it"
    labels = api.get(f"/v1/purposes/{purpose}").json()["current"]["labels"]
    assert {x["language"]: x["name"] for x in labels} == {
        "en": "Loyalty programme",
        "it": "Programma fedeltà",
    }
    versions = api.get(f"/v1/notices/{notice}").json()["versions"]
    assert [v["version"] for v in versions if v["published_at"]] == [1]
    hooks = [h for h in api.get("/v1/webhooks").json() if h["system"] == system]
    assert len(hooks) == 1
    keys = [k for k in api.get("/v1/keys").json() if k["name"] == f"kiosk {tag}"]
    assert keys[0]["touchpoint"] == tp
    bound = TestClient(create_app(ctx), headers={"Authorization": f"Bearer {token}"})
    assert bound.get(f"/v1/touchpoints/{tp}").status_code == 200

    who = f"console:{site.user('dpo')}"
    for object_type, key in [
        ("touchpoint", tp),
        ("purpose_version", f"{purpose}/1"),
        ("notice_version", f"{notice}/1"),
        ("system", system),
        ("webhook", hooks[0]["id"]),
        ("api_key", keys[0]["id"]),
    ]:
        assert _actor(ctx, object_type, key) == who, object_type
    assert verify_ledger(ctx).ok


def test_ict_changes_a_keys_scopes_and_binding_from_the_browser(
    browser: Browser, site: Site
) -> None:
    ctx = site.ctx
    tag = uuid.uuid4().hex[:8]
    key, token = api_keys.create_api_key(
        ctx, name=f"till {tag}", scopes=[Scope.EVENTS_WRITE], touchpoint_key="store-desk"
    )
    page = browser.new_page()
    sign_in(page, site, "ict")
    page.goto(f"{site.base}/console/manage/keys")
    page.locator(f'a[href="/console/manage/keys/{key.id}"]').click()
    page.wait_for_url(f"{site.base}/console/manage/keys/{key.id}")
    assert page.locator('input[name="scopes"][value="events:write"]').is_checked()
    page.check('input[name="scopes"][value="registry:read"]')
    page.check('input[name="scopes"][value="admin"]')  # refused while bound to a touchpoint
    _submit(page, f"/console/manage/keys/{key.id}")
    assert "admin with touchpoint" in page.locator("#form-error").inner_text()
    page.uncheck('input[name="scopes"][value="admin"]')
    page.select_option('[name="touchpoint"]', "")
    _submit(page, f"/console/manage/keys/{key.id}")
    page.wait_for_url(f"{site.base}/console/manage/keys")
    shot(page, site, "admin-key-changed")
    page.close()

    changed = api_keys.get_api_key(ctx, key_id=key.id)
    assert changed.scopes == {Scope.EVENTS_WRITE, Scope.REGISTRY_READ}
    assert changed.touchpoint_key is None
    till = TestClient(create_app(ctx), headers={"Authorization": f"Bearer {token}"})
    assert till.get("/v1/touchpoints/web-newsletter").status_code == 200  # no longer bound
    assert _actor(ctx, "api_key", key.id) == f"console:{site.user('ict')}"
