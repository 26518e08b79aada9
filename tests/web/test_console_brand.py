"""The brand set in the console: a DPO saves the company's name, colours, links and logo; the
change is a ledger record `verify` recomputes; the public pages, their stylesheet and the logo
follow it; wrong input and unsafe logos write nothing; other roles may not open the page."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from tests.factories.brand import COMPANY, brand_values, png_logo
from tests.web.conftest import csrf_of
from tests.web.helpers import Company

from trustguardian.asgi import create_app
from trustguardian.service.context import Context
from trustguardian.service.verify.full import verify_ledger
from trustguardian.store import tables as t
from trustguardian.web.console.core import CONSOLE_TEMPLATES

PAGE = "/console/manage/brand"


def _records(ctx: Context) -> list[dict[str, object]]:
    with ctx.engine.connect() as c:
        rows = c.execute(
            select(t.registry_records).where(t.registry_records.c.object_type == "brand")
        ).all()
    return [{"kind": r.kind, "actor": r.actor, **json.loads(r.content)} for r in rows]


def _save(
    client: TestClient, values: dict[str, str | None], logo: tuple[str, bytes, str] | None
) -> object:
    data = {k: v or "" for k, v in values.items()} | {"csrf_token": csrf_of(client, PAGE)}
    files = {"logo": logo} if logo else {"logo": ("", b"", "application/octet-stream")}
    return client.post(PAGE, data=data, files=files)


def test_the_dpo_sets_the_brand_and_it_is_recorded_and_shown(
    ctx: Context, company: Company, sign_in: Callable[[str], TestClient]
) -> None:
    dpo = sign_in("dpo")
    logo = png_logo()
    answer = _save(dpo, brand_values(), ("logo.bin", logo, "application/octet-stream"))
    assert answer.status_code == 303, answer.text
    [record] = _records(ctx)
    assert record["kind"] == "registry.brand.changed"
    assert record["actor"] == "console:dpo"
    assert record["company_name"] == COMPANY
    assert record["logo_type"] == "image/png"  # sniffed from the bytes, not the name or type
    assert verify_ledger(ctx).problems == []

    page = dpo.get(PAGE + "?saved=1")
    assert "recorded in the ledger" in page.text
    assert 'value="#b41e28"' in page.text

    public = TestClient(create_app(ctx))
    home = public.get("/?lang=en")
    assert COMPANY in home.text
    assert 'class="brand-logo"' in home.text
    assert "https://bottegarossi.example/privacy" in home.text
    assert "'unsafe-inline'" in home.headers["content-security-policy"]
    assert "script-src" not in home.headers["content-security-policy"]
    css = public.get("/static/public.css")
    assert css.headers["content-type"].startswith("text/css")
    assert "--brand-primary: #b41e28;" in css.text
    assert "var(--brand-primary" in css.text
    served = public.get("/brand/logo")
    assert served.content == logo
    assert served.headers["content-type"] == "image/png"
    assert "sandbox" in served.headers["content-security-policy"]


def test_a_blank_field_falls_back_to_settings_and_the_logo_can_be_removed(
    ctx: Context, company: Company, sign_in: Callable[[str], TestClient]
) -> None:
    dpo = sign_in("dpo")
    assert _save(dpo, brand_values(), ("l.png", png_logo(), "image/png")).status_code == 303
    # Saved again without a file: the logo stays; then removed.
    assert _save(dpo, brand_values(company_name=None), None).status_code == 303
    public = TestClient(create_app(ctx))
    assert public.get("/brand/logo").status_code == 200
    data = {k: v or "" for k, v in brand_values().items()}
    data |= {"csrf_token": csrf_of(dpo, PAGE), "remove_logo": "true"}
    assert dpo.post(PAGE, data=data).status_code == 303
    assert public.get("/brand/logo").status_code == 404
    records = _records(ctx)
    assert [r["logo_sha256"] is None for r in records] == [False, False, True]
    assert records[1]["company_name"] is None  # settings' name (none set) in force
    assert verify_ledger(ctx).problems == []


def test_wrong_fields_and_an_svg_with_a_script_write_nothing(
    ctx: Context, company: Company, sign_in: Callable[[str], TestClient]
) -> None:
    dpo = sign_in("dpo")
    wrong = _save(dpo, brand_values(primary_color="rosso"), None)
    assert wrong.status_code == 422
    assert "#rrggbb" in wrong.text
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    refused = _save(dpo, brand_values(), ("logo.svg", svg, "image/svg+xml"))
    assert refused.status_code == 422
    assert "script" in refused.text
    big = _save(dpo, brand_values(), ("big.png", png_logo(2000, 2000) + b"\0" * 300_000, "x"))
    assert big.status_code == 422
    assert _records(ctx) == []
    assert TestClient(create_app(ctx)).get("/brand/logo").status_code == 404


def test_only_the_dpo_may_open_the_brand_page(
    company: Company, sign_in: Callable[[str], TestClient]
) -> None:
    for role in ("legal", "marketing", "ict", "auditor"):
        assert sign_in(role).get(PAGE).status_code == 403, role
    assert sign_in("dpo").get(PAGE).status_code == 200


def test_a_brand_changed_behind_the_ledger_is_found_by_verify(
    ctx: Context, company: Company, sign_in: Callable[[str], TestClient]
) -> None:
    assert _save(sign_in("dpo"), brand_values(), None).status_code == 303
    with ctx.engine.begin() as c:
        c.execute(update(t.brand).values(privacy_url="https://elsewhere.example/"))
    problems = verify_ledger(ctx).problems
    assert any("brand brand: privacy_url differs" in p for p in problems), problems


def test_a_template_directory_replaces_a_console_page(ctx: Context, tmp_path: Path) -> None:
    (tmp_path / "console").mkdir()
    package = (CONSOLE_TEMPLATES / "login.html").read_text(encoding="utf-8")
    marked = package.replace("{% block main %}", '{% block main %}<p id="ours">Acme SSO</p>', 1)
    assert marked != package
    (tmp_path / "console" / "login.html").write_text(marked, encoding="utf-8")
    ctx.settings = ctx.settings.model_copy(update={"templates_dir": tmp_path})
    with TestClient(create_app(ctx)) as client:
        login = client.get("/console/login")
        assert '<p id="ours">Acme SSO</p>' in login.text
        assert 'name="username"' in login.text  # the rest of the page is the package's
