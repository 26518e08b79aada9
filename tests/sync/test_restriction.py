"""A restriction of processing (art. 18) holds the restricted purposes' changes back from every
company system until it is lifted, in order; the restriction itself goes out at once. On SQLite
and PostgreSQL, to a real webhook receiver."""

from __future__ import annotations

from pathlib import Path

import httpx
from tests.factories import add_touchpoint
from tests.factories.events import MARIO, OTHER_PURPOSE, PURPOSE, email, make_draft, record
from tests.sync.conftest import MakeSyncCtx
from tests.sync.helpers import Receivers, run_until

from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import Channel, TouchpointKind
from trustguardian.domain.rights import RequestKind, RequestStatus
from trustguardian.domain.sync import SystemKind
from trustguardian.service.rights.effects import lift_restriction
from trustguardian.service.rights.fulfil import fulfil_request
from trustguardian.service.rights.requests import advance_request, submit_request
from trustguardian.service.sync.systems import create_system, create_webhook
from trustguardian.sync.dispatcher import Dispatcher

DESK = "privacy-desk"


def test_restricted_changes_wait_until_the_restriction_is_lifted(
    backend: str, make_sync_ctx: MakeSyncCtx, receivers: Receivers, tmp_path: Path
) -> None:
    ctx = make_sync_ctx(backend, outbox_dir=tmp_path / "outbox")  # the notices to the person
    receiver = receivers()
    create_system(ctx, key="crm", name="CRM", kind=SystemKind.CRM)
    create_webhook(ctx, system_key="crm", url=receiver.url("/crm"))
    add_touchpoint(ctx, DESK, name="Privacy desk", kind=TouchpointKind.RIGHT, channel=Channel.OTHER)
    [given] = record(ctx, make_draft(purpose=PURPOSE))

    def kinds() -> list[str]:
        return [r.json()["type"] for r in receiver.accepted("/crm")]

    def ids() -> list[str]:
        return [r.json()["data"]["event_id"] for r in receiver.accepted("/crm")]

    client = httpx.Client(timeout=5)
    dispatcher = Dispatcher(ctx, client=client)  # one process, holding its lease throughout
    run_until(dispatcher, lambda: given.id in ids())
    request_id = submit_request(
        ctx,
        kind=RequestKind.RESTRICTION,
        touchpoint=DESK,
        channel=Channel.EMAIL,
        identifiers=[email(MARIO)],
    ).id
    advance_request(ctx, request_id=request_id, to=RequestStatus.IN_PROGRESS, actor="dpo")
    fulfil_request(ctx, request_id=request_id, actor="dpo", purposes=[PURPOSE])
    [withdrawn] = record(ctx, make_draft(EventKind.CONSENT_WITHDRAWN, purpose=PURPOSE))
    [other] = record(ctx, make_draft(EventKind.CONSENT_WITHDRAWN, purpose=OTHER_PURPOSE))
    try:
        run_until(dispatcher, lambda: "processing.restricted" in kinds())
        for _ in range(3):
            dispatcher.run_once()
        assert withdrawn.id not in ids()  # the restricted purpose's change waits
        assert other.id not in ids()  # and what came after it for the person, in order
        lift_restriction(ctx, request_id=request_id, actor="dpo")
        run_until(dispatcher, lambda: other.id in ids())
    finally:
        client.close()
    sent = ids()
    assert sent.index(withdrawn.id) < sent.index(other.id)
    assert "processing.restriction_lifted" in kinds()
