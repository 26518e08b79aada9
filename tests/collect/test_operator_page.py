"""The operator page's guards: another site cannot post with its cookie, every signed-in form
carries a CSRF token bound to the cookie, the cookie is locked down, and no script runs inline."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.collect.helpers import NEWSLETTER, STORE, setup_collect
from tests.factories.api import assert_problem
from tests.web.untranslated import page_text, untranslated

from trustguardian.asgi import create_app
from trustguardian.domain.access import Scope
from trustguardian.domain.common import FixedClock
from trustguardian.service.access.api_keys import create_api_key, revoke_api_key
from trustguardian.service.context import Context
from trustguardian.store import tables as t

EVIL = "https://evil.example"
SCAN_PDF = b"%PDF-1.4\n% modulo firmato\n"


def _rows(ctx: Context) -> dict[str, int]:
    with ctx.engine.connect() as conn:
        return {
            table.name: int(conn.execute(select(func.count()).select_from(table)).one()[0])
            for table in t.metadata.sorted_tables
        }


@pytest.fixture
def signed_in(ctx: Context) -> tuple[Context, TestClient, str]:
    """A client signed in on the operator page with a store key, and its page's CSRF token."""
    setup_collect(ctx)
    _, key = create_api_key(
        ctx, name="Milano clerk", scopes=[Scope.EVENTS_WRITE], touchpoint_key=STORE
    )
    client = TestClient(create_app(ctx))
    assert client.post("/operator/sign-in", data={"api_key": key}).status_code == 200
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', client.get("/operator").text)
    assert found is not None
    return ctx, client, found.group(1)


def _consent(csrf: str | None) -> dict[str, object]:
    fields: dict[str, object] = {
        "touchpoint": STORE,
        "email": "lucia.galli@example.com",
        "purpose": [NEWSLETTER],
        "staff_member": "Giulia Neri",
        "store": "Milano",
    }
    return fields if csrf is None else {"csrf_token": csrf, **fields}


def _post(client: TestClient, data: dict[str, object], **headers: str) -> object:
    scan = {"scan": ("modulo.pdf", SCAN_PDF, "application/pdf")}
    return client.post("/operator/consents", data=data, files=scan, headers=headers)


def test_a_cross_origin_post_is_refused_and_writes_nothing(
    signed_in: tuple[Context, TestClient, str],
) -> None:
    ctx, client, csrf = signed_in
    before = _rows(ctx)
    assert_problem(_post(client, _consent(csrf), origin=EVIL), 403, "foreign-form")
    assert_problem(_post(client, _consent(csrf), referer=f"{EVIL}/page"), 403, "foreign-form")
    assert_problem(_post(client, _consent(csrf), origin="null"), 403, "foreign-form")
    out = client.post("/operator/sign-out", data={"csrf_token": csrf}, headers={"origin": EVIL})
    assert_problem(out, 403, "foreign-form")
    assert _rows(ctx) == before
    # The same form from the page itself goes through.
    done = _post(client, _consent(csrf), origin="http://testserver")
    assert done.status_code == 201, done.text
    assert _rows(ctx)["events"] == before["events"] + 1


def test_a_post_without_the_csrf_token_is_refused(
    signed_in: tuple[Context, TestClient, str],
) -> None:
    ctx, client, _ = signed_in
    before = _rows(ctx)
    assert_problem(_post(client, _consent(None)), 403, "foreign-form")
    assert_problem(_post(client, _consent("0" * 64)), 403, "foreign-form")
    assert_problem(client.post("/operator/sign-out"), 403, "foreign-form")
    assert _rows(ctx) == before
    assert "Signed in as" in client.get("/operator").text  # the sign-out did not happen


def test_the_cookie_is_locked_down(ctx: Context) -> None:
    setup_collect(ctx)
    _, key = create_api_key(ctx, name="clerk", scopes=[Scope.EVENTS_WRITE], touchpoint_key=STORE)
    client = TestClient(create_app(ctx))
    plain = client.post("/operator/sign-in", data={"api_key": key}, follow_redirects=False)
    cookie = plain.headers["set-cookie"].lower()
    for attribute in ("httponly", "samesite=strict", "path=/operator", "max-age=28800"):
        assert attribute in cookie
    assert "secure" not in cookie  # plain HTTP in development
    ctx.settings = ctx.settings.model_copy(update={"console_secure_cookies": True})
    tls = client.post("/operator/sign-in", data={"api_key": key}, follow_redirects=False)
    assert "secure" in tls.headers["set-cookie"].lower()
    foreign = client.post(
        "/operator/sign-in", data={"api_key": key}, headers={"origin": EVIL}, follow_redirects=False
    )
    assert_problem(foreign, 403, "foreign-form")
    assert "set-cookie" not in foreign.headers


def test_the_page_runs_no_inline_script(signed_in: tuple[Context, TestClient, str]) -> None:
    _, client, _ = signed_in
    page = client.get("/operator")
    assert 'id="touchpoint"' in page.text
    assert re.search(r"<[^>]*\son[a-z]+\s*=", page.text, re.IGNORECASE) is None
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page.text) is None
    assert "javascript:" not in page.text.lower()
    # no-referrer would make browsers send `Origin: null`, which the origin check refuses.
    assert page.headers["referrer-policy"] == "same-origin"
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    (src,) = re.findall(r'<script src="([^"]+)"', page.text)
    script = client.get(src)
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert "data-submit-on-change" in script.text


def test_the_cookie_holds_a_server_side_session_not_the_key(ctx: Context) -> None:
    """The cookie is an opaque session id: the key appears nowhere in it, only its hash is
    stored, and the session ends at sign-out, at expiry and when the key is revoked."""
    setup_collect(ctx)
    made, key = create_api_key(ctx, name="clerk", scopes=[Scope.EVENTS_WRITE], touchpoint_key=STORE)
    client = TestClient(create_app(ctx))
    client.post("/operator/sign-in", data={"api_key": key}, follow_redirects=False)
    session_id = client.cookies["tg_operator"]
    secret = key.split("_", 2)[2]
    assert secret not in session_id
    assert key not in client.cookies.values()
    with ctx.engine.connect() as conn:
        stored = conn.execute(select(t.operator_sessions)).one()
    assert stored.key_id == made.id
    assert stored.token_sha256 == hashlib.sha256(session_id.encode()).hexdigest()
    assert (stored.expires_at - stored.created_at).total_seconds() == 8 * 3600
    assert "Signed in as" in client.get("/operator").text
    # A cookie the server never issued opens nothing, even a real API key put there by hand.
    for forged in (key, "x" * 43):
        assert (
            "Signed in as"
            not in TestClient(create_app(ctx), cookies={"tg_operator": forged})
            .get("/operator")
            .text
        )
    # Expired: a clock past the session's end signs the operator out.
    later = dataclasses.replace(ctx, clock=FixedClock(stored.expires_at + timedelta(seconds=1)))
    late = TestClient(create_app(later), cookies={"tg_operator": session_id})
    assert "Signed in as" not in late.get("/operator").text
    # Signing out ends the session server-side: the old cookie replayed opens nothing.
    csrf = re.search(r'name="csrf_token" value="([0-9a-f]+)"', client.get("/operator").text)
    assert csrf is not None
    client.post("/operator/sign-out", data={"csrf_token": csrf.group(1)})
    replay = TestClient(create_app(ctx), cookies={"tg_operator": session_id})
    assert "Signed in as" not in replay.get("/operator").text
    # Revoking the key ends the sessions opened with it.
    client.post("/operator/sign-in", data={"api_key": key})
    assert "Signed in as" in client.get("/operator").text
    revoke_api_key(ctx, key_id=made.id)
    assert "Signed in as" not in client.get("/operator").text


def test_the_page_speaks_the_operators_language(
    signed_in: tuple[Context, TestClient, str],
) -> None:
    _, client, _ = signed_in
    english = client.get("/operator").text
    assert "Record the consent" in english
    italian = client.get("/operator", headers={"Accept-Language": "it-IT,it;q=0.9"}).text
    assert '<html lang="it">' in italian
    assert "Registra il consenso" in italian
    assert "Accesso come" in italian
    assert untranslated(page_text(italian)) == []
    refused = TestClient(create_app(signed_in[0])).post(
        "/operator/sign-in?lang=it", data={"api_key": "tg_x_y"}
    )
    assert refused.status_code == 401
    assert "Chiave API sconosciuta o revocata." in refused.text
