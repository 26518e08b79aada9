"""What a system is told adds up to our consent state.

Consent state follows `occurred_at`: a paper form from last week, uploaded today, never overrides
yesterday's withdrawal. Deliveries follow the ledger (recording) order, one message per event,
each with the status of its own event. A system that applies the messages in the order they
arrive (what per-subject ordering is for) must end with the state we hold.
On SQLite and PostgreSQL.
"""

from __future__ import annotations

import httpx
from tests.factories.events import ENGAGE_TP, SCAN, STORE_TP, ago, make_draft, record_one
from tests.factories.events import statuses as our_statuses
from tests.sync.conftest import MakeSyncCtx
from tests.sync.helpers import Received, Receivers, run_until

from trustguardian.domain.events import EventKind
from trustguardian.domain.sync import SystemKind
from trustguardian.service.sync.systems import create_system, create_webhook
from trustguardian.sync.dispatcher import Dispatcher


def as_applied(messages: list[Received]) -> dict[tuple[str, str], str]:
    """The state a receiver holds after applying each message's consent items in turn."""
    state: dict[tuple[str, str], str] = {}
    for message in messages:
        data = message.json()["data"]
        for item in data["consent"]:
            state[(data["purpose"], item["channel"])] = item["status"]
    return state


def test_a_late_paper_form_does_not_resubscribe_someone_who_withdrew(
    backend: str, make_sync_ctx: MakeSyncCtx, receivers: Receivers
) -> None:
    ctx = make_sync_ctx(backend)
    receiver = receivers()
    create_system(
        ctx, key="esp", name="ESP", kind=SystemKind.ESP, mapping={"newsletter": {"email": "list:7"}}
    )
    create_webhook(ctx, system_key="esp", url=receiver.url())
    with httpx.Client(timeout=5) as client:
        dispatcher = Dispatcher(ctx, client=client)
        given = record_one(ctx, make_draft(occurred_at=ago(days=20)))
        withdrawal = record_one(
            ctx,
            make_draft(EventKind.CONSENT_WITHDRAWN, touchpoint=ENGAGE_TP, occurred_at=ago(days=1)),
        )
        run_until(dispatcher, lambda: len(receiver.unique()) == 2)
        # Today the shop uploads a paper form signed last week.
        paper = record_one(
            ctx, make_draft(touchpoint=STORE_TP, occurred_at=ago(days=7), proofs=(SCAN,))
        )
        run_until(dispatcher, lambda: len(receiver.unique()) == 3)
    assert receiver.accepted_ids() == [given.id, withdrawal.id, paper.id]
    ours = {(p, str(c)): s for (p, c), s in our_statuses(ctx, withdrawal.subject_id).items()}
    assert set(ours.values()) == {"withdrawn"}
    told = as_applied(receiver.accepted())
    assert told == ours, (
        f"the ESP was last told {told} while the person's consent is {ours}: the paper form "
        "(occurred 7 days ago, recorded after yesterday's withdrawal) arrives last and says "
        "'given', which would put a person who withdrew back on list:7"
    )
