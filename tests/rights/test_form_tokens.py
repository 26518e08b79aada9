"""Public forms carry a stateless token: showing a form writes nothing, posting it uses it once.

The token is an HMAC over (form, issued-at, nonce); the nonce is recorded when the form is
posted, in the same transaction that files the request, so a replay is refused.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from trustguardian.domain.common import FixedClock
from trustguardian.domain.errors import InvalidToken
from trustguardian.service.context import Context
from trustguardian.service.engage.tokens import new_form_token, redeem_form_token
from trustguardian.store import tables as t

from .helpers import ANNA

EXPIRED = "The form had expired"


def _rows(ctx: Context) -> dict[str, int]:
    """The row count of every table."""
    with ctx.engine.connect() as conn:
        return {
            table.name: int(conn.execute(select(func.count()).select_from(table)).one()[0])
            for table in t.metadata.sorted_tables
        }


def _token(html: str) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def test_showing_the_public_forms_writes_nothing(api: TestClient, rctx: Context) -> None:
    person = TestClient(api.app)
    before = _rows(rctx)
    for _ in range(5):
        for path in ("/rights", "/preferences"):
            page = person.get(path, params={"lang": "en"})
            assert page.status_code == 200
            assert _token(page.text)
    assert _rows(rctx) == before


def test_a_form_token_files_once_and_its_replay_is_refused(api: TestClient, rctx: Context) -> None:
    person = TestClient(api.app)
    token = _token(person.get("/rights", params={"lang": "en"}).text)
    filed = person.post(
        "/rights",
        data={"form_token": token, "kind": "access", "contact": ANNA, "lang": "en"},
        follow_redirects=False,
    )
    assert filed.status_code == 303, filed.text
    after_first = _rows(rctx)
    replay = person.post(
        "/rights",
        data={"form_token": token, "kind": "access", "contact": ANNA, "lang": "en"},
        follow_redirects=False,
    )
    assert replay.status_code == 400
    assert EXPIRED in replay.text
    assert _rows(rctx) == after_first


def test_a_forged_or_expired_form_token_is_refused_as_before(
    api: TestClient, rctx: Context
) -> None:
    person = TestClient(api.app)
    good = _token(person.get("/rights", params={"lang": "en"}).text)
    head, _, mac = good.partition(".")
    old = dataclasses.replace(rctx, clock=FixedClock(rctx.clock.now() - timedelta(hours=3)))
    before = _rows(rctx)
    for bad in (f"{head}.{mac[:-2]}AA", "not-a-token", new_form_token(old)):
        refused = person.post(
            "/rights",
            data={"form_token": bad, "kind": "access", "contact": ANNA, "lang": "en"},
            follow_redirects=False,
        )
        assert refused.status_code == 400, bad
        assert EXPIRED in refused.text
    assert _rows(rctx) == before


def test_a_replay_racing_the_first_use_is_refused_as_used(rctx: Context) -> None:
    token = new_form_token(rctx)
    outcome: list[str] = []

    def replay() -> None:
        try:
            with rctx.uow() as uow:
                redeem_form_token(rctx, uow, token)
                uow.commit()
            outcome.append("redeemed")
        except InvalidToken as exc:
            outcome.append(exc.reason)

    with rctx.uow() as uow:
        redeem_form_token(rctx, uow, token)
        racer = threading.Thread(target=replay)
        racer.start()
        racer.join(timeout=0.3)  # waits on the first use's uncommitted claim
        uow.commit()
    racer.join(timeout=10)
    assert outcome == ["used"]
