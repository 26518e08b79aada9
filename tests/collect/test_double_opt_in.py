"""Double opt-in end to end: a real server, a real SMTP server, the mail read and its link
followed; the subject's timeline then holds the sign-up and the confirmation with their IPs."""

from __future__ import annotations

import base64
import dataclasses
import json
from typing import Any

import httpx
from tests.collect.helpers import (
    NEWSLETTER,
    SHOP,
    TP,
    client_from,
    events_count,
    free_port,
    live_app,
    publishable,
    setup_collect,
    smtp_server,
    status_of,
    submission,
)

from trustguardian.domain.access import Scope
from trustguardian.domain.collect import Confirmation
from trustguardian.service.access.api_keys import create_api_key
from trustguardian.service.context import Context
from trustguardian.service.verify.full import verify_ledger

ANNA = "anna.bianchi@example.com"


def proofs_of(admin: httpx.Client, event: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every proof of an event, opened through the API, by type."""
    found = {}
    for position, proof in enumerate(event["proofs"]):
        answer = admin.get(f"/v1/events/{event['id']}/proofs/{position}")
        assert answer.status_code == 200, answer.text
        found[proof["type"]] = answer.json()["content"]
    return found


def test_double_opt_in_end_to_end_with_smtp(ctx: Context) -> None:
    setup_collect(ctx, Confirmation.DOUBLE_OPT_IN, language="it")
    key = publishable(ctx)
    _, admin_token = create_api_key(ctx, name="dpo", scopes=[Scope.ADMIN])
    port = free_port()
    with smtp_server() as (inbox, smtp_port):
        settings = ctx.settings.model_copy(
            update={
                "smtp_host": "127.0.0.1",
                "smtp_port": smtp_port,
                "mail_from": "privacy@shop.example",
                "public_base_url": f"http://127.0.0.1:{port}",
            }
        )
        live = dataclasses.replace(ctx, settings=settings)
        with live_app(live, port) as base:
            # 1. The person signs up on the shop's page (their browser at 127.0.0.2).
            with client_from(
                "127.0.0.2", base, Origin=SHOP, **{"User-Agent": "SignupBrowser/1.0"}
            ) as browser:
                answer = browser.post(f"/sdk/v1/{key}/consents", json=submission(ANNA))
            assert answer.status_code == 201, answer.text
            body = answer.json()
            given = next(e for e in body["events"] if e["purpose"] == NEWSLETTER)
            assert given["status"] == "pending_confirmation"
            assert body["confirmation"]["method"] == "double_opt_in"
            assert body["confirmation"]["sent"] is True

            admin = httpx.Client(
                base_url=base, headers={"Authorization": f"Bearer {admin_token}"}, timeout=10
            )
            # Nothing is recorded until she confirms: the event id is promised, not yet used.
            assert admin.get(f"/v1/events/{given['id']}").status_code == 404
            waiting = admin.get(f"/v1/events/{given['id']}/confirmation").json()
            assert (waiting["status"], waiting["subject_id"]) == ("open", None)
            assert waiting["id"] == body["confirmation"]["id"]
            assert events_count(ctx) == 0

            # 2. The mail arrived at the local SMTP server, to her, with a link without her address.
            assert len(inbox.messages) == 1
            assert inbox.messages[0].rcpt_tos == [ANNA]
            assert inbox.parsed()["Subject"] == "Conferma il tuo consenso"
            link = inbox.link()
            assert link.startswith(f"{base}/confirm/")
            token = link.rsplit("/", 1)[1]
            claims = base64.urlsafe_b64decode(token.split(".")[0] + "==")
            assert b"anna" not in claims.lower()
            assert b"@" not in claims

            # 3. She opens it (from another address, 127.0.0.3): a page with a button.
            with client_from("127.0.0.3", base, **{"User-Agent": "ConfirmBrowser/2.0"}) as phone:
                page = phone.get(link)
                assert page.status_code == 200
                assert "Conferma il tuo consenso" in page.text
                assert 'id="confirm"' in page.text
                assert events_count(ctx) == 0  # GET changes nothing
                english = phone.get(link, params={"lang": "en"})
                assert "Confirm your consent" in english.text
                done = phone.post(link)
                assert done.status_code == 200
                assert "confermato" in done.text
                again = phone.post(link)
                assert again.status_code == 410
                assert "già stato usato" in again.text
            signup = admin.get(f"/v1/events/{given['id']}").json()
            subject = signup["subject_id"]
            assert signup["occurred_at"] < signup["recorded_at"]  # dated when she signed up
            assert status_of(ctx, subject) == {"given"}

            # 4. The timeline: sign-up and confirmation, each with its IP and user agent.
            timeline = admin.get("/v1/events", params={"subject_id": subject}).json()["items"]
            kinds = [(e["kind"], e["purpose"]) for e in timeline]
            assert kinds == [
                ("consent.given", NEWSLETTER),
                ("consent.refused", "profiling"),
                ("consent.confirmed", NEWSLETTER),
            ]
            signup_proofs = proofs_of(admin, timeline[0])
            assert signup_proofs["network"]["ip"] == "127.0.0.2"
            assert signup_proofs["network"]["user_agent"] == "SignupBrowser/1.0"
            assert signup_proofs["network"]["origin"] == SHOP
            assert "form_snapshot" in signup_proofs
            assert "notice_shown" in signup_proofs
            doi = proofs_of(admin, timeline[2])["double_opt_in"]
            assert doi["address"] == ANNA
            assert doi["confirming_ip"] == "127.0.0.3"
            assert doi["confirming_user_agent"] == "ConfirmBrowser/2.0"
            assert doi["sent_at"] <= doi["confirmed_at"]
            assert doi["message_id"] == inbox.parsed()["Message-ID"]
            request = admin.get(f"/v1/events/{given['id']}/confirmation").json()
            assert request["status"] == "confirmed"
            assert request["confirmed_event_ids"] == [timeline[2]["id"]]
            check = admin.post(
                "/v1/checks",
                json={"subject_id": subject, "purpose": NEWSLETTER, "channel": "email"},
            ).json()
            assert (check["allowed"], check["reason"]) == (True, "consent_given")
            admin.close()
    # Only one confirmation event, and the whole ledger (consent states included) verifies.
    assert len(inbox.messages) == 1
    report = verify_ledger(ctx)
    assert report.problems == [], report.problems
    assert json.dumps(timeline).find(ANNA) == -1  # the timeline itself names nobody
    assert TP in {e["touchpoint"] for e in timeline}
