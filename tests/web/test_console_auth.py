"""The console over HTTP on both backends: signing in, lock-out, cookies, CSRF, read-only roles."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from tests.web.conftest import csrf_of
from tests.web.console_checks import rows, status, versions
from tests.web.helpers import CSRF, EMAIL, PASSWORD, Company

from trustguardian.asgi import create_app
from trustguardian.service.context import Context
from trustguardian.store import tables as t
from trustguardian.web.console import core

SignIn = Callable[[str], TestClient]


def test_signed_out_readers_are_sent_to_the_login_page(ctx: Context, company: Company) -> None:
    with TestClient(create_app(ctx), follow_redirects=False) as client:
        for path in ["/console", "/console/map", f"/console/subjects/{company.subject_id}"]:
            answer = client.get(path)
            assert answer.status_code == 303
            assert answer.headers["location"] == "/console/login"
        posted = client.post("/console/subjects/search", data={"kind": "email", "value": EMAIL})
        assert posted.status_code == 401
        assert EMAIL not in posted.text
        # The console's headers are its own: the API keeps the policy production mode gives it.
        api = client.get("/openapi.json").headers
        assert api["content-security-policy"] != core.PAGE_POLICY
        assert "frame-src 'self'" not in api["content-security-policy"]
        assert api.get("cache-control") != "no-store"


def test_login_sets_a_strict_http_only_cookie_and_needs_its_form_token(
    ctx: Context, company: Company
) -> None:
    with TestClient(create_app(ctx), follow_redirects=False) as client:
        form = client.get("/console/login")
        assert 'autocomplete="current-password"' in form.text
        token = CSRF.search(form.text).group(1)  # type: ignore[union-attr]
        refused = client.post(
            "/console/login", data={"username": "dpo", "password": PASSWORD, "csrf_token": "x"}
        )
        assert refused.status_code == 403
        wrong = client.post(
            "/console/login", data={"username": "dpo", "password": "nope", "csrf_token": token}
        )
        assert wrong.status_code == 401
        assert "Wrong username or password" in wrong.text
        token = CSRF.search(wrong.text).group(1)  # type: ignore[union-attr]
        answer = client.post(
            "/console/login", data={"username": "dpo", "password": PASSWORD, "csrf_token": token}
        )
        assert answer.status_code == 303
        cookie = next(
            c for c in answer.headers.get_list("set-cookie") if c.startswith("tg_session=")
        )
        assert "HttpOnly" in cookie
        assert "SameSite=strict" in cookie
        assert "Path=/console" in cookie
        assert "Secure" not in cookie  # plain HTTP here; see the TLS test
        assert client.get("/console").status_code == 200


def test_cookies_are_secure_when_configured(ctx: Context, company: Company) -> None:
    ctx.settings.console_secure_cookies = True
    with TestClient(create_app(ctx), follow_redirects=False) as client:
        cookie = client.get("/console/login").headers["set-cookie"]
        assert "Secure" in cookie


def test_the_account_locks_after_repeated_failures(ctx: Context, company: Company) -> None:
    with TestClient(create_app(ctx), follow_redirects=False) as client:
        for _ in range(ctx.settings.console_max_failures):
            token = CSRF.search(client.get("/console/login").text).group(1)  # type: ignore[union-attr]
            client.post(
                "/console/login",
                data={"username": "legal", "password": "guess guess guess", "csrf_token": token},
            )
        token = CSRF.search(client.get("/console/login").text).group(1)  # type: ignore[union-attr]
        locked = client.post(
            "/console/login", data={"username": "legal", "password": PASSWORD, "csrf_token": token}
        )
        assert locked.status_code == 401
    assert rows(ctx, t.admin_sessions) == 0


def test_forms_without_the_session_token_or_from_elsewhere_change_nothing(
    ctx: Context, sign_in: SignIn
) -> None:
    client = sign_in("dpo")
    before = status(ctx, "web-newsletter")
    missing = client.post("/console/touchpoints/web-newsletter/status", data={"status": "examined"})
    forged = client.post(
        "/console/touchpoints/web-newsletter/status",
        data={"status": "examined", "csrf_token": "forged"},
    )
    foreign = client.post(
        "/console/touchpoints/web-newsletter/status",
        data={"status": "examined", "csrf_token": csrf_of(client)},
        headers={"Origin": "https://evil.example"},
    )
    opaque = client.post(  # e.g. a form inside a sandboxed snapshot
        "/console/touchpoints/web-newsletter/status",
        data={"status": "examined", "csrf_token": csrf_of(client)},
        headers={"Origin": "null"},
    )
    assert [r.status_code for r in (missing, forged, foreign, opaque)] == [403] * 4
    assert status(ctx, "web-newsletter") == before == "censused"
    done = client.post(
        "/console/touchpoints/web-newsletter/status",
        data={"status": "examined", "csrf_token": csrf_of(client)},
    )
    assert done.status_code == 303
    assert status(ctx, "web-newsletter") == "examined"


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/console/touchpoints/web-newsletter/status", {"status": "examined"}),
        ("/console/subjects/{subject}/check", {"purpose": "newsletter", "channel": "email"}),
        ("/console/ledger/verify", {}),
        ("/console/users/unlock", {"username": "dpo"}),
        ("/console/notices/privacy-it/versions", {"text": "Informativa v3", "final": "true"}),
    ],
)
def test_the_auditor_can_change_nothing(
    ctx: Context, company: Company, sign_in: SignIn, path: str, data: dict[str, str]
) -> None:
    client = sign_in("auditor")
    before = (
        versions(ctx),
        status(ctx, "web-newsletter"),
        rows(ctx, t.checks),
        rows(ctx, t.ledger_verifications),
    )
    answer = client.post(
        path.format(subject=company.subject_id), data={**data, "csrf_token": csrf_of(client)}
    )
    assert answer.status_code == 403
    after = (
        versions(ctx),
        status(ctx, "web-newsletter"),
        rows(ctx, t.checks),
        rows(ctx, t.ledger_verifications),
    )
    assert after == before
    pages = ["/console", "/console/touchpoints/web-newsletter", "/console/ledger"]
    for page in [*pages, "/console/notices/privacy-it", f"/console/subjects/{company.subject_id}"]:
        forms = re.findall(r'<form method="post" action="([^"]+)"', client.get(page).text)
        assert forms == ["/console/logout"], page  # signing out is the only form it is shown
