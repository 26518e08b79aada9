"""Contact policies, suppression entries and register imports listed, changed and removed: by
the service on both backends (each change a ledger leaf, the ledger still verifying), over HTTP
(scopes, problem+json, nothing written on bad input) and from the command line (`check --at
--customer-id --json`, one sentence on bad input)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from tests.factories.cli import tg
from tests.factories.events import MARIO, PURPOSE, ago, assert_verifies, at_instant, email

from trustguardian.domain.access import Scope
from trustguardian.domain.checks import Reason
from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import Channel
from trustguardian.service.context import Context
from trustguardian.service.engage import admin as engage_admin
from trustguardian.service.engage import lists as engage_lists
from trustguardian.service.engage.checks import CheckRequest, check_contact
from trustguardian.service.events.subjects import blind

from .helpers import CALLS, customer, event, import_register, phone, setup_engage
from .server import env_for

PROBLEM = "application/problem+json"


def run(ctx: Context, *args: str) -> tuple[int, str]:
    """`trustguardian ARGS` through its entry point: exit status, and stdout then stderr."""
    done = tg(*args, env={**os.environ, **env_for(ctx.settings)})
    return done.returncode, done.stdout + done.stderr


def _records(ctx: Context, object_type: str, key: str) -> list[str]:
    with ctx.uow(write=False) as uow:
        return [r.kind for r in uow.records.history(object_type, key)]


def test_each_change_to_the_contact_rules_is_a_ledger_leaf(ctx: Context) -> None:
    setup_engage(ctx)
    policy = engage_admin.add_policy(ctx, purpose=PURPOSE, channel=None, max_contacts=3, days=7)
    engage_lists.change_policy(ctx, policy_id=policy, max_contacts=1, days=7)
    engage_lists.remove_policy(ctx, policy_id=policy)
    assert _records(ctx, "contact_policy", policy) == [
        "registry.contact_policy.added",
        "registry.contact_policy.changed",
        "registry.contact_policy.removed",
    ]
    engage_admin.suppress(ctx, identifiers=[email()], reason="asked")
    engage_lists.change_suppression(ctx, identifier=email(), reason="complaint")
    engage_lists.remove_suppression(ctx, identifier=email())
    assert _records(ctx, "suppression_entry", blind(ctx, email())) == [
        "registry.suppression_entry.added",
        "registry.suppression_entry.changed",
        "registry.suppression_entry.removed",
    ]
    import_register(ctx, ["3331234567"], ago(days=3).date())
    [found] = engage_lists.list_registers(ctx)
    engage_lists.change_register(ctx, register_id=found.id, register_date=ago(days=4).date())
    engage_lists.remove_register(ctx, register_id=found.id)
    assert _records(ctx, "register_import", found.id) == [
        "registry.register_import.imported",
        "registry.register_import.redated",
        "registry.register_import.removed",
    ]
    assert_verifies(ctx)


def test_a_changed_policy_applies_from_then_on_and_the_old_one_before(ctx: Context) -> None:
    setup_engage(ctx)
    who = (email(),)
    event(ctx, who=who, channels=(Channel.EMAIL,), at=ago(days=50))
    policy = engage_admin.add_policy(
        at_instant(ctx, ago(days=45)), purpose=PURPOSE, channel=None, max_contacts=1, days=30
    )
    event(ctx, EventKind.CONTACT_MADE, who=who, channels=(Channel.EMAIL,), at=ago(days=20))
    engage_lists.change_policy(
        at_instant(ctx, ago(days=10)), policy_id=policy, max_contacts=5, days=30
    )

    def reason(days: float | None) -> Reason:
        moment = None if days is None else ago(days=days)
        request = CheckRequest(PURPOSE, Channel.EMAIL, email(), moment=moment)
        return check_contact(ctx, request=request).reason

    assert reason(15) is Reason.FREQUENCY_CAP  # the cap of 1 stood then
    assert reason(None) is Reason.CONSENT_GIVEN  # 5 from 10 days ago
    assert reason(48) is Reason.CONSENT_GIVEN  # no policy yet
    [row] = engage_lists.list_policies(ctx)
    assert (row.id, row.max_contacts) == (policy, 5)


def test_the_http_api_lists_changes_and_removes_policies_suppression_and_registers(
    client: TestClient, sqlite_ctx: Context, bearer: Callable[..., dict[str, str]]
) -> None:
    setup_engage(sqlite_ctx)
    made = client.post("/v1/policies", json={"channel": "sms", "max_contacts": 2, "days": 7})
    assert made.status_code == 201, made.text
    policy = made.json()["id"]
    changed = client.patch(f"/v1/policies/{policy}", json={"max_contacts": 4, "days": 7})
    assert changed.json()["max_contacts"] == 4
    assert [p["max_contacts"] for p in client.get("/v1/policies").json()] == [4]
    assert client.delete(f"/v1/policies/{policy}").status_code == 204
    assert client.get("/v1/policies").json() == []

    added = client.post(
        "/v1/suppression",
        json={"identifiers": [{"kind": "email", "value": MARIO}], "reason": "asked"},
    )
    assert added.json() == {"added": 1}
    [entry] = client.get("/v1/suppression").json()["items"]
    assert entry["entry"] == blind(sqlite_ctx, email())
    assert MARIO not in json.dumps(entry)
    assert (
        client.patch(f"/v1/suppression/{entry['entry']}", json={"reason": "x"}).json()["reason"]
        == "x"
    )
    assert client.delete(f"/v1/suppression/{entry['entry']}").status_code == 204
    assert client.get("/v1/suppression").json()["items"] == []

    day = ago(days=2).date()
    imported = client.post(
        f"/v1/registers?register_date={day}",
        content=b"numero\n3331234567\n33\xe8\n",
        headers={"Content-Type": "text/csv"},
    )
    assert imported.status_code == 201, imported.text
    assert imported.json()["entries"] == 1
    [bad] = imported.json()["rejected"]
    assert bad["line"] == 3
    assert bad["why"].startswith("invalid_encoding: not UTF-8 (byte 0xE8)")
    register = imported.json()["id"]
    earlier = (day - timedelta(days=1)).isoformat()
    redated = client.patch(f"/v1/registers/{register}", json={"register_date": earlier})
    assert redated.json()["register_date"] == earlier
    assert client.delete(f"/v1/registers/{register}").status_code == 204
    [listed] = client.get("/v1/registers").json()
    assert listed["removed_at"] is not None


def test_bad_input_to_the_contact_rules_is_a_problem_and_writes_nothing(
    client: TestClient, sqlite_ctx: Context, bearer: Callable[..., dict[str, str]]
) -> None:
    setup_engage(sqlite_ctx)
    with sqlite_ctx.uow(write=False) as uow:
        before = uow.records.count()
    for method, path, body in [
        ("post", "/v1/policies", {"max_contacts": 2}),  # a cap needs its days
        ("post", "/v1/policies", {"purpose": "nope", "max_contacts": 2, "days": 3}),
        ("patch", "/v1/policies/pol_missing", {"max_contacts": 2, "days": 3}),
        ("delete", "/v1/suppression/" + "0" * 64, None),
        ("patch", "/v1/suppression/not-a-hash", {"reason": "x"}),
        ("delete", "/v1/registers/reg_missing", None),
        ("patch", "/v1/registers/reg_missing", {"register_date": "2026-01-01"}),
    ]:
        answer = client.request(method, path, json=body)
        assert 400 <= answer.status_code < 500, (path, answer.text)
        assert answer.headers["content-type"].startswith(PROBLEM), path
    with sqlite_ctx.uow(write=False) as uow:
        assert uow.records.count() == before
        assert uow.engage_lists.policy_rows() == []
    checker = bearer(Scope.CONSENT_CHECK)
    assert client.get("/v1/policies", headers=checker).status_code == 403


def test_the_cli_checks_at_a_moment_by_customer_id_and_lists_and_removes_rules(
    sqlite_ctx: Context, tmp_path: Path
) -> None:
    setup_engage(sqlite_ctx)
    who = (customer("C-1001"), phone())
    event(sqlite_ctx, purpose=CALLS, who=who, channels=(Channel.SMS,), at=ago(days=30))
    event(
        sqlite_ctx,
        EventKind.CONSENT_WITHDRAWN,
        purpose=CALLS,
        who=who,
        channels=(Channel.SMS,),
        at=ago(days=5),
    )
    base = ["check", "--purpose", CALLS, "--channel", "sms", "--customer-id", "C-1001"]
    code, out = run(sqlite_ctx, *base, "--at", ago(days=10).isoformat(), "--json")
    assert code == 0, out
    assert json.loads(out)["reason"] == "consent_given"
    code, out = run(sqlite_ctx, *base, "--phone", "333 123 4567", "--json")
    assert (code, json.loads(out)["reason"]) == (1, "withdrawn")
    code, out = run(sqlite_ctx, *base, "--at", "yesterday")
    assert code != 0
    assert "ISO 8601" in out

    code, out = run(sqlite_ctx, "suppression", "add", "--phone", "333 123 4567", "--json")
    assert json.loads(out) == {"added": 1}
    code, out = run(sqlite_ctx, "suppression", "list", "--json")
    assert len(json.loads(out)) == 1
    assert run(sqlite_ctx, "suppression", "remove", "--phone", "333 123 4567")[0] == 0
    code, out = run(sqlite_ctx, "suppression", "remove", "--phone", "333 123 4567")
    assert code != 0
    assert "not on the suppression list" in out

    code, out = run(sqlite_ctx, "policies", "add", "--channel", "sms", "--max", "1", "--days", "3")
    code, out = run(sqlite_ctx, "policies", "list", "--json")
    [policy] = json.loads(out)
    assert run(sqlite_ctx, "policies", "change", policy["id"], "--max", "2", "--days", "3")[0] == 0
    assert run(sqlite_ctx, "policies", "remove", policy["id"])[0] == 0
    code, out = run(sqlite_ctx, "policies", "add", "--window", "[1, 2]")
    assert code != 0
    assert "JSON object" in out

    source = tmp_path / "rpo.txt"
    source.write_bytes(b"3331234567\n\xff\xfe\n")
    code, out = run(
        sqlite_ctx, "registers", "import", str(source), "--date", str(ago().date()), "--json"
    )
    assert json.loads(out)["rejected"] == [
        {"line": 2, "why": "invalid_encoding: not UTF-8 (byte 0xFF)"}
    ]
    code, out = run(sqlite_ctx, "registers", "list", "--json")
    [register] = json.loads(out)
    assert run(sqlite_ctx, "registers", "remove", register["id"])[0] == 0
    assert run(sqlite_ctx, "registers", "remove", register["id"])[0] != 0
