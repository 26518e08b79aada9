"""What the smoke test asks of the served demo: the public pages and the one-click unsubscribe,
then the console, signed in, page by page."""

from __future__ import annotations

import json
import re
import secrets
import urllib.parse
from pathlib import Path

from smoke_client import Client, Links, local, run, short

# At most this many distinct URLs per console route (a list of 50 subjects needs not 50 visits).
PER_ROUTE = 3
# Console links not followed: signing out ends the session mid-crawl (done last, by POST).
NOT_FOLLOWED = re.compile(r"^/console/logout")
# Console routes linked only when configured: single sign-on needs an identity provider (its
# flow is tested against a real one in tests/web/test_console_sso.py).
# Reached by no link on a fresh demo: SSO needs an identity provider, and a campaign list's run
# page and files exist only once a list was uploaded (tests/web/test_console_lists*.py walk them).
NOT_LINKED = {
    "/console/sso/start",
    "/console/sso/callback",
    "/console/lists/{run_id}",
    "/console/lists/{run_id}/files/{which}",
}
CONSOLE_ROUTES = """
import json, pkgutil, importlib
import trustguardian.web.console as console
paths = set()
for info in pkgutil.iter_modules(console.__path__):
    module = importlib.import_module(f"{console.__name__}.{info.name}")
    for route in getattr(getattr(module, "router", None), "routes", []):
        if "GET" in getattr(route, "methods", ()):
            paths.add(route.path)
print(json.dumps(sorted(paths)))
"""


def api(client: Client, key: str, method: str, path: str, payload: object = None) -> object:
    """A JSON API call with the demo admin key; its status must be 2xx."""
    body = json.dumps(payload).encode() if payload is not None else None
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    answer = client.expect(method, path, (200, 201), body=body, headers=headers)
    return json.loads(answer.body) if answer.status in (200, 201) else {}


def subject_with_newsletter(client: Client, key: str) -> str:
    """A demo subject whose newsletter consent by e-mail stands (so an unsubscribe changes it)."""
    cursor = ""
    for _ in range(20):
        page = api(client, key, "GET", f"/v1/events?kind=consent.given&limit=200{cursor}")
        assert isinstance(page, dict)
        for event in page.get("items", []):
            if event["purpose"] != "newsletter" or "email" not in event["channels"]:
                continue
            consents = api(client, key, "GET", f"/v1/subjects/{event['subject_id']}/consents")
            assert isinstance(consents, list)
            if any(
                c["purpose"] == "newsletter" and c["channel"] == "email" and c["status"] == "given"
                for c in consents
            ):
                return str(event["subject_id"])
        if not page.get("next_cursor"):
            break
        cursor = "&cursor=" + urllib.parse.quote(str(page["next_cursor"]))
    raise SystemExit("wheel-smoke: FAILED: no demo subject with a newsletter consent")


def withdrawals(client: Client, key: str, subject: str) -> int:
    timeline = api(client, key, "GET", f"/v1/subjects/{subject}/timeline")
    assert isinstance(timeline, list)
    return sum(
        1
        for e in timeline
        if e["kind"] == "consent.withdrawn"
        and e["touchpoint"] == "unsubscribe-link"
        and e["purpose"] == "newsletter"
    )


def public_pages(
    client: Client, key: str, bin_dir: Path, env: dict[str, str], folder: Path
) -> tuple[str, int]:
    """Every public page, the docs and the one-click unsubscribe posted twice; returns the
    subject it used and how many withdrawals the two posts recorded."""
    for path in (
        "/",
        "/?lang=en",
        "/rights",
        "/rights?lang=en",
        "/preferences",
        "/preferences?lang=en",
        "/collect/demo",
        "/operator",
        "/docs",
        "/redoc",
        "/openapi.json",
        "/healthz",
        "/readyz",
        "/metrics",
    ):
        page = client.expect("GET", path)
        if page.html:
            client.assets(page)
    home = client.request("GET", "/")
    for needed in ("/rights", "/preferences"):
        if f'href="{needed}' not in home.text:
            client.failures.append(f"GET / has no link to {needed}")
    # A visitor's forms: a rights request (which leads to its verification page) and the
    # preference centre's e-mail form, each with the single-use token of the page it came from.
    form = Links()
    form.feed(client.request("GET", "/rights?lang=en").text)
    sent = client.expect(
        "POST",
        "/rights",
        (303,),
        form={
            "form_token": form.hidden.get("form_token", ""),
            "kind": "access",
            "contact": "wheel.smoke@example.com",
            "details": "smoke test",
            "lang": "en",
        },
    )
    verify = local(sent.headers.get("location", "")) or "/rights/verify/missing"
    client.expect("GET", verify)
    client.expect("POST", verify.split("?")[0], (422,), form={"code": "000000", "lang": "en"})
    form = Links()
    form.feed(client.request("GET", "/preferences").text)
    client.expect(
        "POST",
        "/preferences",
        form={"form_token": form.hidden.get("form_token", ""), "email": "wheel.smoke@example.com"},
    )
    # Links as an operator mints them, with the headers a mail carries.
    subject = subject_with_newsletter(client, key)
    minted = run(
        [
            str(bin_dir / "trustguardian"),
            "links",
            "unsubscribe",
            "--subject",
            subject,
            "--purpose",
            "newsletter",
            "--channel",
            "email",
        ],
        cwd=folder,
        env=env,
    )
    header = re.search(r"List-Unsubscribe: <([^>]+)>", minted)
    one_click = re.search(r"List-Unsubscribe-Post: (\S+)", minted)
    if header is None or one_click is None:
        raise SystemExit(f"wheel-smoke: FAILED: no List-Unsubscribe headers in:\n{minted}")
    unsubscribe = urllib.parse.urlsplit(header.group(1)).path
    prefs = api(
        client,
        key,
        "POST",
        "/v1/links/preferences",
        {"subject_id": subject, "touchpoint": "preference-centre"},
    )
    assert isinstance(prefs, dict)
    preferences = urllib.parse.urlsplit(str(prefs.get("url", "/p/missing"))).path
    for path in (unsubscribe, f"{unsubscribe}?lang=en", preferences, f"{preferences}?lang=en"):
        client.expect("GET", path)
    for bad in (
        "/u/not-a-token",
        "/p/not-a-token",
        "/rights/verify/not-a-token",
        "/confirm/not-a-token",
    ):
        client.expect("GET", bad, (400, 403, 404, 410))
    # RFC 8058: what a mail provider sends, twice (a retry of an answer it did not see).
    before = withdrawals(client, key, subject)
    for _ in range(2):
        client.expect(
            "POST",
            unsubscribe,
            (200,),
            body=one_click.group(1).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    recorded = withdrawals(client, key, subject) - before
    if recorded != 1:
        client.failures.append(f"two one-click POSTs recorded {recorded} withdrawals, not 1")
    return subject, recorded


def evidence_pages(client: Client, key: str) -> list[str]:
    """Console pages of one proof of each type, and a complaint with an attachment.

    The demo's proofs and complaint are reached by links too, but which ones a bounded walk
    meets is chance: these make sure that snapshots, scans and attachments are opened.
    """
    complaints = api(client, key, "GET", "/v1/complaints?limit=1")
    assert isinstance(complaints, dict)
    pages = []
    for complaint in complaints.get("items", [])[:1]:
        api_path = f"/v1/complaints/{complaint['id']}/attachments?name=letter.txt"
        client.expect(
            "POST",
            api_path,
            (201,),
            body=b"The letter of the complaint, as scanned.",
            headers={"Authorization": f"Bearer {key}", "Content-Type": "text/plain"},
        )
        pages.append(f"/console/complaints/{complaint['id']}")
    events = api(client, key, "GET", "/v1/events?limit=1000")
    assert isinstance(events, dict)
    kinds: dict[str, str] = {}
    for event in events.get("items", []):
        for position, proof in enumerate(event["proofs"]):
            kinds.setdefault(proof["type"], f"/console/events/{event['id']}/proofs/{position}")
    return pages + sorted(kinds.values())


def console_pages(
    client: Client, key: str, bin_dir: Path, env: dict[str, str], folder: Path, subject: str
) -> tuple[int, int]:
    """Signs in through the form and walks every console page; returns (pages, routes)."""
    password = secrets.token_urlsafe(18)
    run(
        [
            str(bin_dir / "trustguardian"),
            "users",
            "create",
            "wheel-smoke",
            "--role",
            "dpo",
            "--password-stdin",
        ],
        cwd=folder,
        env=env,
        stdin=password + "\n",
    )
    login = Links()
    login.feed(client.expect("GET", "/console/login").text)
    signed = client.expect(
        "POST",
        "/console/login",
        (303,),
        form={
            "username": "wheel-smoke",
            "password": password,
            "csrf_token": login.hidden.get("csrf_token", ""),
        },
    )
    if signed.status != 303 or "tg_session" not in client.cookies:
        raise SystemExit(f"wheel-smoke: FAILED: console sign-in answered {signed.status}")
    routes = json.loads(run([str(bin_dir / "python"), "-c", CONSOLE_ROUTES], env=env, cwd=folder))
    patterns = {
        r: re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(r)) + "$") for r in routes
    }

    def route_of(path: str) -> str | None:
        bare = path.split("?")[0]
        return next((r for r, p in patterns.items() if p.match(bare)), None)

    seeds = ["/console", f"/console/subjects/{subject}", *evidence_pages(client, key)]
    queue = list(seeds)
    seen: set[str] = set()
    visits: dict[str, list[str]] = {"/console/login": ["/console/login"]}
    csrf = ""
    while queue:
        path = queue.pop(0)
        route = route_of(path)
        if path in seen or route is None or NOT_FOLLOWED.match(path):
            continue
        if route.startswith("/console/lang/"):
            continue
        if len(visits.get(route, [])) >= PER_ROUTE and path not in seeds:
            continue
        seen.add(path)
        visits.setdefault(route, []).append(path)
        page = client.expect("GET", path, (200, 303))
        if page.status == 303 and local(page.headers.get("location", "")) == "/console/login":
            client.failures.append(f"GET {short(path)} sent a signed-in user to the login page")
        if not page.html:
            continue
        parser = Links()
        parser.feed(page.text)
        csrf = parser.hidden.get("csrf_token", csrf)
        queue.extend(p for u in parser.urls if (p := local(u)) and p.startswith("/console"))
    # The same pages in Italian: one per route is enough to render every template.
    client.expect("GET", "/console/lang/it?next=/console", (303,))
    visits.setdefault("/console/lang/{code}", ["/console/lang/it?next=/console"])
    for route, paths in visits.items():
        if route != "/console/lang/{code}":
            client.expect("GET", paths[0], (200, 303))
    missing = sorted(set(routes) - set(visits) - NOT_LINKED)
    for route in missing:
        client.failures.append(f"console route {route} was reached by no link")
    client.expect("POST", "/console/logout", (303,), form={"csrf_token": csrf})
    return sum(len(v) for v in visits.values()), len(visits)
