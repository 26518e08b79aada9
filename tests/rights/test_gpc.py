"""Global Privacy Control on every public entry point (the rights form, its complaint form, the
preference-centre e-mail form, the SDK), over HTTP on SQLite and PostgreSQL: recorded once per
person and purpose, for people known here only."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.collect.helpers import mailed_link
from tests.factories.events import footprint

from trustguardian.domain.collect import Confirmation
from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import Channel
from trustguardian.service.collect.admin import configure, create_publishable_key
from trustguardian.service.collect.proofs import read_proof
from trustguardian.service.context import Context
from trustguardian.service.events.consent import subject_timeline
from trustguardian.service.events.recording import get_event
from trustguardian.service.registry.purpose_flags import set_sale_sharing
from trustguardian.store import tables as t

from .helpers import ANNA, CENTRE, OTHER_PURPOSE, PURPOSE, SHARING, check, person

GPC = {"Sec-GPC": "1"}
SHOP = "https://shop.example"


def _gpc_withdrawals(ctx: Context, subject_id: str) -> list[tuple[str, str]]:
    found = []
    for e in subject_timeline(ctx, subject_id=subject_id):
        if e.kind is not EventKind.CONSENT_WITHDRAWN:
            continue
        proof = read_proof(ctx, event_id=e.id, position=0).content
        if proof.get("signal") == "Sec-GPC: 1":
            found.append((str(e.purpose), str(proof["entry"])))
    return found


def _token(page: str, action: str) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', page.split(f'action="{action}"')[1])
    assert found is not None
    return found.group(1)


def test_the_rights_form_honours_gpc_once_per_person_and_purpose(
    rctx: Context, api: TestClient
) -> None:
    anna = person(rctx)
    set_sale_sharing(rctx, purpose=SHARING, value=True)
    browser = TestClient(api.app, headers=GPC)
    for _ in range(2):
        page = browser.get("/rights").text
        form = {"form_token": _token(page, "/rights"), "kind": "access", "contact": ANNA}
        sent = browser.post("/rights", data=form, follow_redirects=False)
        assert sent.status_code == 303, sent.text
    assert _gpc_withdrawals(rctx, anna.subject_id) == [(SHARING, "/rights")]
    assert check(rctx, SHARING, Channel.EMAIL) == "withdrawn"
    assert check(rctx, PURPOSE, Channel.EMAIL) == "consent_given"  # not flagged
    [event] = [
        e
        for e in subject_timeline(rctx, subject_id=anna.subject_id)
        if e.kind is EventKind.CONSENT_WITHDRAWN
    ]
    assert event.touchpoint == CENTRE


def test_the_preferences_form_honours_gpc_and_creates_nobody(
    rctx: Context, api: TestClient
) -> None:
    anna = person(rctx)
    set_sale_sharing(rctx, purpose=SHARING, value=True)
    browser = TestClient(api.app, headers=GPC)
    before = footprint(rctx)
    stranger = {
        "form_token": _token(browser.get("/preferences").text, "/preferences"),
        "email": "nobody@example.net",
    }
    assert browser.post("/preferences", data=stranger).status_code == 200
    assert {k: v for k, v in footprint(rctx).items() if k != "link_tokens"} == {
        k: v for k, v in before.items() if k != "link_tokens"
    }
    known = {
        "form_token": _token(browser.get("/preferences").text, "/preferences"),
        "email": ANNA,
    }
    assert browser.post("/preferences", data=known).status_code == 200
    assert _gpc_withdrawals(rctx, anna.subject_id) == [(SHARING, "/preferences")]
    # Without the signal nothing is recorded.
    plain = TestClient(api.app)
    set_sale_sharing(rctx, purpose=OTHER_PURPOSE, value=True)
    again = {
        "form_token": _token(plain.get("/preferences").text, "/preferences"),
        "email": ANNA,
    }
    assert plain.post("/preferences", data=again).status_code == 200
    assert check(rctx, OTHER_PURPOSE, Channel.EMAIL) == "consent_given"


def test_the_sdk_honours_gpc_but_not_over_a_box_ticked_in_the_same_form(
    rctx: Context, api: TestClient
) -> None:
    set_sale_sharing(rctx, purpose=SHARING, value=True)
    set_sale_sharing(rctx, purpose=OTHER_PURPOSE, value=True)
    _, key = create_publishable_key(
        rctx, name="shop", touchpoint="web-all", origins=(SHOP,), rate_per_minute=30
    )
    body = {
        "submission_id": "sub-gpc-0001",
        "identifiers": [{"kind": "email", "value": "gpc@example.com"}],
        "consents": [
            {"purpose": PURPOSE, "given": True, "channels": ["email"]},
            {"purpose": SHARING, "given": True, "channels": ["email"]},
        ],
        "snapshot": {"html": "<form>...</form>", "url": f"{SHOP}/signup"},
    }
    browser = TestClient(api.app, headers={**GPC, "Origin": SHOP})
    for _ in range(2):  # a retry of the same submission records nothing more
        answer = browser.post(f"/sdk/v1/{key}/consents", json=body)
        assert answer.status_code == 201, answer.text
    subject = get_event(rctx, event_id=answer.json()["events"][0]["id"]).subject_id
    assert _gpc_withdrawals(rctx, subject) == [(OTHER_PURPOSE, "sdk:web-all")]
    assert check(rctx, SHARING, Channel.EMAIL, "gpc@example.com") == "consent_given"


def test_a_double_opt_in_sign_up_honours_gpc_once_the_person_confirms(
    rctx: Context, api: TestClient
) -> None:
    set_sale_sharing(rctx, purpose=OTHER_PURPOSE, value=True)
    configure(rctx, touchpoint="web-all", confirmation=Confirmation.DOUBLE_OPT_IN)
    _, key = create_publishable_key(
        rctx, name="shop", touchpoint="web-all", origins=(SHOP,), rate_per_minute=30
    )
    body = {
        "submission_id": "sub-gpc-doi-1",
        "identifiers": [{"kind": "email", "value": "gpc-doi@example.com"}],
        "consents": [{"purpose": PURPOSE, "given": True, "channels": ["email"]}],
        "snapshot": {"html": "<form>...</form>", "url": f"{SHOP}/signup"},
    }
    browser = TestClient(api.app, headers={**GPC, "Origin": SHOP})
    answer = browser.post(f"/sdk/v1/{key}/consents", json=body)
    assert answer.status_code == 201, answer.text
    # Nobody is known yet: the signal waits, sealed with the sign-up, for the confirmation.
    assert subjects_count(rctx) == 0
    outbox = rctx.settings.outbox_dir
    assert outbox is not None
    token = mailed_link(outbox)
    assert TestClient(api.app).post(f"/confirm/{token}").status_code == 200
    subject = get_event(rctx, event_id=answer.json()["events"][0]["id"]).subject_id
    assert _gpc_withdrawals(rctx, subject) == [(OTHER_PURPOSE, "sdk:web-all")]
    assert check(rctx, PURPOSE, Channel.EMAIL, "gpc-doi@example.com") == "consent_given"


def subjects_count(ctx: Context) -> int:
    with ctx.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.subjects)).scalar_one())
