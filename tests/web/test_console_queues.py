"""The console's work queues over HTTP on both backends: rights requests from intake to answer,
complaints, the dossier download, census findings, and what each role may do there."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.rights.helpers import last_code, outbox_files
from tests.web.conftest import csrf_of
from tests.web.console_checks import rows
from tests.web.helpers import Company

from trustguardian.domain.common import FixedClock
from trustguardian.domain.registry import Channel
from trustguardian.domain.rights import RequestKind
from trustguardian.reports.dossier_verify import verify_dossier
from trustguardian.service.access import users
from trustguardian.service.context import Context
from trustguardian.service.registry.securing import touchpoint_signoffs
from trustguardian.service.registry.touchpoints import get_touchpoint
from trustguardian.service.rights.complaints import attach_file, open_complaint
from trustguardian.service.rights.requests import get_request, submit_request
from trustguardian.store import tables as t

SignIn = Callable[[str], TestClient]
REQUEST_URL = re.compile(r"^/console/requests/(req_[0-9a-f]+)\?done=opened$")


@pytest.fixture(autouse=True)
def outbox(ctx: Context, tmp_path: Path) -> Path:
    """Messages to people land as files in this test's own directory."""
    ctx.settings = ctx.settings.model_copy(update={"outbox_dir": tmp_path / "outbox"})
    return tmp_path / "outbox"


def _post(client: TestClient, path: str, **data: str) -> httpx.Response:
    return client.post(path, data={**data, "csrf_token": csrf_of(client)})


def _open_request(client: TestClient, subject_id: str, kind: str = "access") -> str:
    form = client.get(f"/console/subjects/{subject_id}/requests/new")
    assert form.status_code == 200
    assert 'value="unsubscribe-link"' in form.text  # the Right touchpoints, to receive it at
    answer = client.post(
        f"/console/subjects/{subject_id}/requests",
        data={
            "kind": kind,
            "touchpoint": "unsubscribe-link",
            "channel": "email",
            "language": "it",
            "details": "Vorrei una copia dei miei dati, per favore.",
            "csrf_token": csrf_of(client),
        },
    )
    assert answer.status_code == 303, answer.text
    found = REQUEST_URL.match(answer.headers["location"])
    assert found is not None
    return found.group(1)


def _steps(ctx: Context, request_id: str) -> list[tuple[str, str]]:
    with ctx.engine.connect() as conn:
        c = t.rights_request_steps.c
        return [
            (r.status, r.actor)
            for r in conn.execute(
                select(c.status, c.actor).where(c.request_id == request_id).order_by(c.position)
            )
        ]


def test_legal_takes_a_request_from_intake_to_fulfilment(
    ctx: Context, company: Company, sign_in: SignIn, outbox: Path
) -> None:
    client = sign_in("legal")
    request_id = _open_request(client, company.subject_id)
    page = client.get(f"/console/requests/{request_id}?done=opened")
    assert "Vorrei una copia dei miei dati" in page.text  # the person's words, opened
    assert "The rights request is open" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert f"rights request {request_id}" in {r.what for r in users.access_log(ctx)}

    sent = client.post(
        f"/console/requests/{request_id}/verification", data={"csrf_token": csrf_of(client)}
    )
    assert sent.headers["location"] == f"/console/requests/{request_id}?done=code-sent"
    assert len(outbox_files(outbox)) == 1
    wrong = client.post(
        f"/console/requests/{request_id}/confirm",
        data={
            "code": "000000" if last_code(outbox) != "000000" else "111111",
            "csrf_token": csrf_of(client),
        },
    )
    assert wrong.status_code == 422
    assert "wrong code" in wrong.text
    assert get_request(ctx, request_id=request_id).status.value == "verifying"
    right = client.post(
        f"/console/requests/{request_id}/confirm",
        data={"code": last_code(outbox), "csrf_token": csrf_of(client)},
    )
    assert right.status_code == 303

    assert (
        _post(client, f"/console/requests/{request_id}/assign", username="dpo").status_code == 303
    )
    refused = _post(client, f"/console/requests/{request_id}/assign", username="marketing")
    assert refused.status_code == 422
    queue = client.get("/console/requests?assignee=dpo").text
    assert request_id in queue
    assert request_id not in client.get("/console/requests?assignee=-").text

    no_reason = _post(client, f"/console/requests/{request_id}/extend", reason="  ")
    assert no_reason.status_code == 422
    before = get_request(ctx, request_id=request_id).due_on
    extended = _post(
        client, f"/console/requests/{request_id}/extend", reason="Dati in tre archivi cartacei."
    )
    assert extended.status_code == 303
    after = get_request(ctx, request_id=request_id)
    assert (after.due_on - before).days >= 59
    assert after.extension_reason == "Dati in tre archivi cartacei."

    done = _post(
        client, f"/console/requests/{request_id}/fulfil", outcome="In allegato i suoi dati."
    )
    assert done.status_code == 303
    assert _steps(ctx, request_id) == [
        ("received", "console:legal"),
        ("verifying", "console:legal"),
        ("in_progress", "console:legal"),
        ("extended", "console:legal"),
        ("fulfilled", "console:legal"),
    ]
    assert len(outbox_files(outbox)) == 3  # the code, the extension, the answer
    assert request_id not in client.get("/console/requests").text
    assert request_id in client.get("/console/requests?view=closed").text
    assert ">dpo<" in client.get(f"/console/requests/{request_id}").text.replace("</dd>", "<")


def test_the_queue_puts_the_most_urgent_first_and_the_dashboard_counts_them(
    ctx: Context, company: Company, sign_in: SignIn
) -> None:
    now = ctx.clock.now()

    def received(days: int, kind: RequestKind) -> str:
        return submit_request(
            dataclasses.replace(ctx, clock=FixedClock(now)),
            kind=kind,
            touchpoint="unsubscribe-link",
            channel=Channel.EMAIL,
            subject_id=company.subject_id,
            received_at=now - timedelta(days=days),
        ).id

    late = received(40, RequestKind.ERASURE)
    soon = received(27, RequestKind.ACCESS)
    fresh = received(1, RequestKind.ACCESS)
    client = sign_in("auditor")
    queue = client.get("/console/requests").text
    assert queue.index(late) < queue.index(soon) < queue.index(fresh)
    overdue = client.get("/console/requests?view=overdue").text
    assert late in overdue
    assert soon not in overdue
    due_soon = client.get("/console/requests?view=due_soon").text
    assert soon in due_soon
    assert fresh not in due_soon
    access = client.get("/console/requests?kind=access").text
    assert late not in access
    assert soon in access
    board = client.get("/console").text
    assert "3 open" in board
    assert "1 overdue" in board
    assert "1 due within 7 days" in board
    assert board.index(late) < board.index(soon)
    assert fresh not in board
    assert client.get("/console/requests?view=nonsense").status_code == 422


@pytest.mark.parametrize("role", ["auditor", "marketing", "ict"])
def test_roles_that_may_not_act_change_nothing(
    ctx: Context, company: Company, sign_in: SignIn, role: str
) -> None:
    request_id = _open_request(sign_in("legal"), company.subject_id)
    client = sign_in(role)
    before = rows(ctx, t.rights_request_steps), rows(ctx, t.events)
    for action, data in [
        ("verification", {}),
        ("start", {}),
        ("reject", {"outcome": "no"}),
        ("assign", {"username": role}),
    ]:
        answer = client.post(
            f"/console/requests/{request_id}/{action}", data={**data, "csrf_token": csrf_of(client)}
        )
        assert answer.status_code == 403, action
    assert (rows(ctx, t.rights_request_steps), rows(ctx, t.events)) == before
    assert rows(ctx, t.request_assignments) == 0
    page = client.get(f"/console/requests/{request_id}")
    if role == "auditor":
        assert page.status_code == 200
        assert "Vorrei una copia" in page.text
        assert 'action="/console/requests/' not in page.text  # no action is offered
    else:
        assert page.status_code == 403
        assert "Vorrei una copia" not in page.text
        assert client.get("/console/requests").status_code == 403
        assert client.get("/console/complaints").status_code == 403
    dossier = client.get(f"/console/subjects/{company.subject_id}/dossier")
    assert dossier.status_code == (200 if role == "auditor" else 403)


def test_a_rejection_states_its_reasons_and_forms_need_their_token(
    ctx: Context, company: Company, sign_in: SignIn
) -> None:
    client = sign_in("dpo")
    request_id = _open_request(client, company.subject_id, kind="erasure")
    forged = client.post(f"/console/requests/{request_id}/start", data={"csrf_token": "x"})
    assert forged.status_code == 403
    silent = _post(client, f"/console/requests/{request_id}/reject", outcome="")
    assert silent.status_code == 422
    assert "art. 12(4)" in silent.text
    fulfil_early = _post(client, f"/console/requests/{request_id}/fulfil")
    assert fulfil_early.status_code == 422
    assert "verify it first" in fulfil_early.text
    rejected = _post(
        client, f"/console/requests/{request_id}/reject", outcome="Identità non verificabile."
    )
    assert rejected.status_code == 303
    view = get_request(ctx, request_id=request_id)
    assert view.status.value == "rejected"
    assert view.outcome == "Identità non verificabile."
    again = _post(client, f"/console/requests/{request_id}/start")
    assert again.status_code == 409


def test_complaints_are_read_updated_and_their_files_kept_from_marketing(
    ctx: Context, company: Company, sign_in: SignIn
) -> None:
    opened = open_complaint(
        ctx,
        touchpoint="unsubscribe-link",
        channel=Channel.EMAIL,
        summary="Ricevo ancora la newsletter dopo la disiscrizione.",
        actor="api",
        about_event_id=company.consent_event,
    )
    attach_file(
        ctx,
        complaint_id=opened.id,
        name="screenshot.png",
        media_type="image/png",
        content=b"\x89PNG\r\n\x1a\n the newsletter",
        actor="api",
    )
    legal = sign_in("legal")
    listing = legal.get("/console/complaints").text
    assert opened.id in listing
    page = legal.get(f"/console/complaints/{opened.id}")
    assert "Ricevo ancora la newsletter" in page.text
    assert f'href="/console/events/{company.consent_event}/proofs/0"' in page.text  # timeline
    assert "the event complained about" in page.text
    download = legal.get(f"/console/complaints/{opened.id}/attachments/0")
    assert download.content == b"\x89PNG\r\n\x1a\n the newsletter"
    assert download.headers["content-disposition"].startswith("attachment")
    whats = {r.what for r in users.access_log(ctx, subject_id=company.subject_id)}
    assert {f"complaint {opened.id}", f"attachment 0 of {opened.id}"} <= whats

    moved = _post(
        legal, f"/console/complaints/{opened.id}/update", status="investigating", handler="legal"
    )
    assert moved.status_code == 303
    unclosed = _post(legal, f"/console/complaints/{opened.id}/update", status="closed")
    assert unclosed.status_code == 422
    closed = _post(
        legal,
        f"/console/complaints/{opened.id}/update",
        status="closed",
        outcome="Lista corretta; scuse inviate.",
    )
    assert closed.status_code == 303
    final = legal.get(f"/console/complaints/{opened.id}").text
    assert "Lista corretta; scuse inviate." in final
    assert "Update the complaint" not in final  # a closed case never changes
    assert ">closed<" in legal.get("/console/complaints?status=closed").text

    auditor = sign_in("auditor")
    assert auditor.get(f"/console/complaints/{opened.id}/attachments/0").status_code == 200
    assert "Update the complaint" not in auditor.get(f"/console/complaints/{opened.id}").text
    marketing = sign_in("marketing")
    for path in [
        f"/console/complaints/{opened.id}",
        f"/console/complaints/{opened.id}/attachments/0",
    ]:
        answer = marketing.get(path)
        assert answer.status_code == 403
        assert b"the newsletter" not in answer.content
        assert "Ricevo ancora" not in answer.text


def test_the_person_page_lists_their_cases_and_the_dossier_verifies_offline(
    ctx: Context, company: Company, sign_in: SignIn
) -> None:
    legal = sign_in("legal")
    request_id = _open_request(legal, company.subject_id)
    opened = open_complaint(
        ctx,
        touchpoint="unsubscribe-link",
        channel=Channel.EMAIL,
        summary="Troppi messaggi.",
        actor="api",
        subject_id=company.subject_id,
    )
    page = legal.get(f"/console/subjects/{company.subject_id}").text
    assert f'href="/console/requests/{request_id}"' in page
    assert f'href="/console/complaints/{opened.id}"' in page
    assert f'href="/console/subjects/{company.subject_id}/requests/new"' in page
    marketing_page = sign_in("marketing").get(f"/console/subjects/{company.subject_id}").text
    assert request_id not in marketing_page  # the person's requests are not marketing's
    assert "/dossier" not in marketing_page

    answer = legal.get(f"/console/subjects/{company.subject_id}/dossier")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/zip"
    assert answer.headers["content-disposition"] == (
        f'attachment; filename="dossier-{company.subject_id}.zip"'
    )
    check = verify_dossier(answer.content, trusted_key=ctx.keys.signer.verifier_key)
    assert check.ok, check.problems
    assert check.subject_id == company.subject_id
    assert check.events >= 4  # three consents and withdrawals, and the request received
    log = users.access_log(ctx, subject_id=company.subject_id)
    assert ("legal", "dossier download") in {(r.username, r.what) for r in log}
    assert legal.get("/console/subjects/sub_00/dossier").status_code == 404
    assert (
        sign_in("marketing").get(f"/console/subjects/{company.subject_id}/dossier").status_code
        == 403
    )


def test_touchpoints_show_the_census_findings_with_their_fix(
    ctx: Context, company: Company, sign_in: SignIn
) -> None:
    ict = sign_in("ict")
    before = ict.get("/console/touchpoints/web-newsletter").text
    assert "never examined by the census" in before
    examined = _post(ict, "/console/touchpoints/web-newsletter/examine")
    assert examined.status_code == 303
    page = ict.get("/console/touchpoints/web-newsletter").text
    assert "Marketing consent online without double opt-in" in page
    assert "--confirmation double_opt_in" in page  # the fix: our confirmation, not a proof
    assert '<span class="risk high">high</span>' in page
    board = ict.get("/console").text
    assert "Open high-severity findings" in board
    assert 'href="/console/touchpoints/web-newsletter">web-newsletter</a>' in board
    italian = ict.get("/console/touchpoints/web-newsletter", headers={"Accept-Language": "it"})
    assert "Consenso di marketing online senza doppio opt-in" in italian.text
    auditor = sign_in("auditor")
    assert "Examine now" not in auditor.get("/console/touchpoints/web-newsletter").text
    refused = _post(auditor, "/console/touchpoints/store-desk/examine")
    assert refused.status_code == 403
    assert rows(ctx, t.examinations) == 1


def test_a_touchpoint_is_secured_by_a_sign_off_in_the_console(
    ctx: Context, company: Company, sign_in: SignIn
) -> None:
    dpo = sign_in("dpo")
    assert _post(dpo, "/console/touchpoints/store-desk/examine").status_code == 303
    page = dpo.get("/console/touchpoints/store-desk").text
    assert "Sign off as secured" in page
    assert '<option value="secured">' not in page  # no longer a plain status move
    done = _post(dpo, "/console/touchpoints/store-desk/secure", note="forms scanned daily")
    assert done.status_code == 303
    page = dpo.get("/console/touchpoints/store-desk").text
    assert "user:dpo (dpo)" in page
    assert "forms scanned daily" in page
    [signoff] = touchpoint_signoffs(ctx, key="store-desk")
    assert signoff.actor == "user:dpo (dpo)"
    assert get_touchpoint(ctx, key="store-desk").status.value == "secured"
    auditor = sign_in("auditor")
    assert _post(auditor, "/console/touchpoints/store-desk/secure", note="x").status_code == 403


def test_an_erasure_fulfilled_in_the_console_leaves_pages_that_show_no_data(
    ctx: Context, company: Company, sign_in: SignIn
) -> None:
    client = sign_in("dpo")
    request_id = _open_request(client, company.subject_id, kind="erasure")
    page = client.get(f"/console/requests/{request_id}").text
    assert "destroys this person&#39;s key" not in page  # not in progress yet: no fulfil form
    assert _post(client, f"/console/requests/{request_id}/start").status_code == 303
    page = client.get(f"/console/requests/{request_id}").text
    assert "destroys this person&#39;s key" in page
    done = _post(client, f"/console/requests/{request_id}/fulfil", outcome="Dati cancellati.")
    assert done.status_code == 303
    after = client.get(f"/console/requests/{request_id}")
    assert after.status_code == 200
    assert "Vorrei una copia" not in after.text  # sealed with the destroyed key
    assert "No details given, or erased." in after.text
    person = client.get(f"/console/subjects/{company.subject_id}").text
    assert "was erased on" in person
    assert f'href="/console/requests/{request_id}"' in person  # the request stays on record
    dossier = client.get(f"/console/subjects/{company.subject_id}/dossier")
    assert dossier.status_code == 200
    assert verify_dossier(dossier.content, trusted_key=ctx.keys.signer.verifier_key).ok


def test_a_restriction_is_put_in_place_and_lifted_in_the_console(
    ctx: Context, company: Company, sign_in: SignIn
) -> None:
    from tests.factories import add_purpose

    from trustguardian.domain.registry import LegalBasis
    from trustguardian.service.engage.checks import CheckRequest, check_contact

    add_purpose(
        ctx,
        "catalogue",
        name="Catalogue",
        channels=(Channel.LETTER,),
        legal_basis=LegalBasis.LEGITIMATE_INTEREST,
        consent_lifetime_days=None,
    )

    def reason() -> str:
        ask = CheckRequest("catalogue", Channel.LETTER, subject_id=company.subject_id)
        return check_contact(ctx, request=ask).reason.value

    assert reason() == "legitimate_interest"
    client = sign_in("dpo")
    request_id = _open_request(client, company.subject_id, kind="restriction")
    assert _post(client, f"/console/requests/{request_id}/start").status_code == 303
    assert 'name="purposes"' in client.get(f"/console/requests/{request_id}").text
    bad = _post(client, f"/console/requests/{request_id}/fulfil", purposes="no-such-purpose")
    assert bad.status_code == 422
    done = _post(client, f"/console/requests/{request_id}/fulfil", purposes="catalogue")
    assert done.status_code == 303
    assert reason() == "restricted"
    page = client.get(f"/console/requests/{request_id}?done=fulfilled").text
    assert f'action="/console/requests/{request_id}/lift"' in page
    lifted = _post(client, f"/console/requests/{request_id}/lift", reason="Dati verificati")
    assert lifted.status_code == 303
    assert reason() == "legitimate_interest"
    assert _post(client, f"/console/requests/{request_id}/lift").status_code == 409
