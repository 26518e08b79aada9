"""The checks answered and the access log, committed to the ledger in sealed batches: a row
changed, removed or inserted afterwards is named by `verify`, and one check is proven by its
inclusion path up to a signed checkpoint. SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import dataclasses
import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, insert, select, update
from tests.factories.cli import instance_env, tg
from tests.factories.events import PURPOSE, email, make_draft, record_one, setup_registry

from trustguardian.asgi import create_app
from trustguardian.domain.access import Scope
from trustguardian.domain.common import FixedClock
from trustguardian.domain.registry import Channel
from trustguardian.ledger import Verifier, leaf_hash, parse_checkpoint
from trustguardian.ledger.verify import root_from_inclusion
from trustguardian.service.access.access_log import log_read
from trustguardian.service.access.api_keys import create_api_key
from trustguardian.service.context import Context
from trustguardian.service.engage.checks import CheckRequest, check_contact
from trustguardian.service.events.batches import prove_check, row_hash, seal_batches
from trustguardian.service.verify.full import verify_ledger
from trustguardian.store import tables as t


@dataclasses.dataclass
class Sealed:
    ctx: Context
    checks: list[str]
    reads: list[str]
    subject_id: str


@pytest.fixture
def sealed(ctx: Context) -> Sealed:
    """Five checks and three reads of Mario's data, sealed two minutes later in batches of
    three: two batches of checks, one of the access log."""
    setup_registry(ctx)
    mario = record_one(ctx, make_draft())
    checks = [
        str(check_contact(ctx, request=CheckRequest(PURPOSE, channel, identifier=email())).check_id)
        for channel in (Channel.EMAIL, Channel.SMS, Channel.EMAIL, Channel.PHONE, Channel.SMS)
    ]
    for what in ("timeline", "consents", "dossier"):
        log_read(ctx, reader="api-key:key_1 (crm)", subject_id=mario.subject_id, what=what)
    later = dataclasses.replace(ctx, clock=FixedClock(ctx.clock.now() + timedelta(minutes=2)))
    batches = seal_batches(later, max_rows=3)
    assert [(b.kind, b.count) for b in batches] == [("checks", 3), ("checks", 2), ("access_log", 3)]
    assert seal_batches(later) == []  # nothing left, nothing sealed twice
    with ctx.engine.connect() as c:
        reads = c.execute(select(t.subject_access_log.c.id)).scalars().all()
    return Sealed(ctx, checks, list(reads), mario.subject_id)


def _problems(ctx: Context) -> list[str]:
    return verify_ledger(ctx, evidence=False).problems


def _row(ctx: Context, table: Any, row_id: str) -> dict[str, Any]:
    with ctx.engine.connect() as c:
        return dict(c.execute(select(table).where(table.c.id == row_id)).one()._mapping)


def test_sealed_batches_verify_and_a_check_is_proven_up_to_the_checkpoint(sealed: Sealed) -> None:
    ctx = sealed.ctx
    report = verify_ledger(ctx, evidence=False)
    assert report.ok, report.problems
    assert report.sealed == 8

    proof = prove_check(ctx, check_id=sealed.checks[3])
    row = json.loads(base64.b64decode(str(proof["row"])))
    assert row["id"] == sealed.checks[3]
    assert row["channel"] == "phone"
    assert (proof["index"], proof["batch_size"]) == (0, 2)  # the second batch's first row
    # The row's path leads to the root the record's leaf commits to...
    row_hash = leaf_hash(base64.b64decode(str(proof["row"])))
    path = [base64.b64decode(h) for h in proof["batch_path"]]  # type: ignore[attr-defined]
    batch_root = root_from_inclusion(row_hash, 0, 2, path)
    record = json.loads(base64.b64decode(str(proof["record"])))
    assert record["content"]["root"] == batch_root.hex()
    assert record["content"]["count"] == 2
    assert record["kind"] == "registry.check_batch.sealed"
    # ...and the record's path leads to the root of a checkpoint signed by the pinned key.
    record_path = [base64.b64decode(h) for h in proof["record_path"]]  # type: ignore[attr-defined]
    record_hash = leaf_hash(base64.b64decode(str(proof["record"])))
    size = int(str(proof["tree_size"]))
    tree_root = root_from_inclusion(record_hash, int(str(proof["record_index"])), size, record_path)
    pinned = Verifier.parse(ctx.keys.signer.verifier_key)
    assert parse_checkpoint(str(proof["checkpoint"]), pinned).root_hash == tree_root

    _, token = create_api_key(ctx, name="crm", scopes=[Scope.CONSENT_CHECK])
    client = TestClient(create_app(ctx), headers={"Authorization": f"Bearer {token}"})
    answer = client.get(f"/v1/checks/{sealed.checks[3]}/proof")
    assert answer.status_code == 200, answer.text
    assert answer.json()["batch_root"] == base64.b64encode(batch_root).decode()
    fresh = check_contact(ctx, request=CheckRequest(PURPOSE, Channel.EMAIL, identifier=email()))
    unsealed = client.get(f"/v1/checks/{fresh.check_id}/proof")
    assert unsealed.status_code == 404
    assert "not sealed yet" in unsealed.json()["detail"]


def test_a_changed_removed_or_inserted_row_is_named_by_verify(sealed: Sealed) -> None:
    ctx = sealed.ctx
    target = sealed.checks[1]
    original = _row(ctx, t.checks, target)

    with ctx.engine.begin() as c:  # the answer turned around
        c.execute(
            update(t.checks).where(t.checks.c.id == target).values(allowed=not original["allowed"])
        )
    assert any(p.startswith(f"check {target}: changed since") for p in _problems(ctx))

    with ctx.engine.begin() as c:  # removed
        c.execute(delete(t.checks).where(t.checks.c.id == target))
    removed = [p for p in _problems(ctx) if "was removed" in p]
    assert removed, _problems(ctx)
    assert f"position 1, after {sealed.checks[0]}" in removed[0]

    with ctx.engine.begin() as c:  # back in, as it was
        c.execute(insert(t.checks).values(**original))
    assert verify_ledger(ctx, evidence=False).ok

    forged = {**original, "id": "chk_forged", "sealed_seq": None}
    forged.update(sealed_position=None, sealed_hash=None, allowed=True)
    with ctx.engine.begin() as c:  # inserted among the sealed ones
        c.execute(insert(t.checks).values(**forged))
    inserted = [p for p in _problems(ctx) if p.startswith("check chk_forged: in no sealed batch")]
    assert inserted, _problems(ctx)
    with ctx.engine.begin() as c:  # inserted into a batch, at a place it does not have
        c.execute(
            update(t.checks)
            .where(t.checks.c.id == "chk_forged")
            .values(sealed_seq=original["sealed_seq"], sealed_position=7)
        )
    assert any(p.startswith("check chk_forged: not one of the 3 rows") for p in _problems(ctx))
    with ctx.engine.begin() as c:
        c.execute(delete(t.checks).where(t.checks.c.id == "chk_forged"))

    read = sealed.reads[1]
    with ctx.engine.begin() as c:  # an access-log row: someone else read it, it now says
        c.execute(
            update(t.subject_access_log)
            .where(t.subject_access_log.c.id == read)
            .values(username="console:nobody")
        )
    assert any(p.startswith(f"access-log row {read}: changed since") for p in _problems(ctx))


def test_a_row_rewritten_with_its_stored_hash_still_fails_its_batch_root(sealed: Sealed) -> None:
    ctx = sealed.ctx
    target = sealed.checks[4]
    original = _row(ctx, t.checks, target)
    row = {**original, "allowed": not original["allowed"]}
    with ctx.engine.begin() as c:
        c.execute(
            update(t.checks)
            .where(t.checks.c.id == target)
            .values(allowed=row["allowed"], sealed_hash=row_hash("checks", row))
        )
    problems = _problems(ctx)
    assert any("do not hash to the root its record sealed" in p for p in problems), problems


def test_the_cli_seals_and_proves_a_check(sealed: Sealed, tmp_path: Path) -> None:
    env = {**os.environ, **instance_env(sealed.ctx, tmp_path)}
    nothing = tg("ledger", "seal", env=env)  # every row older than a minute is sealed already
    assert nothing.returncode == 0, nothing.stderr
    assert "nothing to seal" in nothing.stdout
    shown = tg("ledger", "check-proof", sealed.checks[0], "--json", env=env)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["check_id"] == sealed.checks[0]
    missing = tg("ledger", "check-proof", "chk_none", env=env)
    assert missing.returncode != 0
    assert "Traceback" not in missing.stderr
