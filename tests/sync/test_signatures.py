"""Webhook signatures verify with the reference Standard Webhooks implementation.

Every message a receiver gets is checked by `standardwebhooks.webhooks.Webhook(secret).verify`;
a changed byte of the body or a changed timestamp is refused by it; during a secret rotation a
message carries two signatures and verifies with either secret; after the grace period only the
new secret signs. On SQLite and PostgreSQL (the secrets are sealed in the database).
"""

from __future__ import annotations

import httpx
import pytest
from standardwebhooks.webhooks import Webhook as Verifier
from standardwebhooks.webhooks import WebhookVerificationError
from tests.sync.conftest import MakeSyncCtx
from tests.sync.helpers import Receivers, events_for, run_until

from trustguardian.domain.sync import SystemKind
from trustguardian.service.sync.systems import create_system, create_webhook, rotate_secret
from trustguardian.sync.dispatcher import Dispatcher


def test_every_message_verifies_and_a_changed_byte_does_not(
    backend: str, make_sync_ctx: MakeSyncCtx, receivers: Receivers
) -> None:
    ctx = make_sync_ctx(backend)
    receiver = receivers()
    create_system(ctx, key="esp", name="ESP", kind=SystemKind.ESP)
    _, secret = create_webhook(ctx, system_key="esp", url=receiver.url())
    assert secret.startswith("whsec_")
    events = events_for(ctx, subjects=3, total=6)
    with httpx.Client(timeout=5) as client:
        run_until(Dispatcher(ctx, client=client), lambda: len(receiver.unique()) == 6)

    verifier = Verifier(secret)
    for request in receiver.accepted():
        payload = verifier.verify(request.body, request.headers)
        assert payload["data"]["event_id"] == request.webhook_id
        assert request.headers["content-type"] == "application/json"
        assert len(request.headers["webhook-signature"].split(" ")) == 1
    assert set(receiver.unique()) == {e.id for e in events}

    request = receiver.accepted()[0]
    tampered_body = request.body.replace(b'"consent', b'"consenT', 1)
    assert tampered_body != request.body
    with pytest.raises(WebhookVerificationError):
        verifier.verify(tampered_body, request.headers)
    later = {
        **request.headers,
        "webhook-timestamp": str(int(request.headers["webhook-timestamp"]) + 1),
    }
    with pytest.raises(WebhookVerificationError):
        verifier.verify(request.body, later)
    other_id = {**request.headers, "webhook-id": receiver.accepted()[1].webhook_id}
    with pytest.raises(WebhookVerificationError):
        verifier.verify(request.body, other_id)
    with pytest.raises(WebhookVerificationError):
        Verifier("whsec_" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB").verify(
            request.body, request.headers
        )


def test_during_a_rotation_messages_carry_two_signatures_and_verify_with_either(
    backend: str, make_sync_ctx: MakeSyncCtx, receivers: Receivers
) -> None:
    ctx = make_sync_ctx(backend)
    receiver = receivers()
    create_system(ctx, key="esp", name="ESP", kind=SystemKind.ESP)
    hook, old = create_webhook(ctx, system_key="esp", url=receiver.url())
    new = rotate_secret(ctx, hook_id=hook.id)
    assert new != old
    assert new.startswith("whsec_")
    events = events_for(ctx, subjects=2, total=4)
    with httpx.Client(timeout=5) as client:
        run_until(Dispatcher(ctx, client=client), lambda: len(receiver.unique()) == 4)
    assert set(receiver.unique()) == {e.id for e in events}
    for request in receiver.accepted():
        assert len(request.headers["webhook-signature"].split(" ")) == 2
        Verifier(old).verify(request.body, request.headers)
        Verifier(new).verify(request.body, request.headers)
        # Each signature on its own verifies with exactly one of the secrets.
        first, second = request.headers["webhook-signature"].split(" ")
        Verifier(new).verify(request.body, {**request.headers, "webhook-signature": first})
        Verifier(old).verify(request.body, {**request.headers, "webhook-signature": second})
        with pytest.raises(WebhookVerificationError):
            Verifier(old).verify(request.body, {**request.headers, "webhook-signature": first})


def test_after_the_grace_period_only_the_new_secret_signs(
    make_sync_ctx: MakeSyncCtx, receivers: Receivers
) -> None:
    ctx = make_sync_ctx("sqlite", webhook_secret_grace_hours=0)
    receiver = receivers()
    create_system(ctx, key="esp", name="ESP", kind=SystemKind.ESP)
    hook, old = create_webhook(ctx, system_key="esp", url=receiver.url())
    new = rotate_secret(ctx, hook_id=hook.id)
    events_for(ctx, subjects=1, total=2)
    with httpx.Client(timeout=5) as client:
        run_until(Dispatcher(ctx, client=client), lambda: len(receiver.unique()) == 2)
    for request in receiver.accepted():
        assert len(request.headers["webhook-signature"].split(" ")) == 1
        Verifier(new).verify(request.body, request.headers)
        with pytest.raises(WebhookVerificationError):
            Verifier(old).verify(request.body, request.headers)
