"""Double opt-in and OTP proofs are this instance's: never taken from a client on a touchpoint
that confirms consents, cancelled by a later withdrawal, and never a mail cannon."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.collect.helpers import (
    NEWSLETTER,
    SHOP,
    TP,
    events_count,
    mailed_link,
    publishable,
    setup_collect,
    status_of,
)
from tests.collect.helpers import submission as signup
from tests.factories.api import assert_problem

from trustguardian.asgi import create_app
from trustguardian.domain.access import Scope
from trustguardian.domain.collect import Confirmation
from trustguardian.domain.common import FixedClock
from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import Channel
from trustguardian.domain.subjects import Identifier, IdentifierKind
from trustguardian.service.access.api_keys import create_api_key
from trustguardian.service.context import Context
from trustguardian.service.events.recording import record_events
from trustguardian.service.events.validate import EventDraft
from trustguardian.service.verify.full import verify_ledger
from trustguardian.store import tables as t

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def live(ctx: Context, tmp_path: Path) -> Context:
    setup_collect(ctx, Confirmation.DOUBLE_OPT_IN, within_minutes=60)
    settings = ctx.settings.model_copy(update={"outbox_dir": tmp_path / "outbox"})
    return dataclasses.replace(ctx, settings=settings, clock=FixedClock(NOW))


def _event(kind: str, proofs: list[dict[str, object]]) -> dict[str, object]:
    return {
        "kind": kind,
        "touchpoint": TP,
        "identifiers": [{"kind": "email", "value": "anna.bianchi@example.com"}],
        "purpose": NEWSLETTER,
        "channels": ["email"],
        "occurred_at": (NOW - timedelta(minutes=1)).isoformat(),
        "proofs": proofs,
    }


def test_a_self_sent_confirmation_proof_is_refused_and_writes_nothing(live: Context) -> None:
    _, admin = create_api_key(live, name="dpo", scopes=[Scope.ADMIN])
    client = TestClient(create_app(live), headers={"Authorization": f"Bearer {admin}"})
    before = events_count(live)
    # Well-formed claims of a confirmation that this instance never witnessed.
    claimed = {
        "type": "double_opt_in",
        "address": "anna.bianchi@example.com",
        "sent_at": (NOW - timedelta(minutes=3)).isoformat(),
        "confirmed_at": (NOW - timedelta(minutes=2)).isoformat(),
        "confirming_ip": "198.51.100.7",
        "confirming_user_agent": "Browser/1.0",
    }
    code = {key: value for key, value in claimed.items() if not key.startswith("confirming_")}
    for body in (
        _event("consent.given", [claimed]),
        _event("consent.confirmed", [claimed]),
        _event("consent.given", [{**code, "type": "otp"}]),
    ):
        answer = client.post("/v1/events", json=body)
        assert answer.status_code == 422, answer.text
        said = [e["msg"] for e in answer.json()["errors"] if e["loc"] == "events.0.proofs"]
        assert any("recorded only when the person confirms" in m for m in said), said
    assert events_count(live) == before
    assert not (live.settings.outbox_dir / "mail").exists()


@pytest.mark.parametrize("dated", [timedelta(0), -timedelta(days=1)], ids=["now", "late-paper"])
def test_a_withdrawal_cancels_the_pending_confirmation_and_its_link(
    live: Context, tmp_path: Path, dated: timedelta
) -> None:
    """Recorded after the sign-up, whether dated now or (a late paper form) the day before."""
    client = TestClient(create_app(live), client=("198.51.100.7", 40000))
    key = publishable(live)
    answer = client.post(f"/sdk/v1/{key}/consents", json=signup(), headers={"Origin": SHOP})
    assert answer.status_code == 201, answer.text
    token = mailed_link(tmp_path / "outbox")
    assert events_count(live) == 0  # the sign-up waits, unrecorded, for her click
    # She withdraws by another way (her e-mail, at the touchpoint) before clicking.
    [withdrawn] = record_events(
        live,
        drafts=[
            EventDraft(
                kind=EventKind.CONSENT_WITHDRAWN,
                touchpoint=TP,
                occurred_at=NOW + dated,
                identifiers=(Identifier(IdentifierKind.EMAIL, "anna.bianchi@example.com"),),
                purpose=NEWSLETTER,
                channels=(Channel.EMAIL,),
                fingerprint="withdrawn-after-signup",
            )
        ],
    )
    subject_id = withdrawn.event.subject_id
    assert status_of(live, subject_id) == {"withdrawn"}
    before = events_count(live)
    live.clock.moment = NOW + timedelta(minutes=5)  # type: ignore[attr-defined]
    clicked = client.post(f"/confirm/{token}")
    assert clicked.status_code == 410
    assert "annullata" in clicked.text
    assert events_count(live) == before
    assert status_of(live, subject_id) == {"withdrawn"}
    assert verify_ledger(live, evidence=False).ok


def test_the_fourth_sign_up_within_an_hour_gets_429_and_no_mail(
    live: Context, tmp_path: Path
) -> None:
    client = TestClient(create_app(live), client=("198.51.100.7", 40000))
    key = publishable(live, rate=100)
    for n in range(5):
        body = signup(submission_id=f"attempt-{n}")
        answer = client.post(f"/sdk/v1/{key}/consents", json=body, headers={"Origin": SHOP})
        if n < 3:
            assert answer.status_code == 201, answer.text
            assert answer.json()["events"][0]["status"] == "pending_confirmation"
        else:  # over the cap: refused, nothing kept, and when to try again
            assert_problem(answer, 429, "too-many-requests")
            assert answer.headers["Retry-After"] == "3600"
            assert answer.headers["Access-Control-Allow-Origin"] == SHOP
    mails = sorted((tmp_path / "outbox" / "mail").glob("*.eml"))
    assert len(mails) == live.settings.confirmation_messages_per_hour == 3
    with live.engine.connect() as conn:
        assert len(conn.execute(select(t.confirmations.c.id)).all()) == 3
    # An hour later, the next sign-up is mailed again.
    live.clock.moment = NOW + timedelta(hours=1, minutes=1)  # type: ignore[attr-defined]
    body = signup(submission_id="attempt-later")
    answer = client.post(f"/sdk/v1/{key}/consents", json=body, headers={"Origin": SHOP})
    assert answer.status_code == 201, answer.text
    assert len(sorted((tmp_path / "outbox" / "mail").glob("*.eml"))) == 4


def test_sign_ups_past_the_daily_cap_get_429_without_a_mail(live: Context, tmp_path: Path) -> None:
    """Three an hour, ten a day: hour after hour, one address gets no more than ten mails, and
    every sign-up past the caps is refused with when to try again, keeping nothing."""
    client = TestClient(create_app(live), client=("198.51.100.7", 40000))
    key = publishable(live, rate=1000)
    refused = []
    for hour in range(5):
        live.clock.moment = NOW + timedelta(minutes=61 * hour)  # type: ignore[attr-defined]
        for n in range(3):
            body = signup(submission_id=f"attempt-{hour}-{n}")
            answer = client.post(f"/sdk/v1/{key}/consents", json=body, headers={"Origin": SHOP})
            if answer.status_code == 429:
                refused.append(int(answer.headers["Retry-After"]))
            else:
                assert answer.status_code == 201, answer.text
    mails = sorted((tmp_path / "outbox" / "mail").glob("*.eml"))
    assert len(mails) == live.settings.confirmation_messages_per_day == 10
    assert len(refused) == 5
    # The last refusal waits for the first mail of the day to leave the window.
    assert refused[-1] == int(timedelta(days=1).total_seconds()) - 61 * 4 * 60
    with live.engine.connect() as conn:
        assert len(conn.execute(select(t.confirmations.c.id)).all()) == 10
    assert events_count(live) == 0
