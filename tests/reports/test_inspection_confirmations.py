"""The inspection report counts confirmations from the requests themselves: a sign-up nobody
confirmed is expired (it recorded nothing), one still in time is awaiting, and a double opt-in
proof a client sent is its claim, never counted as a confirmation we witnessed."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from pathlib import Path

from fastapi.testclient import TestClient
from tests.collect.helpers import LEGACY, NEWSLETTER, SHOP, publishable, setup_collect, submission

from trustguardian.asgi import create_app
from trustguardian.domain.collect import Confirmation
from trustguardian.domain.common import FixedClock
from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import Channel, ProofType
from trustguardian.domain.subjects import Identifier, IdentifierKind
from trustguardian.service.accountability import inspection_figures
from trustguardian.service.collect.evidence import ProofDraft
from trustguardian.service.context import Context
from trustguardian.service.events.recording import record_events
from trustguardian.service.events.validate import EventDraft

NOW = datetime.now(UTC).replace(microsecond=0)
LINK = re.compile(r"/confirm/([A-Za-z0-9_.-]+)")


def _token_to(outbox: Path, address: str) -> str:
    for eml in (outbox / "mail").glob("*.eml"):
        message = message_from_bytes(eml.read_bytes())
        if message["To"] == address:
            found = LINK.search(message.get_payload()[0].get_payload(decode=True).decode())
            assert found is not None
            return found.group(1)
    raise AssertionError(f"no mail to {address}")


def test_awaiting_expired_and_confirmed_sign_ups_and_claims_are_told_apart(
    ctx: Context, tmp_path: Path
) -> None:
    setup_collect(ctx, Confirmation.DOUBLE_OPT_IN, within_minutes=60)
    key = publishable(ctx, rate=100)
    settings = ctx.settings.model_copy(update={"outbox_dir": tmp_path})
    live = dataclasses.replace(ctx, settings=settings, clock=FixedClock(NOW))
    client = TestClient(create_app(live), client=("198.51.100.9", 40000))

    def sign_up(address: str) -> None:
        answer = client.post(
            f"/sdk/v1/{key}/consents", json=submission(address), headers={"Origin": SHOP}
        )
        assert answer.status_code == 201, answer.text

    sign_up("confirms@example.com")
    sign_up("never@example.com")
    live.clock.moment = NOW + timedelta(minutes=5)  # type: ignore[attr-defined]
    assert client.post(f"/confirm/{_token_to(tmp_path, 'confirms@example.com')}").status_code == 200
    live.clock.moment = NOW + timedelta(minutes=30)  # type: ignore[attr-defined]
    sign_up("later@example.com")
    # An old CRM sends a consent with a double opt-in proof of its own: a claim.
    record_events(
        live,
        drafts=[
            EventDraft(
                kind=EventKind.CONSENT_GIVEN,
                touchpoint=LEGACY,
                occurred_at=NOW,
                identifiers=(Identifier(IdentifierKind.EMAIL, "crm@example.com"),),
                purpose=NEWSLETTER,
                channels=(Channel.EMAIL,),
                proofs=(ProofDraft(ProofType.DOUBLE_OPT_IN, {"confirmed_at": "2026-01-01"}),),
                fingerprint="crm-claim",
            )
        ],
    )
    live.clock.moment = NOW + timedelta(minutes=61)  # type: ignore[attr-defined]

    figures = inspection_figures(live, start=NOW - timedelta(hours=1), end=NOW + timedelta(hours=2))

    assert figures.confirmations == {"awaiting": 1, "expired": 1, "confirmed": 1}
    coverage = {c.touchpoint: c for c in figures.coverage}
    # The web form: the confirmed sign-up's consent.given and consent.confirmed, one with ours.
    assert (coverage["web-signup"].events, coverage["web-signup"].confirmed) == (2, 1)
    # The CRM's claim is a proof, not a confirmation.
    assert (coverage[LEGACY].events, coverage[LEGACY].with_proof) == (1, 1)
    assert coverage[LEGACY].confirmed == 0
