"""One-time codes by SMS (a real HTTP gateway) and by e-mail: kept as keyed hashes, limited in
attempts and time; wrong codes and brute force are refused and leave the consent as it was."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select
from tests.collect.helpers import (
    SHOP,
    publishable,
    recorded_rows,
    setup_collect,
    sms_gateway,
    status_of,
    subject_of,
    submission,
    with_clock,
)
from tests.factories.api import assert_problem

from trustguardian.asgi import create_app
from trustguardian.domain.collect import Confirmation
from trustguardian.service.collect.admin import create_publishable_key
from trustguardian.service.collect.proofs import read_proof
from trustguardian.service.context import Context
from trustguardian.store import tables as t

NOW = datetime.now(UTC).replace(microsecond=0)
PHONE = "+393331234567"
CODE = re.compile(r"\b(\d{6})\b")


@dataclasses.dataclass
class Otp:
    ctx: Context
    client: TestClient
    key: str
    sent: list[dict[str, Any]]

    def sign_up(self, phone: str = PHONE) -> dict[str, Any]:
        body = submission(identifiers=[{"kind": "phone", "value": phone}])
        body["submission_id"] = "sub-" + phone.strip("+")
        answer = self.client.post(
            f"/sdk/v1/{self.key}/consents", json=body, headers={"Origin": SHOP}
        )
        assert answer.status_code == 201, answer.text
        result: dict[str, Any] = answer.json()
        return result

    def code_sent(self, n: int = -1) -> str:
        found = CODE.search(self.sent[n]["body"]["text"])
        assert found
        return found.group(1)

    def enter(self, confirmation_id: str, code: str, key: str | None = None) -> Any:
        return self.client.post(
            f"/sdk/v1/{key or self.key}/code",
            json={"confirmation_id": confirmation_id, "code": code},
            headers={"Origin": SHOP, "User-Agent": "PhoneBrowser/3"},
        )

    def subject(self, event_id: str) -> str:
        return subject_of(self.ctx, event_id)

    def confirmed_events(self) -> int:
        with self.ctx.engine.connect() as conn:
            rows = conn.execute(select(t.events.c.id).where(t.events.c.kind == "consent.confirmed"))
            return len(rows.all())


@pytest.fixture
def otp(ctx: Context) -> Iterator[Otp]:
    setup_collect(ctx, Confirmation.OTP_SMS, max_attempts=5, within_minutes=10)
    key = publishable(ctx)
    with sms_gateway() as (sent, url):
        settings = ctx.settings.model_copy(
            update={
                "sms_gateway_url": url,
                "sms_gateway_authorization": SecretStr("Bearer gw-secret"),
                "outbound_allow_hosts": "127.0.0.1",  # the gateway listens on loopback
            }
        )
        live = dataclasses.replace(with_clock(ctx, NOW), settings=settings)
        client = TestClient(create_app(live), client=("203.0.113.9", 50000))
        yield Otp(live, client, key, sent)


def test_the_right_code_confirms_with_an_otp_proof(otp: Otp) -> None:
    body = otp.sign_up()
    confirmation = body["confirmation"]
    assert confirmation["method"] == "otp_sms"
    assert body["events"][0]["status"] == "pending_confirmation"
    assert otp.sent[0]["auth"] == "Bearer gw-secret"
    assert otp.sent[0]["body"]["to"] == PHONE
    before = recorded_rows(otp.ctx)  # nothing is recorded before the code comes back
    assert before[:2] == (0, 0)
    code = otp.code_sent()
    # Kept only as a keyed hash: the code appears nowhere in the database.
    with otp.ctx.engine.connect() as conn:
        row = conn.execute(select(t.confirmations)).one()
    assert code not in repr(tuple(row))
    assert len(row.code_mac) == 64
    answer = otp.enter(confirmation["id"], code)
    assert answer.status_code == 201, answer.text
    (confirmed,) = answer.json()["confirmed"]
    assert confirmed["kind"] == "consent.confirmed"
    subject = otp.subject(body["events"][0]["id"])  # the id given out at the sign-up
    assert status_of(otp.ctx, subject) == {"given"}
    # One subject, its phone, and three leaves: the two boxes and the confirmation.
    assert recorded_rows(otp.ctx) == (1, 1, before[2] + 3)
    proof = read_proof(otp.ctx, event_id=confirmed["id"], position=0).content
    assert proof["type"] == "otp"
    assert proof["address"] == PHONE
    assert proof["confirming_ip"] == "203.0.113.9"
    assert proof["confirming_user_agent"] == "PhoneBrowser/3"
    assert proof["attempts"] == 1
    assert proof["sent_by"] == "sms"
    # Used: the same code again is refused.
    assert_problem(otp.enter(confirmation["id"], code), 403, "invalid-token")
    assert otp.confirmed_events() == 1


def test_a_wrong_code_is_refused_and_counts_an_attempt(otp: Otp) -> None:
    body = otp.sign_up()
    cid = body["confirmation"]["id"]
    before = recorded_rows(otp.ctx)
    wrong = f"{(int(otp.code_sent()) + 1) % 10**6:06d}"
    problem = assert_problem(otp.enter(cid, wrong), 422, "wrong-code")
    assert "4 attempt(s) left" in problem["detail"]
    assert recorded_rows(otp.ctx) == before
    assert otp.confirmed_events() == 0
    # Malformed codes count too, and are refused the same way.
    assert_problem(otp.enter(cid, "12ab56"), 422, "wrong-code")
    assert otp.enter(cid, otp.code_sent()).status_code == 201


def test_brute_force_past_the_limit_is_refused_even_with_the_right_code(otp: Otp) -> None:
    body = otp.sign_up()
    cid = body["confirmation"]["id"]
    before = recorded_rows(otp.ctx)
    right = otp.code_sent()
    guesses = [f"{n:06d}" for n in range(100) if f"{n:06d}" != right][:20]
    answers = [otp.enter(cid, guess) for guess in guesses]
    assert [a.status_code for a in answers[:5]] == [422] * 5
    for answer in answers[5:]:
        assert_problem(answer, 403, "invalid-token")
        assert "Too many wrong codes" in answer.json()["detail"]
    assert_problem(otp.enter(cid, right), 403, "invalid-token")
    assert recorded_rows(otp.ctx) == before
    assert otp.confirmed_events() == 0
    with otp.ctx.uow(write=False) as uow:
        request = uow.collect.confirmation(cid)
    assert request is not None
    assert (request.attempts, request.status) == (5, "locked")


def test_an_expired_code_is_refused(otp: Otp) -> None:
    body = otp.sign_up()
    before = recorded_rows(otp.ctx)
    otp.ctx.clock.moment = NOW + timedelta(minutes=10)  # type: ignore[attr-defined]
    answer = otp.enter(body["confirmation"]["id"], otp.code_sent())
    assert_problem(answer, 403, "invalid-token")
    assert "expired" in answer.json()["detail"]
    assert recorded_rows(otp.ctx) == before == (0, 0, before[2])
    assert otp.confirmed_events() == 0


def test_a_code_cannot_be_checked_through_another_touchpoints_key(otp: Otp) -> None:
    body = otp.sign_up()
    from tests.factories import add_touchpoint

    add_touchpoint(otp.ctx, "other-form", name="Other form")
    _, other = create_publishable_key(
        otp.ctx, name="other", touchpoint="other-form", origins=[SHOP]
    )
    answer = otp.enter(body["confirmation"]["id"], otp.code_sent(), key=other)
    assert_problem(answer, 403, "invalid-token")
    assert otp.confirmed_events() == 0


def test_an_otp_touchpoint_refuses_a_consent_without_a_phone(otp: Otp) -> None:
    answer = otp.client.post(
        f"/sdk/v1/{otp.key}/consents", json=submission(), headers={"Origin": SHOP}
    )
    problem = assert_problem(answer, 422, "invalid-input")
    assert "name the phone" in problem["errors"][0]["msg"]
    with otp.ctx.engine.connect() as conn:
        assert conn.execute(select(t.events.c.seq)).first() is None
    assert otp.sent == []


def test_a_code_by_email_goes_through_the_mailer(ctx: Context, tmp_path: Path) -> None:
    setup_collect(ctx, Confirmation.OTP_EMAIL, language="en")
    key = publishable(ctx)
    settings = ctx.settings.model_copy(update={"outbox_dir": tmp_path})
    live = dataclasses.replace(with_clock(ctx, NOW), settings=settings)
    client = TestClient(create_app(live))
    answer = client.post(f"/sdk/v1/{key}/consents", json=submission(), headers={"Origin": SHOP})
    assert answer.status_code == 201, answer.text
    (eml,) = (tmp_path / "mail").glob("*.eml")
    message = message_from_bytes(eml.read_bytes())
    assert message["Subject"] == "Your confirmation code"
    # Text and HTML (the brand's layout); the code is in both.
    text = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    payload = text.get_payload(decode=True)
    assert isinstance(payload, bytes)
    found = CODE.search(payload.decode())
    assert found
    cid = answer.json()["confirmation"]["id"]
    done = client.post(
        f"/sdk/v1/{key}/code",
        json={"confirmation_id": cid, "code": found.group(1)},
        headers={"Origin": SHOP},
    )
    assert done.status_code == 201, done.text
    assert [e["status"] for e in done.json()["confirmed"]] == ["given"]
