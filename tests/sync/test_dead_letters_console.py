"""Dead letters from the console (SQLite and PostgreSQL): one retried, one discarded, then all
of a system's retried, through the CLI's use cases; each move a ledger leaf naming the user."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from tests.factories.events import ledger_size
from tests.sync.conftest import MakeSyncCtx
from tests.sync.helpers import Receivers, delivery_counts, two_systems_with_dead_letters
from tests.web.helpers import CSRF, PASSWORD, add_users

from trustguardian.asgi import create_app
from trustguardian.service.context import Context
from trustguardian.service.verify import verify_ledger

PAGE = "/console/manage/dead-letters"


def _signed_in(ctx: Context, username: str) -> tuple[TestClient, str]:
    client = TestClient(create_app(ctx), follow_redirects=False)
    token = CSRF.search(client.get("/console/login").text)
    assert token is not None
    form = {"username": username, "password": PASSWORD, "csrf_token": token.group(1)}
    assert client.post("/console/login", data=form).status_code == 303
    found = CSRF.search(client.get(PAGE).text)
    assert found is not None
    return client, found.group(1)


def _leaves(ctx: Context) -> dict[str, tuple[str, str, str]]:
    with ctx.uow(write=False) as uow:
        latest = uow.records.latest("dead_letters")
    return {key: (r.kind, r.actor, r.content) for (_, key), r in latest.items()}


def test_dead_letters_are_retried_and_discarded_from_the_console(
    backend: str, make_sync_ctx: MakeSyncCtx, receivers: Receivers
) -> None:
    ctx = make_sync_ctx(backend, sync_max_attempts=2)
    _, crm, esp, seqs = two_systems_with_dead_letters(ctx, receivers, {"on": False})
    add_users(ctx)
    client, csrf = _signed_in(ctx, "ict")
    page = client.get(PAGE).text
    assert page.count('action="/console/manage/dead-letters/discard"') == 6
    assert "Retry all of esp" in page

    one = {"csrf_token": csrf, "webhook": crm.id, "seq": str(seqs[0])}
    retried = client.post(f"{PAGE}/retry", data=one)
    assert retried.status_code == 200
    assert re.search(r'id="moved">1 dead letters will be sent again', retried.text)
    discarded = client.post(f"{PAGE}/discard", data={**one, "seq": str(seqs[1])})
    assert re.search(r'id="moved">1 dead letters discarded', discarded.text)
    assert delivery_counts(ctx, crm.destination) == {"pending": 1, "discarded": 1, "dead": 1}
    kind, actor, content = _leaves(ctx)[f"webhook:{crm.id}"]
    assert (kind, actor) == ("registry.dead_letters.discarded", "console:ict")
    assert f'"seqs":[{seqs[1]}]' in content

    everything = client.post(f"{PAGE}/retry", data={"csrf_token": csrf, "system": "esp"})
    assert re.search(r'id="moved">3 dead letters will be sent again', everything.text)
    assert delivery_counts(ctx, esp.destination) == {"pending": 3}
    kind, actor, content = _leaves(ctx)["system:esp"]
    assert (kind, actor) == ("registry.dead_letters.retried", "console:ict")
    assert '"letters":3' in content

    before = ledger_size(ctx)
    for bad in ({"system": ""}, {"webhook": crm.id, "seq": "x"}, {"system": "nope"}):
        refused = client.post(f"{PAGE}/discard", data={"csrf_token": csrf, **bad})
        assert refused.status_code in (404, 422)
        assert 'id="form-error"' in refused.text
    forget = client.post(f"{PAGE}/forget", data={"csrf_token": csrf, "system": "crm"})
    assert forget.status_code == 404
    assert ledger_size(ctx) == before
    assert delivery_counts(ctx, crm.destination) == {"pending": 1, "discarded": 1, "dead": 1}
    assert verify_ledger(ctx).ok
