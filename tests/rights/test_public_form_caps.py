"""The public rights form is no mail cannon: submissions nobody confirms record nothing, and
messages are capped per recipient, per client address and for the whole instance.

Codes go through a real SMTP server (aiosmtpd); a cap answers 429 with Retry-After and sends
nothing.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Table, func, select
from tests.factories.smtp import Inbox

from trustguardian.domain.common import FixedClock
from trustguardian.service.context import Context
from trustguardian.store import tables as t

VICTIMS = ("vittima.uno@example.com", "vittima.due@example.com")


@pytest.fixture
def visitor(rctx: Context, smtp: tuple[Inbox, int], api: TestClient) -> tuple[TestClient, Inbox]:
    """A visitor's client (no key, no cookies) on an app whose mail goes to a real SMTP server."""
    inbox, port = smtp
    rctx.settings = rctx.settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port})
    return TestClient(api.app), inbox


def _submit(client: TestClient, contact: str) -> Any:
    page = client.get("/rights", params={"lang": "en"}).text
    found = re.search(r'name="form_token" value="([^"]+)"', page)
    assert found is not None
    form = {"form_token": found.group(1), "kind": "erasure", "contact": contact, "lang": "en"}
    return client.post("/rights", data=form, follow_redirects=False)


def _count(ctx: Context, table: Table) -> int:
    with ctx.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_twenty_unconfirmed_submissions_record_nothing_and_send_within_the_cap(
    rctx: Context, visitor: tuple[TestClient, Inbox]
) -> None:
    client, inbox = visitor
    events_before = _count(rctx, t.events)
    subjects_before = _count(rctx, t.subjects)
    answers = [_submit(client, VICTIMS[n % 2]).status_code for n in range(20)]
    cap = rctx.settings.public_messages_per_recipient_hour
    assert answers.count(303) == 2 * cap
    assert answers.count(429) == 20 - 2 * cap
    sent = Counter(rcpt for envelope in inbox.messages for rcpt in envelope.rcpt_tos)
    assert sent == dict.fromkeys(VICTIMS, cap)
    # Nobody confirmed: no subject, no ledger event, no request; only the sealed intakes.
    assert _count(rctx, t.subjects) == subjects_before
    assert _count(rctx, t.events) == events_before
    assert _count(rctx, t.rights_requests) == 0
    assert _count(rctx, t.pending_intakes) == 2 * cap
    with rctx.engine.connect() as conn:
        sealed = conn.execute(select(t.pending_intakes.c.sealed)).scalars().all()
    assert all(VICTIMS[0].encode() not in s and VICTIMS[1].encode() not in s for s in sealed)


def test_a_capped_submission_says_when_to_come_back(
    rctx: Context, visitor: tuple[TestClient, Inbox]
) -> None:
    client, inbox = visitor
    for _ in range(rctx.settings.public_messages_per_recipient_hour):
        assert _submit(client, VICTIMS[0]).status_code == 303
    refused = _submit(client, VICTIMS[0])
    assert refused.status_code == 429
    wait = int(refused.headers["retry-after"])
    assert 3500 <= wait <= 3600
    assert "try again later" in refused.text
    # An hour on, the same address may be sent a code again.
    rctx.clock = FixedClock(rctx.clock.now() + timedelta(hours=1, seconds=1))
    assert _submit(client, VICTIMS[0]).status_code == 303
    assert len(inbox.messages) == rctx.settings.public_messages_per_recipient_hour + 1


def test_the_day_cap_holds_across_hours(rctx: Context, visitor: tuple[TestClient, Inbox]) -> None:
    client, inbox = visitor
    start = rctx.clock.now()
    answers = []
    for hour in range(5):
        rctx.clock = FixedClock(start + timedelta(minutes=61 * hour))
        answers += [_submit(client, VICTIMS[0]).status_code for _ in range(3)]
    assert answers.count(303) == rctx.settings.public_messages_per_recipient_day == 10
    assert len(inbox.messages) == 10


def test_client_and_global_budgets_answer_429(
    rctx: Context, visitor: tuple[TestClient, Inbox]
) -> None:
    client, inbox = visitor
    rctx.settings = rctx.settings.model_copy(update={"public_messages_per_client_hour": 2})
    people = [f"persona{n}@example.com" for n in range(4)]
    assert [_submit(client, p).status_code for p in people] == [303, 303, 429, 429]
    rctx.settings = rctx.settings.model_copy(
        update={"public_messages_per_client_hour": 100, "public_messages_per_hour": 3}
    )
    assert [_submit(client, p).status_code for p in people] == [303, 429, 429, 429]
    assert len(inbox.messages) == 3


def test_an_expired_code_takes_nothing_in(rctx: Context, visitor: tuple[TestClient, Inbox]) -> None:
    client, inbox = visitor
    filed = _submit(client, VICTIMS[0])
    assert filed.status_code == 303
    [envelope] = inbox.messages
    found = re.search(rb"\b(\d{6})\b", envelope.content)
    assert found is not None
    minutes = rctx.settings.verification_code_minutes
    rctx.clock = FixedClock(rctx.clock.now() + timedelta(minutes=minutes, seconds=1))
    late = client.post(filed.headers["location"], data={"code": found.group(1).decode()})
    assert late.status_code == 422
    assert "expired" in late.text
    assert _count(rctx, t.rights_requests) == 0
    assert _count(rctx, t.events) == 0
