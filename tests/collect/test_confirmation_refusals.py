"""Tampered, expired and reused confirmation links are refused, say so, and change nothing;
a sign-up nobody confirmed records nothing and reads expired after its deadline."""

from __future__ import annotations

import base64
import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.collect.helpers import (
    SHOP,
    events_count,
    mailed_link,
    publishable,
    recorded_rows,
    setup_collect,
    status_of,
    subject_of,
    submission,
    with_clock,
)

from trustguardian.asgi import create_app
from trustguardian.domain.collect import Confirmation
from trustguardian.service.collect.confirmations import request_for_events
from trustguardian.service.context import Context
from trustguardian.service.verify.full import verify_ledger

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def signed_up(ctx: Context, tmp_path: Path) -> tuple[Context, TestClient, str, str]:
    """Anna signed up on a double opt-in form a moment ago: (ctx, client, token, event id)."""
    setup_collect(ctx, Confirmation.DOUBLE_OPT_IN, within_minutes=60)
    key = publishable(ctx)
    settings = ctx.settings.model_copy(update={"outbox_dir": tmp_path / "outbox"})
    live = dataclasses.replace(with_clock(ctx, NOW), settings=settings)
    client = TestClient(create_app(live), client=("198.51.100.7", 40000))
    answer = client.post(f"/sdk/v1/{key}/consents", json=submission(), headers={"Origin": SHOP})
    assert answer.status_code == 201, answer.text
    event = answer.json()["events"][0]
    assert recorded_rows(ctx)[:2] == (0, 0)  # nothing recorded until she confirms
    return live, client, mailed_link(tmp_path / "outbox"), event["id"]


def tamper_payload(token: str) -> str:
    head, mac = token.split(".")
    claims = base64.urlsafe_b64decode(head + "==").replace(b'"cnf_', b'"cnf_0')
    return base64.urlsafe_b64encode(claims).rstrip(b"=").decode() + "." + mac


def tamper_signature(token: str) -> str:
    head, mac = token.split(".")
    return head + "." + ("A" if mac[0] != "A" else "B") + mac[1:]


@pytest.mark.parametrize("tamper", [tamper_payload, tamper_signature])
def test_a_tampered_link_is_refused_and_changes_nothing(
    signed_up: tuple[Context, TestClient, str, str], tamper: object
) -> None:
    live, client, token, event_id = signed_up
    assert callable(tamper)
    bad = tamper(token)
    before = recorded_rows(live)
    for answer in (client.get(f"/confirm/{bad}"), client.post(f"/confirm/{bad}")):
        assert answer.status_code == 400
        assert "alterato" in answer.text
    assert client.post(f"/confirm/{bad}?lang=en").text.count("altered") == 1
    assert recorded_rows(live) == before
    assert events_count(live) == 0
    # The genuine link still works afterwards.
    assert client.post(f"/confirm/{token}").status_code == 200
    assert status_of(live, subject_of(live, event_id)) == {"given"}


def test_an_expired_link_is_refused_and_records_nothing(
    signed_up: tuple[Context, TestClient, str, str],
) -> None:
    live, client, token, event_id = signed_up
    assert isinstance(live.clock.now(), datetime)
    live.clock.moment = NOW + timedelta(minutes=60)  # type: ignore[attr-defined]
    before = recorded_rows(live)
    assert client.get(f"/confirm/{token}").status_code == 410
    answer = client.post(f"/confirm/{token}")
    assert answer.status_code == 410
    assert "scaduto" in answer.text
    # Never confirmed: no subject, no identifier, no leaf, and the request reads expired.
    assert recorded_rows(live) == before
    assert before[:2] == (0, 0)
    assert events_count(live) == 0
    request = request_for_events(live, event_ids=[event_id])
    assert request is not None
    assert (request.status_at(live.clock.now()), request.subject_id) == ("expired", None)
    # The next sign-up purges the expired intake's sealed submission: the link stays dead.
    with live.uow() as uow:
        assert uow.signups.purge(live.clock.now(), live.clock.now()) == 1
        uow.commit()
    assert client.post(f"/confirm/{token}").status_code == 410
    assert request_for_events(live, event_ids=[event_id]) is None
    assert verify_ledger(live).problems == []


def test_a_reused_link_is_refused_and_records_nothing_more(
    signed_up: tuple[Context, TestClient, str, str],
) -> None:
    live, client, token, event_id = signed_up
    assert client.post(f"/confirm/{token}").status_code == 200
    subject = subject_of(live, event_id)
    after_first = events_count(live)
    for answer in (client.get(f"/confirm/{token}"), client.post(f"/confirm/{token}?lang=en")):
        assert answer.status_code == 410
    assert "used already" in client.post(f"/confirm/{token}?lang=en").text
    assert events_count(live) == after_first
    assert status_of(live, subject) == {"given"}


def test_a_message_that_cannot_be_sent_records_nothing_and_says_so(
    ctx: Context,
) -> None:
    setup_collect(ctx, Confirmation.DOUBLE_OPT_IN)
    key = publishable(ctx)
    settings = ctx.settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": 1})
    client = TestClient(create_app(dataclasses.replace(ctx, settings=settings)))
    answer = client.post(f"/sdk/v1/{key}/consents", json=submission(), headers={"Origin": SHOP})
    assert answer.status_code == 201, answer.text
    confirmation = answer.json()["confirmation"]
    assert confirmation["sent"] is False
    with ctx.uow(write=False) as uow:
        request = uow.collect.confirmation(confirmation["id"])
    assert request is not None
    assert request.status == "failed"
    assert request.send_error is not None
    assert "SMTP" in request.send_error
    assert request.subject_id is None
    assert recorded_rows(ctx)[:2] == (0, 0)
