"""RFC 8058 one-click POSTs are rate-limited per link, not per client address: a mailbox
provider posts everyone's unsubscribes from a few addresses (SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses

import httpx
from fastapi.testclient import TestClient

from trustguardian.asgi import create_app
from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import Channel
from trustguardian.service.context import Context
from trustguardian.service.engage.links import unsubscribe_links
from trustguardian.service.events.consent import subject_timeline

from .helpers import PURPOSE, UNSUB, check, person


def test_one_click_posts_are_limited_per_link_not_per_address(rctx: Context) -> None:
    people = [person(rctx, f"p{n}@example.com") for n in range(5)]
    links = unsubscribe_links(
        rctx,
        subject_ids=[p.subject_id for p in people],
        purpose=PURPOSE,
        channel=Channel.EMAIL,
        touchpoint=UNSUB,
    )
    tight = dataclasses.replace(
        rctx,
        settings=rctx.settings.model_copy(
            update={"rate_limit_public_per_minute": 60, "rate_limit_burst": 2}
        ),
    )
    with TestClient(create_app(tight)) as provider:  # one address for everyone's mail
        paths = [httpx.URL(link.url).path for link in links]
        one_click = {"List-Unsubscribe": "One-Click"}
        assert [provider.post(p, data=one_click).status_code for p in paths] == [200] * 5
        retries = [provider.post(paths[0], data=one_click).status_code for _ in range(4)]
        assert retries[:2] == [200, 200]
        assert retries[-1] == 429
        assert provider.post(paths[1], data=one_click).status_code == 200
    for p in people:
        assert check(rctx, PURPOSE, Channel.EMAIL, p.email) == "withdrawn"
    # The link posted three times (accepted) recorded one withdrawal.
    kinds = [e.kind for e in subject_timeline(rctx, subject_id=people[0].subject_id)]
    assert kinds.count(EventKind.CONSENT_WITHDRAWN) == 1
