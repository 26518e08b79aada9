"""Headless Debian Chromium against a real `trustguardian serve`, on both backends: one server
per backend that a worker's tests share, each test signing in as its own users and reading its
own person (tests/web/conftest.py).

Signs in by keyboard, finds a person, reads the timeline and a proof whose form snapshot is
hostile, downloads an evidence file, and walks the role limits. Screenshots of each main page
land in `artifacts/console/` (or $TRUSTGUARDIAN_ARTIFACTS/console), never in the repository.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from sqlalchemy import func, select
from tests.rights.helpers import last_code
from tests.web.browser import Site, shot, sign_in

from trustguardian.domain.registry import Channel
from trustguardian.domain.rights import RequestKind, RequestStatus
from trustguardian.reports.dossier_verify import verify_dossier
from trustguardian.service.access import users
from trustguardian.service.rights.complaints import attach_file, open_complaint
from trustguardian.service.rights.requests import get_request, submit_request
from trustguardian.store import tables as t

pytestmark = pytest.mark.slow


def test_legal_finds_a_person_reads_the_timeline_and_a_hostile_proof_runs_nothing(
    browser: Browser, site: Site
) -> None:
    company = site.company
    page = browser.new_page(accept_downloads=True)
    dialogs: list[str] = []
    requests: list[str] = []
    loaded: list[str] = []
    blocked: list[tuple[str, str | None]] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: requests.append(r.url))
    page.on("requestfinished", lambda r: loaded.append(r.url))
    page.on("requestfailed", lambda r: blocked.append((r.url, r.failure)))
    sign_in(page, site, "legal")
    assert page.get_by_role("heading", name="Dashboard").is_visible()
    shot(page, site, "dashboard")

    page.get_by_role("link", name="Subjects").click()
    page.get_by_label("Identifier kind").select_option("email")
    page.get_by_label("Identifier", exact=True).focus()
    page.keyboard.type(site.email)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{site.base}/console/subjects/{company.subject_id}")
    assert all(site.email not in url for url in requests)
    assert page.get_by_text(site.phone).is_visible()
    timeline = page.locator("ol.timeline > li")
    assert timeline.count() == 3
    assert "consent withdrawn" in timeline.nth(0).inner_text()  # newest first
    assert "consent given" in timeline.nth(2).inner_text()
    shot(page, site, "subject")

    page.get_by_role("link", name="form snapshot").click()
    page.wait_for_url(f"{site.base}/console/events/{company.consent_event}/proofs/0")
    assert page.locator("iframe.snapshot").get_attribute("sandbox") == ""
    frame = next(f for f in page.frames if f.url.endswith("/snapshot"))
    frame.wait_for_load_state()
    assert "Newsletter" in frame.inner_text("body")  # the form as the person saw it
    page.get_by_text("The snapshot's source").click()
    assert "<script>document.title='PWNED'" in page.locator("pre.source").inner_text()
    page.wait_for_timeout(300)
    assert dialogs == []
    assert page.title() != "PWNED"
    assert frame.title() != "PWNED"
    assert page.evaluate("document.body.dataset.pwned") is None
    # The snapshot's <img src="x" onerror=...> is stopped by the frame's policy before the network.
    assert not [u for u in loaded if "evil.example" in u or u.endswith("/proofs/0/x")]
    assert [f for u, f in blocked if u.endswith("/proofs/0/x")] == ["csp"]
    shot(page, site, "proof-snapshot")

    page.go_back()
    page.get_by_role("link", name="signed paper form").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the evidence file").click()
    assert Path(download.value.path()).read_bytes().endswith(b"scanned paper form")

    page.goto(f"{site.base}/console/events/{company.consent_event}/proofs/2")
    assert "Informativa v2" in page.locator("pre.notice").inner_text()
    shot(page, site, "proof-notice")
    whats = [r.what for r in users.access_log(site.ctx, subject_id=company.subject_id)]
    assert "search by email" in whats
    assert any(w.startswith("evidence file 0") for w in whats)
    assert any(w.startswith("form snapshot 0") for w in whats)
    page.close()


def test_role_limits_hold_in_the_browser(browser: Browser, site: Site) -> None:
    company = site.company
    subject_page = f"{site.base}/console/subjects/{company.subject_id}"

    auditor = browser.new_page()
    sign_in(auditor, site, "auditor")
    auditor.goto(f"{site.base}/console/touchpoints/web-newsletter")
    assert auditor.locator("select#status").count() == 0  # no way to change the status
    assert auditor.locator("form[method=post]").count() == 1  # only "Sign out"
    token = auditor.locator("input[name=csrf_token]").first.get_attribute("value")
    refused = auditor.request.post(
        f"{site.base}/console/touchpoints/web-newsletter/status",
        form={"status": "examined", "csrf_token": token or ""},
    )
    assert refused.status == 403
    auditor.goto(f"{site.base}/console/touchpoints/web-newsletter")
    assert "censused" in auditor.locator("dl.facts").inner_text()
    auditor.goto(subject_page)
    assert auditor.get_by_role("heading", name="May we contact this person now?").count() == 0
    auditor.close()

    marketing = browser.new_page()
    sign_in(marketing, site, "marketing")
    marketing.goto(subject_page)
    assert marketing.get_by_text(site.email).is_visible()
    assert marketing.locator("a[href*='/proofs/']").count() == 0
    shot(marketing, site, "subject-marketing")
    for path in ["/proofs/0", "/proofs/0/snapshot"]:
        answer = marketing.goto(f"{site.base}/console/events/{company.consent_event}{path}")
        assert answer is not None
        assert answer.status == 403
        assert "203.0.113.7" not in marketing.content()
    answer = marketing.goto(f"{site.base}/console/events/{company.paper_event}/proofs/0/file")
    assert answer is not None
    assert answer.status == 403
    assert "Your role does not allow this" in marketing.content()
    marketing.goto(subject_page)
    marketing.get_by_label("Purpose").select_option("newsletter")
    marketing.get_by_label("Channel").select_option("email")
    marketing.get_by_role("button", name="Check").click()
    assert "Not allowed" in marketing.get_by_role("status").inner_text()
    marketing.close()

    ict = browser.new_page()
    sign_in(ict, site, "ict")
    assert ict.get_by_role("link", name="Subjects").count() == 0
    ict.goto(f"{site.base}/console/touchpoints/web-newsletter")
    assert company.subject_id not in ict.content()
    assert ict.get_by_text("hidden for your role").count() >= 1
    assert ict.locator("a[href*='/console/subjects/']").count() == 0
    answer = ict.goto(subject_page)
    assert answer is not None
    assert answer.status == 403
    assert site.email not in ict.content()
    ict.close()


def test_every_main_page_reads_without_javascript_in_both_languages(
    browser: Browser, site: Site
) -> None:
    signing = browser.new_context()
    sign_in(signing.new_page(), site, "dpo")
    # The session cookie moves to a browser with JavaScript off, reading Italian first.
    context = browser.new_context(
        java_script_enabled=False, locale="it-IT", storage_state=signing.storage_state()
    )
    signing.close()
    page = context.new_page()
    pages = {
        "dashboard": ("/console", "Cruscotto"),
        "map": ("/console/map", "Mappa dei touchpoint"),
        "touchpoints": ("/console/touchpoints", "Touchpoint"),
        "touchpoint": ("/console/touchpoints/web-newsletter", "Newsletter form"),
        "subjects": ("/console/subjects", "Cerca un interessato"),
        "subject": (f"/console/subjects/{site.company.subject_id}", "Cronologia"),
        "notice-diff": ("/console/notices/privacy-it?a=1&b=2", "Confronta le versioni"),
        "purposes": ("/console/purposes", "Finalità"),
        "ledger": ("/console/ledger", "Registro"),
        "access-log": ("/console/access-log", "Registro degli accessi"),
        "users": ("/console/users", "Utenti della console"),
        "requests": ("/console/requests", "Richieste di esercizio dei diritti"),
        "complaints": ("/console/complaints", "Reclami"),
    }
    for name, (path, heading) in pages.items():
        answer = page.goto(f"{site.base}{path}")
        assert answer is not None
        assert answer.status == 200, path
        assert heading in page.locator("main").inner_text(), path
        shot(page, site, f"it-{name}")
    # The map's touchpoints are links a keyboard reaches; the chart has a table twin.
    page.goto(f"{site.base}/console/map")
    with site.ctx.engine.connect() as conn:  # the shared server: other tests may add some
        touchpoints = conn.execute(select(func.count()).select_from(t.touchpoints)).scalar_one()
    assert page.locator("svg.map a").count() == touchpoints >= 4
    page.goto(f"{site.base}/console/lang/en?next=/console")
    assert "Consents given and withdrawn" in page.locator("main").inner_text()
    context.close()


def test_legal_downloads_a_dossier_that_verifies_offline(browser: Browser, site: Site) -> None:
    page = browser.new_page(accept_downloads=True)
    sign_in(page, site, "legal")
    page.goto(f"{site.base}/console/subjects/{site.company.subject_id}")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the dossier").click()
    assert download.value.suggested_filename == f"dossier-{site.company.subject_id}.zip"
    saved = Path(download.value.path())
    check = verify_dossier(saved.read_bytes(), trusted_key=site.ctx.keys.signer.verifier_key)
    assert check.ok, check.problems
    assert check.subject_id == site.company.subject_id
    # And as an inspector would: the command alone, with no database and only the pinned key.
    key = site.ctx.keys.signer.verifier_key
    offline = subprocess.run(
        [sys.executable, "-m", "trustguardian", "dossier", "verify", str(saved), "--key", key],
        capture_output=True,
        text=True,
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(saved.parent)},
        cwd=saved.parent,
        timeout=120,
    )
    assert offline.returncode == 0, offline.stdout + offline.stderr
    assert "OK" in offline.stdout
    log = users.access_log(site.ctx, subject_id=site.company.subject_id)
    assert (site.user("legal"), "dossier download") in {(r.username, r.what) for r in log}
    page.close()


def test_legal_handles_a_rights_request_to_fulfilment_by_keyboard(
    browser: Browser, site: Site
) -> None:
    company = site.company
    page = browser.new_page()
    sign_in(page, site, "legal")
    page.goto(f"{site.base}/console/subjects/{company.subject_id}")
    page.get_by_role("link", name="Open a rights request").click()
    page.get_by_label("Right exercised").select_option("access")
    page.get_by_label("Channel").select_option("email")
    # The person's words are typed, then Tab reaches the button and Enter sends the form.
    page.get_by_label("What the person asks").focus()
    page.keyboard.type("Vorrei sapere quali dati avete su di me.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/console/requests/req_[0-9a-f]+\?done=opened$"))
    request_id = page.url.split("/requests/")[1].split("?")[0]
    assert "Vorrei sapere quali dati" in page.locator("pre.words").inner_text()
    assert "received" in page.locator("dl.facts").inner_text()

    page.get_by_label("Assign to").select_option(site.user("legal"))
    page.get_by_role("button", name="Assign", exact=True).click()
    assert "legal" in page.locator("dl.facts").inner_text()
    page.get_by_role("button", name="Start verification: send a code").click()
    page.wait_for_url(re.compile(r".*done=code-sent$"))
    code = last_code(site.outbox)
    page.get_by_label("Code the person read back").focus()
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*done=confirmed$"))
    assert "in progress" in page.locator("dl.facts").inner_text()
    page.get_by_label("Answer to the person").focus()
    page.keyboard.type("Le inviamo in allegato i dati che la riguardano.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*done=fulfilled$"))
    assert "fulfilled" in page.locator("dl.facts").inner_text()
    assert page.locator("ol.steps > li").count() == 4  # received, verifying, in progress, done
    assert page.locator("form[action*='/requests/']").count() == 1  # only the assignment is left
    shot(page, site, "request-fulfilled")
    page.goto(f"{site.base}/console/requests?view=closed")
    assert request_id in page.locator("table.queue").inner_text()
    shot(page, site, "requests")
    page.goto(f"{site.base}/console")
    assert "Rights requests due soon and overdue" in page.locator("main").inner_text()
    page.close()


def test_role_limits_hold_on_the_work_queues(browser: Browser, site: Site) -> None:
    company = site.company
    request = submit_request(
        site.ctx,
        kind=RequestKind.ERASURE,
        touchpoint="unsubscribe-link",
        channel=Channel.EMAIL,
        subject_id=company.subject_id,
        details="Cancellate tutto.",
    )
    complaint = open_complaint(
        site.ctx,
        touchpoint="unsubscribe-link",
        channel=Channel.EMAIL,
        summary="Messaggi dopo la revoca.",
        actor="api",
        subject_id=company.subject_id,
    )
    attach_file(
        site.ctx,
        complaint_id=complaint.id,
        name="prova.png",
        media_type="image/png",
        content=b"\x89PNG\r\n\x1a\n evidence of the message",
        actor="api",
    )

    auditor = browser.new_page()
    sign_in(auditor, site, "auditor")
    auditor.goto(f"{site.base}/console/requests/{request.id}")
    assert "Cancellate tutto." in auditor.locator("pre.words").inner_text()
    assert auditor.locator("form[method=post]").count() == 1  # only "Sign out"
    token = auditor.locator("input[name=csrf_token]").first.get_attribute("value") or ""
    for action in ["verification", "start", "fulfil"]:
        refused = auditor.request.post(
            f"{site.base}/console/requests/{request.id}/{action}", form={"csrf_token": token}
        )
        assert refused.status == 403, action
    assert get_request(site.ctx, request_id=request.id).status is RequestStatus.RECEIVED
    auditor.goto(f"{site.base}/console/complaints/{complaint.id}")
    assert auditor.get_by_role("heading", name="Update the complaint").count() == 0
    shot(auditor, site, "complaint-auditor")
    auditor.close()

    marketing = browser.new_page(accept_downloads=True)
    sign_in(marketing, site, "marketing")
    assert marketing.get_by_role("link", name="Rights requests").count() == 0
    marketing.goto(f"{site.base}/console/subjects/{company.subject_id}")
    assert marketing.get_by_role("link", name="Download the dossier").count() == 0
    for path in [
        f"/console/subjects/{company.subject_id}/dossier",
        f"/console/complaints/{complaint.id}/attachments/0",
        f"/console/requests/{request.id}",
    ]:
        answer = marketing.request.get(f"{site.base}{path}")
        assert answer.status == 403, path
        assert b"evidence of the message" not in answer.body()
        assert b"Cancellate" not in answer.body()
    marketing.close()


def test_the_italian_navigation_is_one_line_at_1366_and_reject_is_not_fulfil(
    browser: Browser, site: Site
) -> None:
    request = submit_request(
        site.ctx,
        kind=RequestKind.ACCESS,
        touchpoint="unsubscribe-link",
        channel=Channel.EMAIL,
        subject_id=site.company.subject_id,
        actor="legal",
    )
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="it-IT")
    page = context.new_page()
    sign_in(page, site, "dpo")  # the DPO sees every section
    page.goto(f"{site.base}/console/requests/{request.id}")
    items = page.locator("header.top nav li")
    assert items.count() >= 10
    tops = {round(items.nth(i).bounding_box()["y"]) for i in range(items.count())}  # type: ignore[index]
    assert len(tops) == 1, tops
    assert "Registro delle prove" in page.locator("header.top nav").inner_text()
    shot(page, site, "it-nav-1366")
    style = "el => getComputedStyle(el).backgroundColor + ' ' + getComputedStyle(el).color"
    reject = page.locator("button.danger", has_text="Respingi la richiesta")
    assert reject.count() == 1
    others = page.locator("main button:not(.danger)")
    assert others.count() >= 1
    assert reject.evaluate(style) not in {
        others.nth(i).evaluate(style) for i in range(others.count())
    }
    context.close()
