"""The console's pages over HTTP on both backends: role limits, search, logging, safe proofs."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.factories.events import ledger_size
from tests.web.conftest import csrf_of
from tests.web.console_checks import rows, versions
from tests.web.helpers import EMAIL, PHONE, Company

from trustguardian.domain.common import FixedClock
from trustguardian.service.access import users
from trustguardian.service.context import Context
from trustguardian.service.events.subjects import shred_subject
from trustguardian.store import tables as t

SignIn = Callable[[str], TestClient]


def test_search_keeps_identifiers_out_of_urls_and_logs_the_view(
    ctx: Context, company: Company, sign_in: SignIn
) -> None:
    client = sign_in("legal")
    token = csrf_of(client, "/console/subjects")
    for kind, value in [("email", EMAIL.upper()), ("phone", "347 123 4567")]:
        answer = client.post(
            "/console/subjects/search", data={"kind": kind, "value": value, "csrf_token": token}
        )
        assert answer.status_code == 303
        assert answer.headers["location"] == f"/console/subjects/{company.subject_id}"
    page = client.get(f"/console/subjects/{company.subject_id}")
    assert page.status_code == 200
    assert EMAIL in page.text
    assert PHONE in page.text
    assert page.headers["cache-control"] == "no-store"
    links = re.findall(r'(?:href|action|src)="([^"]+)"', page.text)
    assert links
    assert not [link for link in links if "@" in link or "3471234567" in link]
    missing = client.post(
        "/console/subjects/search",
        data={"kind": "email", "value": "nobody@example.it", "csrf_token": token},
    )
    assert missing.status_code == 404
    bad = client.post(
        "/console/subjects/search", data={"kind": "phone", "value": "abc", "csrf_token": token}
    )
    assert bad.status_code == 422
    log = users.access_log(ctx, subject_id=company.subject_id)
    assert [r.username for r in log] == ["legal"] * 3
    assert {r.what for r in log} >= {"search by email", "search by phone"}


# path template -> the roles that may open it (everyone else gets 403)
ACCESS = {
    "/console": {"dpo", "legal", "marketing", "ict", "auditor"},
    "/console/map": {"dpo", "legal", "marketing", "ict", "auditor"},
    "/console/touchpoints/web-newsletter": {"dpo", "legal", "marketing", "ict", "auditor"},
    "/console/notices/privacy-it": {"dpo", "legal", "marketing", "ict", "auditor"},
    "/console/purposes/newsletter": {"dpo", "legal", "marketing", "ict", "auditor"},
    "/console/ledger": {"dpo", "legal", "marketing", "ict", "auditor"},
    "/console/subjects": {"dpo", "legal", "marketing", "auditor"},
    "/console/subjects/{subject}": {"dpo", "legal", "marketing", "auditor"},
    "/console/events/{consent}/proofs/1": {"dpo", "legal", "auditor"},
    "/console/events/{consent}/proofs/0/snapshot": {"dpo", "legal", "auditor"},
    "/console/events/{paper}/proofs/0/file": {"dpo", "legal", "auditor"},
    "/console/access-log": {"dpo", "auditor"},
    "/console/users": {"dpo"},
}


@pytest.mark.parametrize("role", ["dpo", "legal", "marketing", "ict", "auditor"])
def test_each_role_opens_exactly_its_pages_and_sees_no_data_it_may_not(
    ctx: Context, company: Company, sign_in: SignIn, role: str
) -> None:
    client = sign_in(role)
    for template, allowed in ACCESS.items():
        path = template.format(
            subject=company.subject_id, consent=company.consent_event, paper=company.paper_event
        )
        answer = client.get(path)
        assert answer.status_code == (200 if role in allowed else 403), (role, path)
        if role not in {"dpo", "legal", "marketing", "auditor"}:
            assert EMAIL not in answer.text
            assert PHONE not in answer.text
            # (the page names its own address in the language links; nothing else may)
            assert company.subject_id not in answer.text.replace(path, ""), (role, path)
        if role == "marketing":
            assert "203.0.113.7" not in answer.text  # what a proof says
    views = {r.username for r in users.access_log(ctx)}
    assert (role in views) == (role != "ict")


def test_marketing_sees_consents_but_no_proofs(
    ctx: Context, company: Company, sign_in: SignIn
) -> None:
    page = sign_in("marketing").get(f"/console/subjects/{company.subject_id}").text
    assert "withdrawn" in page
    assert EMAIL in page
    assert "/proofs/" not in page  # proof types are named, never linked
    assert "form snapshot" in page


def test_marketing_checks_a_contact_and_the_check_is_recorded(
    ctx: Context, company: Company, sign_in: SignIn
) -> None:
    client = sign_in("marketing")
    answer = client.post(
        f"/console/subjects/{company.subject_id}/check",
        data={"purpose": "newsletter", "channel": "email", "csrf_token": csrf_of(client)},
    )
    assert answer.status_code == 200
    assert "Not allowed" in answer.text
    assert rows(ctx, t.checks) == 1


def test_a_snapshot_is_escaped_in_the_page_and_sandboxed_in_its_frame(
    ctx: Context, company: Company, sign_in: SignIn
) -> None:
    client = sign_in("legal")
    page = client.get(f"/console/events/{company.consent_event}/proofs/0")
    assert page.status_code == 200
    assert "<script>" not in page.text
    assert "onerror=" not in page.text.replace("onerror=&#34;", "")
    assert "&lt;script&gt;document.title=" in page.text
    assert re.search(r"<iframe[^>]* sandbox[ >]", page.text)
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy.split("style-src")[0]
    frame = client.get(f"/console/events/{company.consent_event}/proofs/0/snapshot")
    assert frame.headers["content-security-policy"].startswith("sandbox;")
    assert "script-src" not in frame.headers["content-security-policy"]  # default-src 'none'
    assert frame.headers["x-frame-options"] == "SAMEORIGIN"
    download = client.get(f"/console/events/{company.paper_event}/proofs/0/file")
    assert download.content.endswith(b"scanned paper form")
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.headers["content-disposition"].endswith('-0.png"')
    # A snapshot saved from the console opens as text: its scripts never run.
    page_file = client.get(f"/console/events/{company.consent_event}/proofs/0/file")
    assert page_file.status_code == 200
    assert page_file.headers["content-disposition"].endswith('-0.html.txt"')
    notice = client.get(f"/console/events/{company.consent_event}/proofs/2").text
    assert "Informativa v2" in notice
    assert "DPO: dpo@x.it" in notice


def test_versions_are_compared_line_by_line(
    ctx: Context, company: Company, sign_in: SignIn
) -> None:
    client = sign_in("ict")
    page = client.get("/console/notices/privacy-it?a=1&b=2").text
    assert '<span class="removed">\N{MINUS SIGN} Informativa v1</span>' in page
    assert '<span class="added">+ Informativa v2</span>' in page
    assert '<span class="added">+ DPO: dpo@x.it</span>' in page
    assert client.get("/console/notices/privacy-it?a=1&b=7").status_code == 404


def test_the_console_speaks_italian_when_asked(
    ctx: Context, company: Company, sign_in: SignIn
) -> None:
    client = sign_in("dpo")
    page = client.get("/console/map", headers={"Accept-Language": "it-IT,it;q=0.9"}).text
    assert 'lang="it"' in page
    assert "Mappa dei touchpoint" in page
    assert "Raccolta" in page
    client.get("/console/lang/en?next=/console/map")
    assert "Touchpoint map" in client.get("/console/map", headers={"Accept-Language": "it"}).text
    away = client.get("/console/lang/it?next=https://evil.example/")
    assert away.headers["location"] == "/console"


def test_the_dashboard_counts_what_the_database_holds(
    ctx: Context, company: Company, sign_in: SignIn
) -> None:
    page = sign_in("dpo").get("/console").text
    given = re.findall(r"(\d+) given</title>", page)
    withdrawn = re.findall(r"(\d+) withdrawn</title>", page)
    assert sum(map(int, given)) == 2
    assert sum(map(int, withdrawn)) == 1
    assert "never verified" in page
    assert re.search(
        r"<th scope=\"row\"><span class=\"kind collect\">Collect</span></th><td>2</td>", page
    )


def test_a_verification_from_the_console_is_shown_on_the_dashboard(
    ctx: Context, company: Company, sign_in: SignIn
) -> None:
    client = sign_in("ict")
    answer = client.post("/console/ledger/verify", data={"csrf_token": csrf_of(client)})
    assert answer.status_code == 200
    assert "The ledger verified: 3 events." in answer.text
    last = users.last_verification(ctx)
    assert last is not None
    assert last.ok
    assert last.by == "ict"
    assert last.tree_size == ledger_size(ctx)
    assert "never verified" not in client.get("/console").text


def test_the_dpo_sees_who_looked_at_whom(ctx: Context, company: Company, sign_in: SignIn) -> None:
    sign_in("legal").get(f"/console/events/{company.consent_event}/proofs/1")
    page = sign_in("dpo").get(f"/console/access-log?subject={company.subject_id}").text
    assert f"proof 1 (IP address and browser) of {company.consent_event}" in page
    assert ">legal<" in page
    assert sign_in("dpo").get("/console/access-log?subject=x'--").status_code == 422


def test_legal_publishes_a_notice_version_only_when_it_says_the_text_is_final(
    ctx: Context, company: Company, sign_in: SignIn
) -> None:
    client = sign_in("legal")
    page = client.get("/console/notices/privacy-it").text
    assert "Publish a new version" in page
    text = "Informativa v3\r\nTitolare: Bottega Rossi.\r\n"
    unconfirmed = client.post(
        "/console/notices/privacy-it/versions", data={"text": text, "csrf_token": csrf_of(client)}
    )
    assert unconfirmed.status_code == 422
    assert versions(ctx) == 2
    done = client.post(
        "/console/notices/privacy-it/versions",
        data={"text": text, "final": "true", "csrf_token": csrf_of(client)},
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/console/notices/privacy-it?b=3"
    with ctx.engine.connect() as conn:
        stored = conn.execute(
            select(t.notice_versions.c.text).where(t.notice_versions.c.version == 3)
        ).scalar_one()
    assert stored == "Informativa v3\nTitolare: Bottega Rossi.\n"
    diff = client.get("/console/notices/privacy-it?a=2&b=3").text
    assert '<span class="removed">\N{MINUS SIGN} DPO: dpo@x.it</span>' in diff
    assert (
        "Publish a new version" not in sign_in("marketing").get("/console/notices/privacy-it").text
    )


def test_an_erased_person_shows_no_data_and_their_proofs_are_gone(
    ctx: Context, company: Company, sign_in: SignIn
) -> None:

    with ctx.uow() as uow:
        shred_subject(ctx, subject_id=company.subject_id, uow=uow)
        uow.commit()
    client = sign_in("legal")
    page = client.get(f"/console/subjects/{company.subject_id}")
    assert page.status_code == 200
    assert "was erased on" in page.text
    assert "(erased)" in page.text
    assert EMAIL not in page.text
    assert PHONE not in page.text
    assert "/proofs/" not in page.text
    gone = client.get(f"/console/events/{company.consent_event}/proofs/1")
    assert gone.status_code == 410
    assert "203.0.113.7" not in gone.text
    # The blind index still finds the erased person, so nobody mistakes them for a stranger.
    found = client.post(
        "/console/subjects/search",
        data={"kind": "email", "value": EMAIL, "csrf_token": csrf_of(client, "/console/subjects")},
    )
    assert found.headers["location"] == f"/console/subjects/{company.subject_id}"


def test_the_access_log_pages_back_in_time(ctx: Context, company: Company, sign_in: SignIn) -> None:

    [legal] = [u for u in users.list_users(ctx) if u.username == "legal"]
    start = ctx.clock.now()
    for n in range(201):
        moment = dataclasses.replace(ctx, clock=FixedClock(start + timedelta(seconds=n)))
        users.log_subject_view(moment, user=legal, subject_id=company.subject_id, what=f"view {n}")
    client = sign_in("dpo")
    first = client.get("/console/access-log").text
    assert first.count("<tr><td>") == 200
    assert ">view 200<" in first
    assert ">view 0<" not in first
    older = re.search(r'href="(/console/access-log\?before=[^"]+)"', first)
    assert older is not None
    second = client.get(older.group(1).replace("&amp;", "&")).text
    assert second.count("<tr><td>") == 1
    assert ">view 0<" in second
    assert "Older entries" not in second


def test_work_queues_and_subject_buttons_follow_the_role(
    ctx: Context, company: Company, sign_in: SignIn
) -> None:
    def nav_and_buttons(role: str) -> tuple[list[str], list[str]]:
        page = sign_in(role).get(f"/console/subjects/{company.subject_id}").text
        nav = re.findall(r'<li><a href="([^"]+)"', page.split("<nav")[1].split("</nav>")[0])
        buttons = re.findall(r'<a class="button" href="([^"]+)"', page)
        return nav, buttons

    nav, buttons = nav_and_buttons("legal")
    assert nav == [
        "/console",
        "/console/map",
        "/console/touchpoints",
        "/console/subjects",
        "/console/purposes",
        "/console/notices",
        "/console/requests",
        "/console/complaints",
        "/console/ledger",
    ]
    assert buttons == [
        f"/console/subjects/{company.subject_id}/dossier",
        f"/console/subjects/{company.subject_id}/requests/new",
    ]
    nav, buttons = nav_and_buttons("auditor")
    assert "/console/requests" in nav
    assert buttons == [f"/console/subjects/{company.subject_id}/dossier"]  # reads, never acts
    nav, buttons = nav_and_buttons("marketing")
    assert "/console/requests" not in nav
    assert "/console/complaints" not in nav
    assert buttons == []
