"""Complaints with effect, on SQLite and PostgreSQL: a deadline per kind, a complaint about a
contact holds that channel until closed, open complaints raise the touchpoint's risk in the
census, the public intake on the rights page."""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from tests.census.helpers import examine, rules
from tests.factories.events import ENGAGE_TP, footprint, make_draft, record

from trustguardian.domain.common import FixedClock
from trustguardian.domain.complaints import ComplaintKind, ComplaintStatus
from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import Channel
from trustguardian.domain.rights import ROME
from trustguardian.service.context import Context
from trustguardian.service.rights.complaints import (
    list_complaints,
    open_complaint,
    update_complaint,
)

from .helpers import ANNA, DESK, PURPOSE, check, person

SHOP = ENGAGE_TP  # the newsletter: its contacts are complained about


def _contact(ctx: Context, subject_id: str, channel: Channel = Channel.SMS) -> str:
    [made] = record(
        ctx,
        make_draft(
            kind=EventKind.CONTACT_MADE,
            touchpoint=SHOP,
            subject_id=subject_id,
            identifiers=(),
            purpose=PURPOSE,
            channels=(channel,),
        ),
    )
    return made.id


def _day(moment: datetime) -> str:
    return moment.astimezone(ROME).date().isoformat()


def test_each_kind_of_complaint_has_its_deadline(rctx: Context) -> None:
    anna = person(rctx)
    received = rctx.clock.now()
    dues = {}
    for kind in ComplaintKind:
        case = open_complaint(
            rctx,
            touchpoint=DESK,
            channel=Channel.EMAIL,
            summary=f"about {kind.value}",
            actor="operator",
            subject_id=anna.subject_id,
            kind=kind,
            contact_channel=Channel.LETTER if kind is ComplaintKind.CONTACT else None,
        )
        assert case.kind == kind.value
        assert case.due_at is not None
        dues[kind] = (case.due_at - received).days
    assert dues[ComplaintKind.CONTACT] < dues[ComplaintKind.REQUEST] < dues[ComplaintKind.OTHER]
    assert 14 <= dues[ComplaintKind.CONTACT] <= 15


def test_a_complaint_about_a_contact_holds_its_channel_until_closed(rctx: Context) -> None:
    anna = person(rctx, phone="+39 333 765 4321")
    contact = _contact(rctx, anna.subject_id, Channel.SMS)
    assert check(rctx, PURPOSE, Channel.SMS) == "consent_given"
    case = open_complaint(
        rctx,
        touchpoint=DESK,
        channel=Channel.PHONE,
        summary="Mi avete mandato un SMS che non volevo",
        actor="operator",
        about_event_id=contact,
    )
    assert case.kind == "contact"  # named a contact: its kind follows
    assert check(rctx, PURPOSE, Channel.SMS) == "complaint_open"
    assert check(rctx, PURPOSE, Channel.EMAIL) == "consent_given"  # only that channel
    update_complaint(
        rctx, complaint_id=case.id, actor="legal", status=ComplaintStatus.INVESTIGATING
    )
    assert check(rctx, PURPOSE, Channel.SMS) == "complaint_open"
    update_complaint(
        rctx,
        complaint_id=case.id,
        actor="legal",
        status=ComplaintStatus.CLOSED,
        outcome="Numero rimosso dalla campagna",
    )
    assert check(rctx, PURPOSE, Channel.SMS) == "consent_given"


def test_open_complaints_raise_the_touchpoint_risk_until_closed(rctx: Context) -> None:
    anna = person(rctx)
    contact = _contact(rctx, anna.subject_id, Channel.EMAIL)
    assert "open_complaints" not in rules(examine(rctx)[SHOP])
    case = open_complaint(
        rctx,
        touchpoint=DESK,
        channel=Channel.EMAIL,
        summary="Spam",
        actor="operator",
        about_event_id=contact,
    )
    assert rules(examine(rctx)[SHOP])["open_complaints"] == "medium"
    assert "open_complaints" not in rules(examine(rctx)[DESK])  # about the shop, not the desk
    late = dataclasses.replace(rctx, clock=FixedClock(rctx.clock.now() + timedelta(days=16)))
    assert rules(examine(late)[SHOP])["open_complaints"] == "high"  # past its deadline
    update_complaint(
        rctx, complaint_id=case.id, actor="legal", status=ComplaintStatus.CLOSED, outcome="Done"
    )
    assert "open_complaints" not in rules(examine(late)[SHOP])


def _form_token(page: str, action: str) -> str:
    form = page.split(f'action="{action}"', 1)[1]
    found = re.search(r'name="form_token" value="([^"]+)"', form)
    assert found is not None
    return found.group(1)


def test_the_rights_page_takes_complaints_from_known_people_only(
    rctx: Context, api: TestClient
) -> None:
    anna = person(rctx)
    public = TestClient(api.app)
    page = public.get("/rights")
    assert 'action="/rights/complaint"' in page.text
    form = {
        "form_token": _form_token(page.text, "/rights/complaint"),
        "kind": "contact",
        "contact_channel": "email",
        "contact": ANNA,
        "summary": "Ricevo mail che non ho chiesto",
    }
    sent = public.post("/rights/complaint", data=form)
    assert sent.status_code == 200, sent.text
    [case] = list_complaints(rctx, subject_id=anna.subject_id).items
    assert (case.kind, case.touchpoint, case.channel) == ("contact", DESK, "web_form")
    assert check(rctx, PURPOSE, Channel.EMAIL) == "complaint_open"
    again = public.post("/rights/complaint", data=form)  # the same form token, replayed
    assert again.status_code == 400
    # A stranger's address: the same answer, and nothing written.
    before = footprint(rctx)
    stranger = {
        **form,
        "form_token": _form_token(public.get("/rights").text, "/rights/complaint"),
        "contact": "nobody@example.net",
    }
    answer = public.post("/rights/complaint", data=stranger)
    assert answer.status_code == 200
    assert answer.text.count('<p role="status">') == sent.text.count('<p role="status">')
    assert {k: v for k, v in footprint(rctx).items() if k != "link_tokens"} == {
        k: v for k, v in before.items() if k != "link_tokens"
    }
    # Bad input: 422, nothing written, the form token still good.
    before = footprint(rctx)
    token = _form_token(public.get("/rights").text, "/rights/complaint")
    bad = public.post("/rights/complaint", data={**form, "form_token": token, "summary": " "})
    assert bad.status_code == 422
    no_channel = {**form, "form_token": token, "contact_channel": ""}
    assert public.post("/rights/complaint", data=no_channel).status_code == 422
    assert footprint(rctx) == before
    other = {**form, "form_token": token, "kind": "data", "contact_channel": ""}
    assert public.post("/rights/complaint", data=other).status_code == 200
    assert len(list_complaints(rctx, subject_id=anna.subject_id).items) == 2
