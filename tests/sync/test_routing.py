"""What goes where: no echo to the system a change came from, webhook filters, the system's
own names for our purposes and channels, and only the identifiers a system asked for.
On SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi.testclient import TestClient
from tests.factories import add_touchpoint
from tests.factories.events import (
    ENGAGE_TP,
    MARIO,
    NOTICE,
    OTHER_PURPOSE,
    PURPOSE,
    TP,
    ago,
    email,
    ledger_size,
    make_draft,
    record,
)
from tests.sync.conftest import MakeSyncCtx
from tests.sync.helpers import Receivers, delivery_rows, run_until

from trustguardian.asgi import create_app
from trustguardian.domain.access import Scope
from trustguardian.domain.events import EventKind
from trustguardian.domain.subjects import IdentifierKind
from trustguardian.domain.sync import SystemKind
from trustguardian.service.access.api_keys import create_api_key
from trustguardian.service.events.identifiers import normalise
from trustguardian.service.sync.status import sync_status
from trustguardian.service.sync.systems import create_system, create_webhook
from trustguardian.sync.dispatcher import Dispatcher

PHONE = "+39 333 123 4567"
PHONE_E164 = "+393331234567"
BOTH_TP = "web-both"


def event_body(kind: str, who: str, touchpoint: str = TP) -> dict[str, Any]:
    return {
        "kind": kind,
        "touchpoint": touchpoint,
        "identifiers": [{"kind": "email", "value": who}],
        "purpose": PURPOSE,
        "occurred_at": ago(minutes=2).isoformat(),
    }


def test_a_change_that_came_from_a_system_is_not_echoed_back_to_it(
    backend: str, make_sync_ctx: MakeSyncCtx, receivers: Receivers
) -> None:
    ctx = make_sync_ctx(backend)
    receiver = receivers()
    create_system(ctx, key="esp", name="ESP", kind=SystemKind.ESP)
    create_system(ctx, key="crm", name="CRM", kind=SystemKind.CRM)
    esp_hook, _ = create_webhook(ctx, system_key="esp", url=receiver.url("/esp"))
    crm_hook, _ = create_webhook(ctx, system_key="crm", url=receiver.url("/crm"))
    _, esp_token = create_api_key(ctx, name="esp", scopes=[Scope.EVENTS_WRITE], system_key="esp")
    _, crm_token = create_api_key(ctx, name="crm", scopes=[Scope.EVENTS_WRITE], system_key="crm")
    _, plain_token = create_api_key(ctx, name="web", scopes=[Scope.EVENTS_WRITE])

    with TestClient(create_app(ctx)) as api:

        def post(token: str, path: str, body: dict[str, Any]) -> list[str]:
            response = api.post(path, json=body, headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 201, response.text
            found = response.json()
            return [e["id"] for e in found["events"]] if "events" in found else [found["id"]]

        [from_web] = post(plain_token, "/v1/events", event_body("consent.given", MARIO))
        # The ESP tells us Mario unsubscribed (one event, and a batch of two more people).
        [from_esp] = post(
            esp_token, "/v1/events", event_body("consent.withdrawn", MARIO, ENGAGE_TP)
        )
        esp_batch = post(
            esp_token,
            "/v1/events/batch",
            {
                "events": [
                    event_body("consent.withdrawn", f"p{n}@example.com", ENGAGE_TP)
                    for n in range(2)
                ]
            },
        )
        [from_crm] = post(crm_token, "/v1/events", event_body("consent.given", "c@example.com"))

    with httpx.Client(timeout=5) as client:
        run_until(
            Dispatcher(ctx, client=client),
            lambda: len(receiver.unique("/esp")) == 2 and len(receiver.unique("/crm")) == 4,
        )
        Dispatcher(ctx, client=client).run_once()  # nothing more comes
    assert sorted(receiver.accepted_ids("/esp")) == sorted([from_web, from_crm])
    assert sorted(receiver.accepted_ids("/crm")) == sorted([from_web, from_esp, *esp_batch])
    # Not merely undelivered: never queued for the system it came from.
    seqs = {r.json()["data"]["event_id"]: r.json()["data"]["seq"] for r in receiver.accepted()}
    assert set(delivery_rows(ctx, esp_hook.destination)) == {seqs[from_web], seqs[from_crm]}
    assert len(delivery_rows(ctx, crm_hook.destination)) == 4
    for status in sync_status(ctx):
        # Five events, after the registry's own leaves (which are never sent out).
        assert status.taken_up_to == status.ledger_size == ledger_size(ctx)
        assert set(status.counts) == {"delivered"}


def test_filters_mapping_and_identifiers(
    backend: str, make_sync_ctx: MakeSyncCtx, receivers: Receivers
) -> None:
    ctx = make_sync_ctx(backend)
    add_touchpoint(ctx, BOTH_TP, purposes=[PURPOSE, OTHER_PURPOSE], notice_key=NOTICE)
    receiver = receivers()
    create_system(
        ctx,
        key="esp",
        name="ESP",
        kind=SystemKind.ESP,
        identifier_kinds=["email"],
        mapping={PURPOSE: {"email": "list:7"}},
    )
    create_system(
        ctx,
        key="crm",
        name="CRM",
        kind=SystemKind.CRM,
        identifier_kinds=["phone", "email", "external:crm"],
        mapping={PURPOSE: {"sms": "sms_optin"}, OTHER_PURPOSE: {"email": "profiling_ok"}},
    )
    create_webhook(ctx, system_key="esp", url=receiver.url("/esp"), purposes=[PURPOSE])
    create_webhook(ctx, system_key="crm", url=receiver.url("/crm"))
    create_webhook(
        ctx,
        system_key="crm",
        url=receiver.url("/crm-withdrawals"),
        event_kinds=["consent.withdrawn"],
    )
    mario = (
        email(MARIO),
        normalise(IdentifierKind.PHONE, PHONE),
        normalise(IdentifierKind.EXTERNAL, "C-1001", system="crm"),
    )
    given, profiling, withdrawn = record(
        ctx,
        make_draft(touchpoint=BOTH_TP, identifiers=mario),
        make_draft(touchpoint=BOTH_TP, identifiers=mario, purpose=OTHER_PURPOSE),
        make_draft(EventKind.CONSENT_WITHDRAWN, identifiers=mario),
    )
    with httpx.Client(timeout=5) as client:
        run_until(
            Dispatcher(ctx, client=client),
            lambda: (
                len(receiver.unique("/crm")) == 3
                and len(receiver.unique("/esp")) == 2
                and len(receiver.unique("/crm-withdrawals")) == 1
            ),
        )
    assert receiver.accepted_ids("/esp") == [given.id, withdrawn.id]
    assert receiver.accepted_ids("/crm") == [given.id, profiling.id, withdrawn.id]
    assert receiver.accepted_ids("/crm-withdrawals") == [withdrawn.id]

    esp = {r.webhook_id: r.json() for r in receiver.accepted("/esp")}
    crm = {r.webhook_id: r.json() for r in receiver.accepted("/crm")}
    for r in receiver.accepted("/esp"):
        assert PHONE_E164.encode() not in r.body
        assert b"C-1001" not in r.body
    assert esp[given.id]["type"] == "consent.given"
    assert esp[given.id]["data"]["purpose"] == PURPOSE
    assert esp[given.id]["data"]["subject_id"] == given.subject_id
    assert esp[given.id]["data"]["identifiers"] == [
        {"kind": "email", "system": None, "value": MARIO}
    ]
    # `status` is our state when the message is built (Mario withdrew since), `event_status` is
    # what this one event said: a late message never re-subscribes anyone downstream.
    assert esp[given.id]["data"]["consent"] == [
        {"channel": "email", "status": "withdrawn", "event_status": "given", "target": "list:7"},
        {"channel": "sms", "status": "withdrawn", "event_status": "given", "target": None},
    ]
    assert esp[withdrawn.id]["data"]["consent"] == [
        {
            "channel": "email",
            "status": "withdrawn",
            "event_status": "withdrawn",
            "target": "list:7",
        },
        {"channel": "sms", "status": "withdrawn", "event_status": "withdrawn", "target": None},
    ]
    assert sorted(
        (i["kind"], i["system"], i["value"]) for i in crm[given.id]["data"]["identifiers"]
    ) == [("email", None, MARIO), ("external", "crm", "C-1001"), ("phone", None, PHONE_E164)]
    assert crm[given.id]["data"]["consent"] == [
        {"channel": "email", "status": "withdrawn", "event_status": "given", "target": None},
        {"channel": "sms", "status": "withdrawn", "event_status": "given", "target": "sms_optin"},
    ]
    assert crm[profiling.id]["data"]["consent"] == [
        {"channel": "email", "status": "given", "event_status": "given", "target": "profiling_ok"}
    ]
