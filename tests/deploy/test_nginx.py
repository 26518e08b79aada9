"""Debian's nginx with the shipped site file in front of a real `trustguardian serve`, over TLS.

Clients connect from distinct loopback addresses (127.0.0.2, .3, ...), as distinct people
would. Through nginx the app must see each person's own address, in its rate limits and in the
network proof of a consent, and know the request came over TLS (Secure cookies, HSTS); a
request straight to the app from anywhere but the proxy must not be believed when it claims
another address or scheme.
"""

from __future__ import annotations

import ssl
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from tests.collect.helpers import client_from, publishable, setup_collect, submission
from tests.deploy.nginx import Proxy, check_config, plan, problems_in, running_nginx, write_config
from tests.engage.server import live_server
from tests.web.helpers import CSRF

from trustguardian.domain.access import Scope
from trustguardian.domain.registry import ProofType
from trustguardian.domain.roles import Role
from trustguardian.service.access import users
from trustguardian.service.access.api_keys import create_api_key
from trustguardian.service.collect.proofs import read_proof
from trustguardian.service.context import Context
from trustguardian.service.events.recording import get_event
from trustguardian.web.console.core import SESSION_COOKIE

# The app's API bucket for this test: 3 requests, then one every 10 s (so none comes back
# while the test runs); public pages are left to nginx's own limit.
API_BURST = 3
FORGED = "203.0.113.9"
PASSWORD = "a long pass phrase 42"


def through(proxy: Proxy, address: str, **headers: str) -> httpx.Client:
    """A client at `address` that talks to nginx over TLS, trusting the test's certificate."""
    tls = ssl.create_default_context(cafile=str(proxy.cert))
    transport = httpx.HTTPTransport(verify=tls, local_address=address)
    return httpx.Client(base_url=proxy.https, transport=transport, headers=headers, timeout=10)


def network_ip(ctx: Context, answer: httpx.Response) -> str:
    """The client address in the network proof of the consent a form submission recorded."""
    assert answer.status_code == 201, answer.text
    event = get_event(ctx, event_id=answer.json()["events"][0]["id"])
    position = [p.type for p in event.proofs].index(ProofType.NETWORK)
    ip: str = read_proof(ctx, event_id=event.id, position=position).content["ip"]
    return ip


def test_the_shipped_site_is_a_clean_nginx_configuration(tmp_path: Path) -> None:
    proxy = plan(tmp_path)
    write_config(proxy, app_port=8000)
    tested = check_config(proxy)
    assert tested.returncode == 0, tested.stderr + proxy.error_log.read_text()
    assert problems_in(proxy.error_log) == []


@pytest.mark.slow  # a real server starts (seconds), then nginx in front of it
def test_nginx_passes_the_real_client_and_tls_to_the_server(
    sqlite_ctx: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = sqlite_ctx
    setup_collect(ctx)
    form_key = publishable(ctx)
    _, admin = create_api_key(ctx, name="operations", scopes=[Scope.ADMIN])
    users.create_user(ctx, username="anna", password=PASSWORD, role=Role.DPO)
    proxy = plan(tmp_path)
    monkeypatch.setenv("TRUSTGUARDIAN_PUBLIC_BASE_URL", proxy.https)
    monkeypatch.setenv("TRUSTGUARDIAN_FORWARDED_ALLOW_IPS", "127.0.0.1")
    monkeypatch.setenv("TRUSTGUARDIAN_RATE_LIMIT_API_PER_MINUTE", str(API_BURST * 2))
    monkeypatch.setenv("TRUSTGUARDIAN_RATE_LIMIT_BURST", str(API_BURST))
    monkeypatch.setenv("TRUSTGUARDIAN_RATE_LIMIT_PUBLIC_PER_MINUTE", "0")
    bearer = {"Authorization": f"Bearer {admin}"}
    with (
        live_server(ctx.settings, tmp_path) as app,
        running_nginx(proxy, int(urlsplit(app).port or 0)),
    ):
        # TLS ends at nginx; the app knows it from X-Forwarded-Proto and sends HSTS. Plain
        # http is only a redirect.
        with through(proxy, "127.0.0.2") as person:
            page = person.get("/rights")
        assert page.status_code == 200, page.text
        assert page.headers["strict-transport-security"].startswith("max-age=")
        plain = httpx.get(f"{proxy.http}/rights?lang=en", timeout=10)
        assert plain.status_code == 301
        assert plain.headers["location"] == "https://127.0.0.1/rights?lang=en"
        with client_from("127.0.0.5", app, **{"X-Forwarded-Proto": "https"}) as forger:
            assert "strict-transport-security" not in forger.get("/rights").headers

        # The console over https: every cookie it sets is Secure (and HttpOnly).
        with through(proxy, "127.0.0.8") as dpo:
            form = dpo.get("/console/login")
            token = CSRF.search(form.text)
            assert token, form.text
            signed_in = dpo.post(
                "/console/login",
                data={"username": "anna", "password": PASSWORD, "csrf_token": token.group(1)},
                headers={"Origin": proxy.https},
            )
            assert signed_in.status_code == 303, signed_in.text
            cookies = [*form.headers.get_list("set-cookie")]
            cookies += signed_in.headers.get_list("set-cookie")
            assert any(c.startswith(f"{SESSION_COOKIE}=") for c in cookies), cookies
            for cookie in cookies:
                flags = {f.strip().lower() for f in cookie.split(";")[1:]}
                assert {"secure", "httponly"} <= flags, cookie
            dashboard = dpo.get("/console")
            assert dashboard.status_code == 200, dashboard.text
            assert "strict-transport-security" in dashboard.headers
        with client_from("127.0.0.5", app, **{"X-Forwarded-Proto": "https"}) as forger:
            plain_cookie = forger.get("/console/login").headers["set-cookie"]
        assert "secure" not in plain_cookie.lower()

        # The app's rate limit counts each person behind nginx on their own.
        with through(proxy, "127.0.0.2", **bearer) as first:
            statuses = [first.get("/v1/touchpoints").status_code for _ in range(API_BURST + 2)]
            refused = first.get("/v1/touchpoints")
        assert statuses[:API_BURST] == [200] * API_BURST
        assert set(statuses[API_BURST:]) == {429}, statuses
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert "x-request-id" in refused.headers  # the app's refusal, not nginx's
        with through(proxy, "127.0.0.3", **bearer) as second:
            assert second.get("/v1/touchpoints").status_code == 200
        # A forged X-Forwarded-For is replaced by nginx, and not believed straight from a
        # client: neither borrows the exhausted bucket of 127.0.0.2.
        with through(proxy, "127.0.0.4", **bearer, **{"X-Forwarded-For": "127.0.0.2"}) as c:
            assert c.get("/v1/touchpoints").status_code == 200
        with client_from("127.0.0.5", app, **bearer, **{"X-Forwarded-For": "127.0.0.2"}) as c:
            assert c.get("/v1/touchpoints").status_code == 200
        # ... while the configured proxy's word is taken.
        with client_from("127.0.0.1", app, **bearer, **{"X-Forwarded-For": "127.0.0.2"}) as c:
            assert c.get("/v1/touchpoints").status_code == 429

        # A consent's network proof names the person's own address.
        shop = {"Origin": "http://shop.example", "X-Forwarded-For": FORGED}
        with through(proxy, "127.0.0.2", **shop) as person:
            answer = person.post(f"/sdk/v1/{form_key}/consents", json=submission("a@example.com"))
        assert network_ip(ctx, answer) == "127.0.0.2"
        with client_from("127.0.0.5", app, **shop) as forger:
            answer = forger.post(f"/sdk/v1/{form_key}/consents", json=submission("b@example.com"))
        assert network_ip(ctx, answer) == "127.0.0.5"

        # nginx's own limit, per client address, answers problem+json.
        with through(proxy, "127.0.0.6") as flooder:
            for _ in range(500):
                flooded = flooder.get("/sdk/collect.js")
                if flooded.status_code != 200:
                    break
        assert flooded.status_code == 429
        assert flooded.headers["content-type"] == "application/problem+json"
        assert "x-request-id" not in flooded.headers  # nginx's refusal, not the app's
        assert flooded.headers["retry-after"] == "1"
        with through(proxy, "127.0.0.7") as neighbour:
            assert neighbour.get("/sdk/collect.js").status_code == 200
            # Bodies over the limit stop at nginx; probes and metrics are not for the internet.
            too_big = neighbour.post("/v1/touchpoints", content=b"{" * (1024 * 1024 + 1))
            assert too_big.status_code == 413
            assert too_big.json()["type"] == "/problems/payload-too-large"
            assert neighbour.get("/metrics").status_code == 403
            assert neighbour.get("/readyz").status_code == 403
        with through(proxy, "127.0.0.1") as local:
            assert local.get("/readyz").status_code == 200

    # The access log counts requests without naming paths (tokens) or people.
    logged = proxy.access_log.read_text()
    assert logged.count("\n") > 20
    assert "/console" not in logged
    assert "/sdk/" not in logged
    assert "127.0.0." not in logged
