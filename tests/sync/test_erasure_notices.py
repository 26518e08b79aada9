"""`subject.erased` tells each system the identifiers it knows the person by (those it was sent
and those it reported itself), over a real local webhook; once delivered, or given up on as a
dead letter, nothing readable of them is left: in no column of any table, in no outbox row, in
the SQLite file or a PostgreSQL dump. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.conftest import bound_context
from tests.factories import add_touchpoint
from tests.factories.api import event_body
from tests.factories.disk import database_bytes, stored_values
from tests.factories.events import ENGAGE_TP, MARIO, PURPOSE, make_draft, record, setup_registry
from tests.sync.conftest import MakeSyncCtx
from tests.sync.helpers import FAST, Receivers, run_until

from trustguardian.asgi import create_app
from trustguardian.domain.access import Scope
from trustguardian.domain.registry import Channel, TouchpointKind
from trustguardian.domain.sync import SystemKind
from trustguardian.service.access.api_keys import create_api_key
from trustguardian.service.context import Context
from trustguardian.service.ops.rotation import finish_master_rotation, rotate_master_key
from trustguardian.service.rights.erasure import erase_subject
from trustguardian.service.sync.systems import create_system, create_webhook
from trustguardian.service.sync.webhooks import list_dead_letters, retry_dead_letters
from trustguardian.settings import Settings
from trustguardian.store import tables as t
from trustguardian.sync.dispatcher import Dispatcher

DESK = "privacy-desk"
PHONE = "+39 333 123 4567"
PHONE_E164 = "+393331234567"
ESP_ID = "ESP-77-MARIO"
NEEDLES = (MARIO.encode(), PHONE_E164.encode(), ESP_ID.encode())


def _notices(ctx: Context) -> int:
    with ctx.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.erasure_notices)).scalar_one())


def _nothing_readable_left(ctx: Context) -> None:
    assert _notices(ctx) == 0
    values, on_disk = stored_values(ctx), database_bytes(ctx)
    assert on_disk  # the scan did read the database
    for needle in NEEDLES:
        assert needle not in values, needle
        assert needle not in on_disk, needle


def _mario_known_to_the_esp(ctx: Context) -> str:
    """Mario signs up on the web (e-mail); then the ESP, with its own key, reports his
    unsubscription naming him by e-mail, phone and its own id. Returns his subject id."""
    add_touchpoint(ctx, DESK, name="Privacy desk", kind=TouchpointKind.RIGHT, channel=Channel.EMAIL)
    [given] = record(ctx, make_draft())
    _, esp_token = create_api_key(ctx, name="esp", scopes=[Scope.EVENTS_WRITE], system_key="esp")
    identifiers: list[dict[str, Any]] = [
        {"kind": "email", "value": MARIO},
        {"kind": "phone", "value": PHONE},
        {"kind": "external", "system": "esp", "value": ESP_ID},
    ]
    body = event_body("consent.withdrawn", touchpoint=ENGAGE_TP, identifiers=identifiers)
    with TestClient(create_app(ctx)) as api:
        answer = api.post("/v1/events", json=body, headers={"Authorization": f"Bearer {esp_token}"})
        assert answer.status_code == 201, answer.text
    return given.subject_id


def test_subject_erased_carries_what_each_system_knows_then_leaves_nothing_readable(
    backend: str, make_sync_ctx: MakeSyncCtx, receivers: Receivers
) -> None:
    ctx = make_sync_ctx(backend)
    receiver = receivers()
    create_system(ctx, key="crm", name="CRM", kind=SystemKind.CRM, identifier_kinds=["email"])
    create_system(
        ctx, key="esp", name="ESP", kind=SystemKind.ESP, identifier_kinds=["external:esp"]
    )
    create_system(ctx, key="erp", name="ERP", kind=SystemKind.OTHER)  # no webhook
    create_webhook(ctx, system_key="crm", url=receiver.url("/crm"))
    # A purpose filter does not hold an erasure back: it concerns every purpose.
    create_webhook(ctx, system_key="esp", url=receiver.url("/esp"), purposes=[PURPOSE])
    subject_id = _mario_known_to_the_esp(ctx)
    with httpx.Client(timeout=5) as client:
        dispatcher = Dispatcher(ctx, client=client)
        dispatcher.drain()
        assert len(receiver.unique("/crm")) == 2
        assert len(receiver.unique("/esp")) == 1  # its own report is not echoed back

        erasure = erase_subject(ctx, subject_id=subject_id, touchpoint=DESK, actor="dpo")
        # Kept for the two systems with a webhook, sealed: nothing in clear even now.
        assert _notices(ctx) == 2
        assert not any(needle in stored_values(ctx) for needle in NEEDLES)

        dispatcher.drain()
    told = {
        path: r.json()["data"]
        for path in ("/crm", "/esp")
        for r in receiver.accepted(path)
        if r.webhook_id == erasure.event_id
    }
    assert told["/crm"]["subject_id"] == told["/esp"]["subject_id"] == subject_id
    assert told["/crm"]["identifiers"] == [{"kind": "email", "system": None, "value": MARIO}]
    assert sorted((i["kind"], i["system"], i["value"]) for i in told["/esp"]["identifiers"]) == [
        ("email", None, MARIO),
        ("external", "esp", ESP_ID),
        ("phone", None, PHONE_E164),
    ]
    _nothing_readable_left(ctx)


def test_an_erasure_that_goes_dead_is_purged_and_a_retry_names_no_one(
    backend: str, make_sync_ctx: MakeSyncCtx, receivers: Receivers
) -> None:
    ctx = make_sync_ctx(backend, sync_max_attempts=2)
    up = {"on": False}
    receiver = receivers(lambda _r, _n: (204, 0.0) if up["on"] else (500, 0.0))
    create_system(ctx, key="esp", name="ESP", kind=SystemKind.ESP, identifier_kinds=["email"])
    hook, _ = create_webhook(ctx, system_key="esp", url=receiver.url())
    subject_id = _mario_known_to_the_esp(ctx)
    erasure = erase_subject(ctx, subject_id=subject_id, touchpoint=DESK, actor="dpo")
    assert _notices(ctx) == 1

    with httpx.Client(timeout=5) as client:
        dispatcher = Dispatcher(ctx, client=client)
        run_until(dispatcher, lambda: len(list_dead_letters(ctx)) == 2)
        # Mario's sign-up went dead first (his events go in order), then his erasure.
        signed_up, dead = list_dead_letters(ctx)
        assert signed_up.letter.kind == "consent.given"
        assert (dead.letter.event_id, dead.webhook_id, dead.system) == (
            erasure.event_id,
            hook.id,
            "esp",
        )
        assert dead.letter.delivery.attempts == 2
        # It was tried with the identifiers, and gave up: they are gone with the retry deadline.
        tried = [r for r in receiver.all() if r.webhook_id == erasure.event_id]
        assert len(tried) == 2
        assert tried[0].json()["data"]["identifiers"][0]["value"] == MARIO
        _nothing_readable_left(ctx)

        up["on"] = True
        assert retry_dead_letters(ctx, hook_id=hook.id) == 2
        dispatcher.drain()
    assert list_dead_letters(ctx) == []
    [late] = [r for r in receiver.accepted() if r.webhook_id == erasure.event_id]
    assert late.json()["data"]["identifiers"] == []
    assert late.json()["type"] == "subject.erased"


def test_a_master_key_rotation_reseals_what_an_erasure_keeps(
    backend: str, make_db: Callable[[str], str], tmp_path: Path, receivers: Receivers
) -> None:
    # Keys from a key file, as in production (a key from the environment is rotated by hand).
    settings = Settings(database_url=make_db(backend), keys_file=tmp_path / "tg.keys", **FAST)
    ctx = bound_context(settings)
    setup_registry(ctx)
    receiver = receivers()
    create_system(ctx, key="crm", name="CRM", kind=SystemKind.CRM, identifier_kinds=["email"])
    create_webhook(ctx, system_key="crm", url=receiver.url())
    create_system(ctx, key="esp", name="ESP", kind=SystemKind.ESP)  # no webhook
    subject_id = _mario_known_to_the_esp(ctx)
    erasure = erase_subject(ctx, subject_id=subject_id, touchpoint=DESK, actor="dpo")
    with ctx.engine.connect() as conn:
        before = conn.execute(select(t.erasure_notices.c.sealed)).scalar_one()
    rotation = rotate_master_key(ctx)
    _, dropped = finish_master_rotation(ctx)
    assert dropped == [rotation.old_key_id]  # the old key can no longer open anything
    with ctx.engine.connect() as conn:
        assert conn.execute(select(t.erasure_notices.c.sealed)).scalar_one() != before
    with httpx.Client(timeout=5) as client:
        dispatcher = Dispatcher(ctx, client=client)
        dispatcher.drain()
        dispatcher.close()
    [told] = [r.json()["data"] for r in receiver.accepted() if r.webhook_id == erasure.event_id]
    assert told["identifiers"] == [{"kind": "email", "system": None, "value": MARIO}]
    _nothing_readable_left(ctx)
    ctx.engine.dispose()
