"""Rights with effect, on SQLite and PostgreSQL: no extension after the deadline, restriction and
objection change the next check (single and bulk) until lifted, rectification replaces the
identifiers, and access answers reach the person through a one-time, expiring link."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from tests.factories.events import email, footprint

from trustguardian.domain.common import FixedClock
from trustguardian.domain.errors import IdentifierTaken
from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import Channel
from trustguardian.domain.rights import RequestKind, RequestStatus
from trustguardian.service.accountability.inspection import inspection_figures
from trustguardian.service.context import Context
from trustguardian.service.engage.checks import CheckRequest, check_many
from trustguardian.service.events.consent import subject_timeline
from trustguardian.service.events.subjects import find_subject, get_subject
from trustguardian.service.rights.effects import lift_restriction
from trustguardian.service.rights.fulfil import fulfil_request
from trustguardian.service.rights.requests import get_request, list_requests
from trustguardian.service.rights.verification import confirm_code, extend_request, send_code
from trustguardian.service.verify.full import verify_ledger

from .helpers import (
    ANNA,
    DESK,
    OTHER_PURPOSE,
    POSTAL,
    PURPOSE,
    SHARING,
    check,
    last_code,
    newest_mail,
    person,
    submit,
    verified,
)

PROBLEM = "application/problem+json"
RESTRICTED = (EventKind.PROCESSING_RESTRICTED,)


def _bulk(ctx: Context, purpose: str, channel: Channel, address: str = ANNA) -> str:
    [outcome] = check_many(
        ctx, [CheckRequest(purpose=purpose, channel=channel, identifier=email(address))]
    )
    return outcome.reason.value


def _verify(ctx: Context, request_id: str) -> None:
    send_code(ctx, request_id=request_id)
    confirm_code(ctx, request_id=request_id, code=last_code(ctx.settings.outbox_dir))


def test_an_extension_after_the_deadline_gets_409_and_the_breach_stays(
    rctx: Context, api: TestClient
) -> None:
    person(rctx)
    now = rctx.clock.now()
    late = submit(rctx, received_at=now - timedelta(days=40))
    _verify(rctx, late)
    due_before = get_request(rctx, request_id=late).due_on
    before = footprint(rctx)
    answer = api.post(f"/v1/requests/{late}/extension", json={"reason": "Too many requests"})
    assert answer.status_code == 409, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM)
    assert answer.json()["type"].endswith("extension-too-late")
    assert footprint(rctx) == before  # nothing written, no mail promised
    view = get_request(rctx, request_id=late)
    assert (view.status, view.due_on, view.overdue) == (RequestStatus.IN_PROGRESS, due_before, True)
    assert [v.id for v in list_requests(rctx, overdue=True).items] == [late]
    figures = inspection_figures(rctx, start=now - timedelta(days=60), end=now + timedelta(days=1))
    assert figures.requests.total("overdue_now") == 1
    assert figures.requests.total("extended") == 0
    # Within the month the extension is still granted.
    fresh = verified(rctx)
    assert extend_request(rctx, request_id=fresh, reason="Complex", actor="dpo").status is (
        RequestStatus.EXTENDED
    )


def test_a_general_objection_stops_legitimate_interest_purposes(rctx: Context) -> None:
    person(rctx)
    assert check(rctx, POSTAL, Channel.LETTER) == "legitimate_interest"
    request_id = verified(rctx, RequestKind.OBJECTION)
    done = fulfil_request(rctx, request_id=request_id, actor="dpo")
    assert done.withdrawn == (POSTAL,)  # the purpose on legitimate interest, and only it
    assert check(rctx, POSTAL, Channel.LETTER) == "objected"
    assert _bulk(rctx, POSTAL, Channel.LETTER) == "objected"
    assert check(rctx, PURPOSE, Channel.EMAIL) == "consent_given"  # consent purposes stand
    assert verify_ledger(rctx).ok


def test_a_restriction_blocks_its_purposes_until_lifted(rctx: Context) -> None:
    anna = person(rctx)
    request_id = verified(rctx, RequestKind.RESTRICTION)
    done = fulfil_request(rctx, request_id=request_id, actor="dpo", purposes=[PURPOSE, POSTAL])
    assert {h.purpose for h in done.holds} == {PURPOSE, POSTAL}
    for channel in (Channel.EMAIL, Channel.SMS):
        assert check(rctx, PURPOSE, channel) == "restricted"
        assert _bulk(rctx, PURPOSE, channel) == "restricted"
    assert check(rctx, POSTAL, Channel.LETTER) == "restricted"
    assert check(rctx, OTHER_PURPOSE, Channel.EMAIL) == "consent_given"  # not restricted
    kinds = [e.kind for e in subject_timeline(rctx, subject_id=anna.subject_id)]
    assert EventKind.PROCESSING_RESTRICTED in kinds
    [restricted] = [
        e for e in subject_timeline(rctx, subject_id=anna.subject_id) if e.kind in RESTRICTED
    ]
    # A check of a moment before the restriction answers as things stood then.
    then = restricted.occurred_at - timedelta(seconds=1)
    [past] = check_many(
        rctx, [CheckRequest(PURPOSE, Channel.EMAIL, identifier=email(ANNA), moment=then)]
    )
    assert past.reason.value != "restricted"

    holds = lift_restriction(rctx, request_id=request_id, actor="dpo", reason="Accuracy verified")
    assert all(h.lifted_at is not None for h in holds)
    assert "Accuracy verified" in newest_mail(rctx).decode()  # art. 18(3): told
    assert check(rctx, PURPOSE, Channel.EMAIL) == "consent_given"
    assert _bulk(rctx, POSTAL, Channel.LETTER) == "legitimate_interest"
    kinds = [e.kind for e in subject_timeline(rctx, subject_id=anna.subject_id)]
    assert kinds[-1] is EventKind.RESTRICTION_LIFTED
    with pytest.raises(Exception, match="no restriction"):
        lift_restriction(rctx, request_id=request_id, actor="dpo")
    assert verify_ledger(rctx).ok


def test_a_restriction_of_everything_blocks_every_purpose(rctx: Context) -> None:
    person(rctx)
    request_id = verified(rctx, RequestKind.RESTRICTION)
    fulfil_request(rctx, request_id=request_id, actor="dpo")
    assert {check(rctx, p, Channel.EMAIL) for p in (PURPOSE, OTHER_PURPOSE, SHARING)} == {
        "restricted"
    }
    assert check(rctx, "orders", Channel.EMAIL) == "restricted"


def test_rectification_replaces_the_identifier_with_an_event(rctx: Context) -> None:
    anna = person(rctx)
    request_id = verified(rctx, RequestKind.RECTIFICATION)
    corrected = "anna.bianchi@example.org"
    other = person(rctx, "someone@example.com")
    before = footprint(rctx)
    with pytest.raises(IdentifierTaken):
        fulfil_request(
            rctx, request_id=request_id, actor="dpo", identifiers=[email("someone@example.com")]
        )
    assert footprint(rctx) == before  # refused, nothing written
    assert get_request(rctx, request_id=request_id).status is RequestStatus.IN_PROGRESS
    fulfil_request(rctx, request_id=request_id, actor="dpo", identifiers=[email(corrected)])
    values = [i.value for i in get_subject(rctx, subject_id=anna.subject_id).identifiers]
    assert values == [corrected]
    assert find_subject(rctx, identifier=email(corrected)).subject.id == anna.subject_id
    assert check(rctx, PURPOSE, Channel.EMAIL, corrected) == "consent_given"
    assert check(rctx, PURPOSE, Channel.EMAIL, ANNA) == "unknown_subject"
    last = [
        e
        for e in subject_timeline(rctx, subject_id=anna.subject_id)
        if e.kind is EventKind.DATA_UPDATED
    ]
    assert len(last) == 1
    assert other.subject_id != anna.subject_id
    assert verify_ledger(rctx).ok


def _answer_link(ctx: Context) -> str:
    found = re.search(r"(/rights/answer/[A-Za-z0-9._~-]+)", newest_mail(ctx).decode())
    assert found is not None
    return found.group(1)


def test_the_access_answer_link_downloads_data_and_art_15_items_once(
    rctx: Context, api: TestClient
) -> None:
    anna = person(rctx)
    request_id = verified(rctx, RequestKind.ACCESS)
    fulfil_request(rctx, request_id=request_id, actor="dpo", outcome="Ecco i suoi dati")
    mail = newest_mail(rctx).decode()
    assert "Ecco i suoi dati" in mail
    assert ANNA not in mail.split("/rights/answer/")[1]  # no personal data in the URL
    link = _answer_link(rctx)
    page = api.get(link)
    assert page.status_code == 200
    assert "<form" in page.text  # a GET (a mail scanner) uses nothing
    got = api.post(link, data={"lang": "it"})
    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(got.content))
    assert sorted(archive.namelist()) == ["data.csv", "data.json", "information.json"]
    data = json.loads(archive.read("data.json"))
    assert data["subject"]["id"] == anna.subject_id
    assert [i["value"] for i in data["identifiers"]] == [ANNA]
    info = json.loads(archive.read("information.json"))
    bases = {p["purpose"]: p["legal_basis"] for p in info["purposes"]}
    assert bases[PURPOSE] == "consent"
    assert info["retention"][PURPOSE] > 0
    assert "recipients" in info
    assert {s["touchpoint"] for s in info["sources"]} >= {"web-all", DESK}
    rows = list(csv.reader(io.StringIO(archive.read("data.csv").decode())))
    assert ["identifier", "", "email", "", "", "", "", "", ANNA] in rows
    # Once only: the link, opened or posted again, is refused.
    assert api.post(link).status_code == 410
    assert api.get(link).status_code == 410


def test_the_access_answer_link_expires(rctx: Context, api: TestClient) -> None:
    person(rctx)
    request_id = verified(rctx, RequestKind.PORTABILITY)
    fulfil_request(rctx, request_id=request_id, actor="dpo")
    link = _answer_link(rctx)
    later = dataclasses.replace(rctx, clock=FixedClock(rctx.clock.now() + timedelta(days=15)))
    api.app.state.context = later  # type: ignore[attr-defined]
    assert api.get(link).status_code == 410
    assert api.post(link).status_code == 410
    api.app.state.context = rctx  # type: ignore[attr-defined]
    assert api.post(link).status_code == 200  # not used up by the refusals


def test_restriction_and_lift_over_http(rctx: Context, api: TestClient) -> None:
    person(rctx)
    request_id = verified(rctx, RequestKind.RESTRICTION)
    bad = api.post(f"/v1/requests/{request_id}/fulfilment", json={"purposes": ["nope"]})
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith(PROBLEM)
    done = api.post(f"/v1/requests/{request_id}/fulfilment", json={"purposes": [PURPOSE]})
    assert done.status_code == 200, done.text
    [hold] = done.json()["holds"]
    assert (hold["purpose"], hold["cause"], hold["lifted_at"]) == (PURPOSE, "restriction", None)
    assert check(rctx, PURPOSE, Channel.SMS) == "restricted"
    lifted = api.post(f"/v1/requests/{request_id}/restriction/lift", json={"reason": "Done"})
    assert lifted.status_code == 200, lifted.text
    assert lifted.json()[0]["lifted_at"] is not None
    assert check(rctx, PURPOSE, Channel.SMS) == "consent_given"
    again = api.post(f"/v1/requests/{request_id}/restriction/lift", json={})
    assert again.status_code == 409


def test_restriction_rectification_and_lift_from_the_command_line(rctx: Context) -> None:
    from tests.engage.server import env_for
    from typer.testing import CliRunner

    from trustguardian.cli.app import app

    env = {**env_for(rctx.settings), "TRUSTGUARDIAN_OUTBOX_DIR": str(rctx.settings.outbox_dir)}
    anna = person(rctx)
    restriction = verified(rctx, RequestKind.RESTRICTION)
    args = ["requests", "fulfil", restriction, "--purpose", PURPOSE, "--json"]
    done = CliRunner().invoke(app, args, env=env)
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["held"] == [PURPOSE]
    assert check(rctx, PURPOSE, Channel.EMAIL) == "restricted"
    lifted = CliRunner().invoke(app, ["requests", "lift", restriction, "--reason", "ok"], env=env)
    assert lifted.exit_code == 0, lifted.output
    assert check(rctx, PURPOSE, Channel.EMAIL) == "consent_given"
    rectification = verified(rctx, RequestKind.RECTIFICATION)
    fixed = "anna@example.org"
    args = ["requests", "fulfil", rectification, "--email", fixed]
    assert CliRunner().invoke(app, args, env=env).exit_code == 0
    assert [i.value for i in get_subject(rctx, subject_id=anna.subject_id).identifiers] == [fixed]
