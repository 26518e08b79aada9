"""The census rule on rights requests past their legal deadline (art. 12(3)), on both backends:
it fires on the Right touchpoint that took them and clears once they are answered."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from tests.census.helpers import MARIO, T0, UNSUBSCRIBE, WEB, at, clean_company, examine, rules
from tests.factories import add_touchpoint

from trustguardian.domain.complaints import ComplaintStatus
from trustguardian.domain.errors import Conflict
from trustguardian.domain.registry import Channel, TouchpointKind, TouchpointStatus
from trustguardian.domain.rights import RequestKind, RequestStatus
from trustguardian.domain.subjects import IdentifierKind
from trustguardian.service.context import Context
from trustguardian.service.events.identifiers import normalise
from trustguardian.service.registry.touchpoints import get_touchpoint, retire_touchpoint
from trustguardian.service.rights.complaints import open_complaint, update_complaint
from trustguardian.service.rights.fulfil import fulfil_request
from trustguardian.service.rights.requests import advance_request, submit_request
from trustguardian.service.rights.verification import extend_request

DESK = "privacy-desk"


@pytest.fixture
def company(ctx: Context, tmp_path: Path) -> Context:
    """The clean company (its Right touchpoint is the unsubscribe link), mail to a directory."""
    ctx.settings = ctx.settings.model_copy(update={"outbox_dir": tmp_path / "outbox"})
    return clean_company(ctx)


def request(ctx: Context, touchpoint: str = UNSUBSCRIBE) -> str:
    view = submit_request(
        ctx,
        kind=RequestKind.ACCESS,
        touchpoint=touchpoint,
        channel=Channel.EMAIL,
        identifiers=[normalise(IdentifierKind.EMAIL, MARIO)],
        details="Quali dati avete su di me?",
    )
    return view.id


def test_an_overdue_request_fires_on_its_touchpoint_and_clears_once_answered(
    company: Context,
) -> None:
    request_id = request(company)
    assert rules(examine(company)[UNSUBSCRIBE]) == {}  # a month to answer: nothing yet

    # Received 2 Nov 10:00 (Rome): due by the end of 2 Dec, Rome time.
    late = at(company, T0 + timedelta(days=31))
    results = examine(late)
    assert rules(results[UNSUBSCRIBE]) == {"overdue_requests": "high"}
    assert results[UNSUBSCRIBE].touchpoint.status is TouchpointStatus.EXAMINED
    [finding] = results[UNSUBSCRIBE].findings
    assert finding.target == "access"
    assert "1 access request(s) taken here are past the legal deadline" in finding.message
    assert "due on 2026-12-02" in finding.message
    assert rules(results[WEB]) == {}  # only the touchpoint that took it answers for it

    advance_request(late, request_id=request_id, to=RequestStatus.IN_PROGRESS, actor="dpo")
    fulfil_request(late, request_id=request_id, actor="dpo", outcome="Ecco i tuoi dati.")
    results = examine(late)
    assert rules(results[UNSUBSCRIBE]) == {}
    assert results[UNSUBSCRIBE].touchpoint.status is TouchpointStatus.EXAMINED  # awaits sign-off


def test_an_extension_moves_the_deadline_two_months_on(company: Context) -> None:
    request_id = request(company)
    advance_request(company, request_id=request_id, to=RequestStatus.IN_PROGRESS, actor="dpo")
    extend_request(company, request_id=request_id, reason="Many archives to search.", actor="dpo")
    assert rules(examine(at(company, T0 + timedelta(days=40)))[UNSUBSCRIBE]) == {}

    results = examine(at(company, T0 + timedelta(days=95)))
    assert rules(results[UNSUBSCRIBE]) == {"overdue_requests": "high"}
    assert "due on 2027-02-02" in results[UNSUBSCRIBE].findings[0].message


def test_a_rejected_request_is_not_overdue(company: Context) -> None:
    request_id = request(company)
    advance_request(
        company,
        request_id=request_id,
        to=RequestStatus.REJECTED,
        actor="dpo",
        outcome="We could not verify who you are.",
    )
    assert rules(examine(at(company, T0 + timedelta(days=60)))[UNSUBSCRIBE]) == {}


def test_a_touchpoint_with_open_cases_cannot_be_retired(company: Context) -> None:
    """Steps are recorded at the touchpoint that took the request, so retiring it would leave
    the request with nowhere to be answered."""
    add_touchpoint(
        company, DESK, name="Privacy desk", kind=TouchpointKind.RIGHT, channel=Channel.OTHER
    )
    request_id = request(company, DESK)
    with pytest.raises(Conflict, match="1 open rights request"):
        retire_touchpoint(company, key=DESK)
    assert get_touchpoint(company, key=DESK).status is TouchpointStatus.CENSUSED

    advance_request(company, request_id=request_id, to=RequestStatus.IN_PROGRESS, actor="dpo")
    fulfil_request(company, request_id=request_id, actor="dpo")
    case = open_complaint(
        company,
        touchpoint=DESK,
        channel=Channel.OTHER,
        summary="Mi chiamate ancora.",
        actor="dpo",
        identifiers=[normalise(IdentifierKind.EMAIL, MARIO)],
    )
    with pytest.raises(Conflict, match="1 open complaint"):
        retire_touchpoint(company, key=DESK)

    update_complaint(
        company,
        complaint_id=case.id,
        actor="dpo",
        status=ComplaintStatus.CLOSED,
        outcome="Numero rimosso.",
    )
    assert retire_touchpoint(company, key=DESK).status is TouchpointStatus.RETIRED
