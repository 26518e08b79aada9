"""The console's admin pages over HTTP on both backends: each change goes through the same use
cases as the API, is a registry leaf naming the console user, and shows in `GET /v1/...`; roles
without the permission get 403, a form without its CSRF token is refused, bad input writes
nothing and comes back with the error."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from tests.factories.events import ledger_size
from tests.web.conftest import csrf_of
from tests.web.helpers import Company

from trustguardian.asgi import create_app
from trustguardian.domain.access import Scope
from trustguardian.domain.registry import purpose_label
from trustguardian.service.access import api_keys
from trustguardian.service.context import Context
from trustguardian.service.registry import purposes
from trustguardian.service.sync import systems
from trustguardian.service.verify import verify_ledger

SignIn = Callable[[str], TestClient]
WEBHOOK_URL = "https://crm.invalid/trustguardian"  # .invalid never resolves: accepted, unsent

# What each admin page needs (GET), and the roles that hold it.
ADMIN_PAGES = {
    "/console/manage/touchpoints/new": {"dpo", "legal", "ict"},
    "/console/manage/touchpoints/web-newsletter": {"dpo", "legal", "ict"},
    "/console/manage/purposes/new": {"dpo", "legal"},
    "/console/manage/purposes/newsletter": {"dpo", "legal"},
    "/console/manage/notices/new": {"dpo", "legal"},
    "/console/manage/notices/privacy-it": {"dpo", "legal"},
    "/console/manage/systems": {"dpo", "ict"},
    "/console/manage/dead-letters": {"dpo", "ict"},
    "/console/manage/keys": {"dpo", "ict"},
    "/console/users": {"dpo"},
}
# A POST of each kind, refused to marketing before anything is read.
ADMIN_POSTS = [
    "/console/manage/touchpoints",
    "/console/manage/touchpoints/web-newsletter/retire",
    "/console/manage/purposes",
    "/console/manage/notices",
    "/console/manage/notices/privacy-it/draft",
    "/console/manage/systems",
    "/console/manage/webhooks",
    "/console/manage/dead-letters/retry",
    "/console/manage/keys",
    "/console/manage/keys/k1",
    "/console/users",
    "/console/users/role",
]


def _leaf_actor(ctx: Context, object_type: str, key: str) -> str:
    with ctx.uow(write=False) as uow:
        return uow.records.latest(object_type)[(object_type, key)].actor


def _admin_api(ctx: Context) -> TestClient:
    _, token = api_keys.create_api_key(ctx, name="inspector", scopes=[Scope.ADMIN])
    client = TestClient(create_app(ctx))
    client.headers["Authorization"] = f"Bearer {token}"
    return client


@pytest.mark.parametrize("role", ["dpo", "legal", "marketing", "ict", "auditor"])
def test_each_role_opens_exactly_its_admin_pages(
    ctx: Context, company: Company, sign_in: SignIn, role: str
) -> None:
    client = sign_in(role)
    for path, allowed in ADMIN_PAGES.items():
        assert client.get(path).status_code == (200 if role in allowed else 403), (role, path)


def test_marketing_is_refused_every_admin_form_and_nothing_is_written(
    ctx: Context, company: Company, sign_in: SignIn
) -> None:
    client = sign_in("marketing")
    token = csrf_of(client)
    before = ledger_size(ctx)
    for path in ADMIN_POSTS:
        answer = client.post(path, data={"csrf_token": token, "key": "x", "name": "X"})
        assert answer.status_code == 403, path
    assert ledger_size(ctx) == before


def test_a_form_without_its_csrf_token_is_refused_and_writes_nothing(
    ctx: Context, company: Company, sign_in: SignIn
) -> None:
    client = sign_in("dpo")
    before = ledger_size(ctx)
    form = {"key": "kiosk", "name": "Kiosk", "kind": "collect", "channel": "web_form"}
    assert client.post("/console/manage/touchpoints", data=form).status_code == 403
    wrong = client.post("/console/manage/touchpoints", data=form | {"csrf_token": "forged"})
    assert wrong.status_code == 403
    assert "form has expired" in wrong.text
    assert ledger_size(ctx) == before
    assert client.get("/console/touchpoints/kiosk").status_code == 404


def test_bad_input_comes_back_with_the_error_and_what_was_typed_and_writes_nothing(
    ctx: Context, company: Company, sign_in: SignIn
) -> None:
    client = sign_in("dpo")
    token = csrf_of(client)
    before = ledger_size(ctx)
    answer = client.post(
        "/console/manage/purposes",
        data={
            "csrf_token": token,
            "key": "profiling",
            "name": "Profiling for offers",
            "legal_basis": "consent",
            "controller": "Bottega Rossi",
            "retention_days": "a year",  # not a number
            "label_name.it": "",
            "label_description.it": "Senza nome",  # a description with no name
        },
    )
    assert answer.status_code == 422
    assert 'role="alert"' in answer.text
    assert "retention_days" in answer.text
    assert "label_name.it" in answer.text
    assert 'value="Profiling for offers"' in answer.text  # what was typed comes back
    refused = client.post(
        "/console/manage/keys",
        data={"csrf_token": token, "name": "till", "scopes": "events:write", "touchpoint": "nope"},
    )
    assert refused.status_code == 422
    assert "unknown touchpoint" in refused.text
    hook = client.post(
        "/console/manage/webhooks",
        data={"csrf_token": token, "system": "crm", "url": "ftp://crm.invalid/"},
    )
    assert hook.status_code == 422
    assert ledger_size(ctx) == before
    with pytest.raises(Exception, match="no purpose"):
        purposes.get_purpose(ctx, key="profiling")


def test_the_dpo_administers_the_registry_and_each_change_is_a_leaf_naming_them(
    ctx: Context, company: Company, sign_in: SignIn
) -> None:
    client = sign_in("dpo")
    token = csrf_of(client)
    purpose = client.post(
        "/console/manage/purposes",
        data={
            "csrf_token": token,
            "key": "loyalty",
            "name": "Loyalty programme",
            "description": "Points and offers",
            "label_name.it": "Programma fedeltà",
            "label_description.it": "Punti e offerte",
            "label_name.en": "Loyalty programme",
            "legal_basis": "consent",
            "channels": ["email", "sms"],
            "controller": "Bottega Rossi",
            "retention_days": "730",
            "consent_lifetime_days": "365",
            "marketing": "true",
            "recipients": "Mailer S.r.l.\nPrinter S.p.A.\n",
        },
    )
    assert purpose.status_code == 303, purpose.text
    created = purposes.get_purpose(ctx, key="loyalty")
    assert purpose_label(created, "it") == "Programma fedeltà"
    assert purpose_label(created, "it-IT") == "Programma fedeltà"
    assert purpose_label(created, "de") == "Loyalty programme"
    assert created.current.content.recipients == ("Mailer S.r.l.", "Printer S.p.A.")
    assert _leaf_actor(ctx, "purpose_version", "loyalty/1") == "console:dpo"

    # A new version keeps what the form does not show; a retired touchpoint acts no more.
    revised = client.post(
        "/console/manage/purposes/loyalty",
        data={
            "csrf_token": token,
            "name": "Loyalty programme",
            "label_name.it": "Programma fedeltà Bottega",
            "legal_basis": "consent",
            "channels": ["email"],
            "controller": "Bottega Rossi",
            "retention_days": "730",
        },
    )
    assert revised.status_code == 303
    assert purposes.get_purpose(ctx, key="loyalty").current.version == 2

    tp = client.post(
        "/console/manage/touchpoints",
        data={
            "csrf_token": token,
            "key": "loyalty-desk",
            "name": "Loyalty desk",
            "kind": "collect",
            "channel": "store",
            "nature": "physical",
            "purposes": ["loyalty"],
            "notice_key": "privacy-it",
            "required_proofs": ["paper_form"],
            "systems": "crm",
        },
    )
    assert tp.status_code == 303, tp.text
    edit = client.post(
        "/console/manage/touchpoints/loyalty-desk",
        data={
            "csrf_token": token,
            "name": "Loyalty desk (Milan)",
            "channel": "store",
            "nature": "physical",
            "purposes": ["loyalty", "newsletter"],
            "required_proofs": ["paper_form", "operator"],
        },
    )
    assert edit.status_code == 303
    confirm = client.post(
        "/console/manage/touchpoints/loyalty-desk/confirmation",
        data={
            "csrf_token": token,
            "confirmation": "otp_sms",
            "max_attempts": "3",
            "language": "it",
        },
    )
    assert confirm.status_code == 303, confirm.text
    assert _leaf_actor(ctx, "collect_settings", "loyalty-desk") == "console:dpo"
    assert (
        client.post(
            "/console/manage/touchpoints/loyalty-desk/retire", data={"csrf_token": token}
        ).status_code
        == 422
    )  # the box was not ticked
    retire = client.post(
        "/console/manage/touchpoints/loyalty-desk/retire",
        data={"csrf_token": token, "sure": "true"},
    )
    assert retire.status_code == 303
    assert _leaf_actor(ctx, "touchpoint", "loyalty-desk") == "console:dpo"

    api = _admin_api(ctx)
    read = api.get("/v1/touchpoints/loyalty-desk").json()
    assert read["name"] == "Loyalty desk (Milan)"
    assert read["status"] == "retired"
    assert read["required_proofs"] == ["paper_form", "operator"]
    labels = api.get("/v1/purposes/loyalty").json()["current"]["labels"]
    assert labels == [{"language": "it", "name": "Programma fedeltà Bottega", "description": ""}]
    assert verify_ledger(ctx).ok


def test_notices_are_drafted_previewed_and_published_from_the_console(
    ctx: Context, company: Company, sign_in: SignIn
) -> None:
    client = sign_in("legal")
    token = csrf_of(client)
    made = client.post(
        "/console/manage/notices",
        data={"csrf_token": token, "key": "privacy-en", "language": "en", "title": "Privacy"},
    )
    assert made.status_code == 303
    for text in ("Notice draft\nController: Bottega Rossi", "Notice v1\nController: Bottega Rossi"):
        saved = client.post(
            "/console/manage/notices/privacy-en/draft", data={"csrf_token": token, "text": text}
        )
        assert saved.status_code == 303
    page = client.get("/console/manage/notices/privacy-en")
    assert "Notice v1" in page.text
    assert "Notice draft" not in page.text  # the draft was rewritten, still version 1
    unsure = client.post(
        "/console/manage/notices/privacy-en/publish", data={"csrf_token": token, "version": "1"}
    )
    assert unsure.status_code == 422
    published = client.post(
        "/console/manage/notices/privacy-en/publish",
        data={"csrf_token": token, "version": "1", "final": "true"},
    )
    assert published.status_code == 303, published.text
    client.post(
        "/console/manage/notices/privacy-en/draft",
        data={"csrf_token": token, "text": "Notice v2\nController: Bottega Rossi"},
    )
    preview = client.get("/console/manage/notices/privacy-en").text
    assert re.search('class="removed">\u2212 Notice v1', preview)
    assert re.search(r'class="added">\+ Notice v2', preview)
    assert _leaf_actor(ctx, "notice_version", "privacy-en/1") == "console:legal"
    versions = _admin_api(ctx).get("/v1/notices/privacy-en").json()["versions"]
    assert [(v["version"], v["published_at"] is not None) for v in versions] == [
        (1, True),
        (2, False),
    ]


def test_systems_webhooks_and_keys_from_the_console_show_their_secret_once(
    ctx: Context, company: Company, sign_in: SignIn
) -> None:
    client = sign_in("ict")
    token = csrf_of(client)
    made = client.post(
        "/console/manage/systems",
        data={"csrf_token": token, "key": "crm", "name": "CRM", "kind": "crm"},
    )
    assert made.status_code == 303
    hook = client.post(
        "/console/manage/webhooks",
        data={"csrf_token": token, "system": "crm", "url": WEBHOOK_URL, "purposes": "newsletter"},
    )
    assert hook.status_code == 200
    secret = re.search(r'<code class="wrap">(whsec_[^<]+)</code>', hook.text)
    assert secret is not None
    (webhook,) = systems.list_webhooks(ctx)
    assert secret.group(1) not in client.get("/console/manage/systems").text  # shown once
    rotated = client.post(
        f"/console/manage/webhooks/{webhook.id}/rotate", data={"csrf_token": token}
    )
    fresh = re.search(r'<code class="wrap">(whsec_[^<]+)</code>', rotated.text)
    assert fresh is not None
    assert fresh.group(1) != secret.group(1)
    off = client.post(f"/console/manage/webhooks/{webhook.id}/disable", data={"csrf_token": token})
    assert off.status_code == 303
    assert _leaf_actor(ctx, "system", "crm") == "console:ict"
    with ctx.uow(write=False) as uow:
        leaf = uow.records.latest("webhook")[("webhook", webhook.id)]
    assert leaf.kind == "registry.webhook.disabled"
    assert leaf.actor == "console:ict"
    assert '"secret_version":2' in leaf.content
    assert WEBHOOK_URL not in leaf.content  # a URL may hold a credential: its hash only

    key = client.post(
        "/console/manage/keys",
        data={
            "csrf_token": token,
            "name": "store till",
            "scopes": ["events:write", "registry:read"],
            "touchpoint": "store-desk",
        },
    )
    assert key.status_code == 200
    shown = re.search(r'id="token">(tg_[^<]+)<', key.text)
    assert shown is not None
    till = TestClient(create_app(ctx))
    till.headers["Authorization"] = f"Bearer {shown.group(1)}"
    assert till.get("/v1/touchpoints/store-desk").status_code == 200
    (created,) = [k for k in api_keys.list_api_keys(ctx) if k.name == "store till"]
    assert created.touchpoint_key == "store-desk"
    assert _leaf_actor(ctx, "api_key", created.id) == "console:ict"
    assert shown.group(1) not in client.get("/console/manage/keys").text
    revoked = client.post(f"/console/manage/keys/{created.id}/revoke", data={"csrf_token": token})
    assert revoked.status_code == 303
    assert till.get("/v1/touchpoints/store-desk").status_code == 401
    api = _admin_api(ctx)
    assert [h["id"] for h in api.get("/v1/webhooks").json()] == [webhook.id]
    assert created.id in [k["id"] for k in api.get("/v1/keys").json()]
    assert verify_ledger(ctx).ok


def test_a_key_gets_new_scopes_from_the_console_and_keeps_its_token(
    ctx: Context, company: Company, sign_in: SignIn
) -> None:
    key, token = api_keys.create_api_key(ctx, name="till", scopes=[Scope.REGISTRY_READ])
    till = TestClient(create_app(ctx))
    till.headers["Authorization"] = f"Bearer {token}"
    client = sign_in("ict")
    csrf = csrf_of(client)
    page = client.get(f"/console/manage/keys/{key.id}")
    assert 'value="registry:read" checked' in page.text
    assert till.get("/v1/ledger/keys").status_code == 403
    before = ledger_size(ctx)
    refused = client.post(
        f"/console/manage/keys/{key.id}",
        data={"csrf_token": csrf, "scopes": "admin", "touchpoint": "store-desk"},
    )
    assert refused.status_code == 422
    assert 'id="form-error"' in refused.text
    assert ledger_size(ctx) == before
    changed = client.post(
        f"/console/manage/keys/{key.id}",
        data={"csrf_token": csrf, "scopes": ["events:read", "registry:read"], "system": ""},
    )
    assert changed.status_code == 303
    assert api_keys.get_api_key(ctx, key_id=key.id).scopes == {
        Scope.EVENTS_READ,
        Scope.REGISTRY_READ,
    }
    assert till.get("/v1/ledger/keys").status_code == 200  # the same token, its new scope
    assert _leaf_actor(ctx, "api_key", key.id) == "console:ict"
    assert verify_ledger(ctx).ok
