"""Issue 22's acceptance: anonymous double opt-in and OTP sign-ups to addresses nobody confirms
leave no subject, no identifier and no ledger leaf, and send at most the capped number of
messages per recipient (a real SMTP server, a real SMS gateway); a confirmed one records
exactly one subject with the events and their proof, and the ledger verifies."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from tests.collect.helpers import (
    LEGACY,
    NEWSLETTER,
    SHOP,
    TP,
    events_count,
    publishable,
    recorded_rows,
    setup_collect,
    sms_gateway,
    smtp_server,
    status_of,
    subject_of,
    submission,
    with_clock,
)
from tests.factories.api import assert_problem

from trustguardian.asgi import create_app
from trustguardian.domain.access import Scope
from trustguardian.domain.collect import Confirmation
from trustguardian.service.access.api_keys import create_api_key
from trustguardian.service.collect.proofs import read_proof
from trustguardian.service.context import Context
from trustguardian.service.verify.full import verify_ledger

NOW = datetime.now(UTC).replace(microsecond=0)
CODE = re.compile(r"\b(\d{6})\b")
LINK = re.compile(r"/confirm/([A-Za-z0-9_.-]+)")
# Twenty sign-ups by a stranger, spread over four addresses: five each, above the cap of three.
ADDRESSES = [f"victim{n}@example.com" for n in range(4)]
PHONES = [f"+39333123456{n}" for n in range(4)]


@dataclass(frozen=True)
class Messenger:
    """How sign-ups are confirmed in one run: the method, a real server that takes the
    messages, the settings pointing at it, and who each message went to."""

    confirmation: Confirmation
    within_minutes: int
    server: Callable[[], AbstractContextManager[tuple[Any, Any]]]
    settings: Callable[[Any], dict[str, Any]]
    identifiers: Callable[[int], list[dict[str, str]]]
    messages: Callable[[Any], list[Any]]
    recipient: Callable[[Any], object]


def _sms_settings(url: str) -> dict[str, Any]:
    return {
        "sms_gateway_url": url,
        "sms_gateway_authorization": SecretStr("Bearer gw"),
        "outbound_allow_hosts": "127.0.0.1",
    }


DOI = Messenger(
    Confirmation.DOUBLE_OPT_IN,
    60,
    smtp_server,
    lambda port: {"smtp_host": "127.0.0.1", "smtp_port": port, "mail_from": "p@shop.example"},
    lambda n: [{"kind": "email", "value": ADDRESSES[n % 4]}],
    lambda inbox: list(inbox.messages),
    lambda message: tuple(message.rcpt_tos),
)
OTP = Messenger(
    Confirmation.OTP_SMS,
    10,
    sms_gateway,
    _sms_settings,
    lambda n: [{"kind": "phone", "value": PHONES[n % 4]}],
    lambda sent: list(sent),
    lambda message: message["body"]["to"],
)


@pytest.mark.parametrize("messenger", [DOI, OTP], ids=["doi", "otp"])
def test_twenty_unconfirmed_sign_ups_record_nothing_and_send_at_most_the_cap(
    ctx: Context, messenger: Messenger
) -> None:
    setup_collect(ctx, messenger.confirmation, within_minutes=messenger.within_minutes)
    key = publishable(ctx, rate=1000)
    before = recorded_rows(ctx)
    with messenger.server() as (kept, where):
        settings = ctx.settings.model_copy(update=messenger.settings(where))
        live = dataclasses.replace(with_clock(ctx, NOW), settings=settings)
        client = TestClient(create_app(live), client=("203.0.113.50", 40000))
        answers = [
            client.post(
                f"/sdk/v1/{key}/consents",
                json=submission(
                    identifiers=messenger.identifiers(n), submission_id=f"stranger-{n:02d}"
                ),
                headers={"Origin": SHOP},
            )
            for n in range(20)
        ]
        assert Counter(a.status_code for a in answers) == {201: 12, 429: 8}
        for answer in answers:
            if answer.status_code == 429:
                assert_problem(answer, 429, "too-many-requests")
                assert int(answer.headers["Retry-After"]) == 3600
        messages = messenger.messages(kept)
        per_recipient = Counter(messenger.recipient(m) for m in messages)
        assert max(per_recipient.values()) == live.settings.confirmation_messages_per_hour == 3
        assert sum(per_recipient.values()) == 12
        first = next(a.json() for a in answers if a.status_code == 201)
        if messenger is DOI:
            _nobody_clicks(live, client, kept)
        else:
            _no_right_code_in_time(live, client, key, first, messages)
    assert recorded_rows(ctx) == before
    assert before[:2] == (0, 0)
    assert events_count(ctx) == 0


def _nobody_clicks(live: Context, client: TestClient, inbox: Any) -> None:
    """An hour later every link is dead."""
    live.clock.moment = NOW + timedelta(minutes=61)  # type: ignore[attr-defined]
    token = LINK.search(inbox.text(0))
    assert token is not None
    assert client.post(f"/confirm/{token.group(1)}").status_code == 410


def _no_right_code_in_time(
    live: Context, client: TestClient, key: str, first: dict[str, Any], sent: list[Any]
) -> None:
    """A wrong code writes nothing (its attempt is counted on the intake alone); past its ten
    minutes, even the right code takes nothing in."""
    confirmation = first["confirmation"]["id"]
    wrong = client.post(
        f"/sdk/v1/{key}/code",
        json={"confirmation_id": confirmation, "code": "000000"},
        headers={"Origin": SHOP},
    )
    found = CODE.search(sent[0]["body"]["text"])
    assert found is not None
    if found.group(1) != "000000":
        assert_problem(wrong, 422, "wrong-code")
    live.clock.moment = NOW + timedelta(minutes=10)  # type: ignore[attr-defined]
    late = client.post(
        f"/sdk/v1/{key}/code",
        json={"confirmation_id": confirmation, "code": found.group(1)},
        headers={"Origin": SHOP},
    )
    assert_problem(late, 403, "invalid-token")
    assert "expired" in late.json()["detail"]


def test_a_confirmed_sign_up_records_one_subject_with_its_events_and_proofs(
    ctx: Context,
) -> None:
    setup_collect(ctx, Confirmation.OTP_SMS, within_minutes=10)
    key = publishable(ctx)
    before = recorded_rows(ctx)
    with sms_gateway() as (sent, url):
        settings = ctx.settings.model_copy(update=_sms_settings(url))
        live = dataclasses.replace(with_clock(ctx, NOW), settings=settings)
        client = TestClient(create_app(live), client=("203.0.113.52", 40000))
        body = submission(identifiers=[{"kind": "phone", "value": PHONES[0]}])
        signed = client.post(f"/sdk/v1/{key}/consents", json=body, headers={"Origin": SHOP})
        assert signed.status_code == 201, signed.text
        # The same submission sent again is the same intake: no second message.
        again = client.post(f"/sdk/v1/{key}/consents", json=body, headers={"Origin": SHOP})
        assert again.json() == signed.json()
        assert len(sent) == 1
        promised = {e["purpose"]: e for e in signed.json()["events"]}
        # The form's back end follows it by the promised id; another touchpoint's key finds none.
        for touchpoint, expected in ((TP, 200), (LEGACY, 404)):
            _, token = create_api_key(
                live,
                name=f"reader {touchpoint}",
                scopes=[Scope.EVENTS_READ],
                touchpoint_key=touchpoint,
            )
            status = client.get(
                f"/v1/events/{promised[NEWSLETTER]['id']}/confirmation",
                headers={"Authorization": f"Bearer {token}"},
            )
            assert status.status_code == expected, status.text
        before = recorded_rows(ctx)  # the keys are leaves of their own; still nobody recorded
        assert before[:2] == (0, 0)
        found = CODE.search(sent[0]["body"]["text"])
        assert found is not None
        live.clock.moment = NOW + timedelta(minutes=3)  # type: ignore[attr-defined]
        done = client.post(
            f"/sdk/v1/{key}/code",
            json={"confirmation_id": signed.json()["confirmation"]["id"], "code": found.group(1)},
            headers={"Origin": SHOP, "User-Agent": "Phone/1"},
        )
        assert done.status_code == 201, done.text
        (confirmed,) = done.json()["confirmed"]
    # One subject, one identifier, three leaves: the two boxes as sent and the confirmation.
    assert recorded_rows(ctx) == (1, 1, before[2] + 3)
    subject = subject_of(ctx, promised[NEWSLETTER]["id"])
    assert subject_of(ctx, promised["profiling"]["id"]) == subject
    assert status_of(ctx, subject) == {"given"}
    assert status_of(ctx, subject, "profiling") == {"refused"}
    with ctx.uow(write=False) as uow:
        events = {e.id: e for e in uow.events.for_subject(subject)}
    given = events[promised[NEWSLETTER]["id"]]
    assert given.occurred_at == NOW  # dated when the form was sent, not when confirmed
    assert {p.type.value for p in given.proofs} >= {"form_snapshot", "network", "notice_shown"}
    assert given.confirm_by == NOW + timedelta(minutes=10)
    otp = events[confirmed["id"]]
    assert (otp.confirms, otp.occurred_at) == (given.id, NOW + timedelta(minutes=3))
    proof = read_proof(ctx, event_id=otp.id, position=0).content
    assert (proof["type"], proof["address"], proof["confirming_ip"]) == (
        "otp",
        PHONES[0],
        "203.0.113.52",
    )
    report = verify_ledger(ctx)
    assert report.problems == [], report.problems
