"""The defence copy through the command line and the HTTP API: the DPO opens it, anyone else is
refused in one sentence (CLI) or with problem+json (API) and nothing is written; legal holds are
placed and released from the command line and keep the purge off until released."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.factories.cli import instance_env, tg
from tests.factories.defence import DESK, REASON, defence_world
from tests.factories.events import (
    PURPOSE,
    TP,
    assert_verifies,
    ledger_size,
    setup_registry,
    utcnow,
)

from trustguardian.asgi import create_app
from trustguardian.domain.access import Scope
from trustguardian.service.access.api_keys import create_api_key
from trustguardian.service.context import Context
from trustguardian.service.registry.purposes import get_purpose
from trustguardian.service.rights.erasure import erase_subject
from trustguardian.store import tables as t


def _reads(ctx: Context) -> int:
    with ctx.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.defence_reads)).scalar_one())


def cli(ctx: Context, tmp_path: Path, *args: str) -> tuple[int, str]:
    """Runs `trustguardian ARGS` as a process would: (exit status, stdout and stderr)."""
    done = tg(*args, env={**os.environ, **instance_env(ctx, tmp_path)})
    return done.returncode, done.stdout + done.stderr


def test_the_command_line_opens_holds_releases_and_purges(ctx: Context, tmp_path: Path) -> None:
    # Erased twenty days ago with a ten-day retention: the copy is due for destruction now.
    ctx, _, subject = defence_world(ctx, days=10, start=utcnow() - timedelta(days=20))
    erase_subject(ctx, subject_id=subject, touchpoint=DESK, actor="dpo")
    size = ledger_size(ctx)

    code, out = cli(ctx, tmp_path, "defence", "open", subject, "--by", "marketer", "--reason", "x")
    assert code != 0
    assert "'marketer' is not an active console user who may open defence copies" in out
    assert "Traceback" not in out
    code, out = cli(ctx, tmp_path, "hold", "place", "--reason", "x", "--by", "lawyer")
    assert code != 0
    assert "name a subject or a touchpoint" in out
    assert (_reads(ctx), ledger_size(ctx)) == (0, size)  # the refusals wrote nothing

    code, out = cli(
        ctx, tmp_path, "hold", "place", "--touchpoint", TP, "--reason", REASON, "--by", "lawyer"
    )
    assert code == 0, out
    hold_id = out.split()[2]
    code, out = cli(ctx, tmp_path, "defence", "purge", "--json")
    assert code == 0, out
    assert json.loads(out) == {"destroyed": [], "held": {subject: [hold_id]}}

    code, out = cli(ctx, tmp_path, "defence", "open", subject, "--by", "dpo", "--reason", REASON)
    assert code == 0, out
    opened = json.loads(out)
    assert [e["kind"] for e in opened["events"]] == ["consent.given", "consent.withdrawn"]
    assert all(p["matches"] for e in opened["events"] for p in e["proofs"])
    assert _reads(ctx) == 1

    assert cli(ctx, tmp_path, "hold", "release", hold_id, "--by", "dpo")[0] == 0
    code, out = cli(ctx, tmp_path, "defence", "purge", "--json")
    assert json.loads(out) == {"destroyed": [subject], "held": {}}
    code, out = cli(ctx, tmp_path, "defence", "open", subject, "--by", "dpo", "--reason", REASON)
    assert code != 0
    assert "was destroyed" in out
    assert_verifies(ctx)


def test_the_api_opens_the_copy_for_the_dpo_only(sqlite_ctx: Context) -> None:
    ctx, _, subject = defence_world(sqlite_ctx)
    erase_subject(ctx, subject_id=subject, touchpoint=DESK, actor="dpo")
    _, admin = create_api_key(ctx, name="legal office", scopes=[Scope.ADMIN])
    _, reader = create_api_key(ctx, name="crm", scopes=[Scope.SUBJECTS_READ])
    path = f"/v1/subjects/{subject}/defence-copy/open"
    with TestClient(create_app(ctx, fast_checks=False)) as client:

        def post(token: str, by: str) -> object:
            headers = {"Authorization": f"Bearer {token}"}
            return client.post(path, headers=headers, json={"by": by, "reason": REASON})

        refused = post(admin, "marketer")
        assert refused.status_code == 403  # type: ignore[attr-defined]
        assert refused.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
        assert post(reader, "dpo").status_code == 403  # type: ignore[attr-defined]
        assert _reads(ctx) == 0
        opened = post(admin, "dpo")
        assert opened.status_code == 200, opened.text  # type: ignore[attr-defined]
        body = opened.json()  # type: ignore[attr-defined]
        assert body["subject_id"] == subject
        assert body["events"][0]["proofs"][0]["content"]["form_reference"] == "PF-2024-0042"
    with ctx.uow(write=False) as uow:
        [read] = uow.records.latest("defence_read").values()
    assert read.actor == "dpo"
    assert '"via":"api-key:' in read.leaf.decode()
    assert_verifies(ctx)


def test_the_defence_retention_is_set_by_the_cli_and_the_api(
    sqlite_ctx: Context, tmp_path: Path
) -> None:
    ctx = sqlite_ctx
    setup_registry(ctx)
    code, out = cli(ctx, tmp_path, "purposes", "defence-retention", PURPOSE, "3650")
    assert code == 0, out
    assert get_purpose(ctx, key=PURPOSE).current.content.defence_retention_days == 3650
    code, out = cli(ctx, tmp_path, "purposes", "defence-retention", PURPOSE, "--", "-1")
    assert code != 0
    assert "Traceback" not in out

    _, admin = create_api_key(ctx, name="registry", scopes=[Scope.REGISTRY_WRITE])
    headers = {"Authorization": f"Bearer {admin}"}
    body = {
        "name": "Newsletter marketing",
        "legal_basis": "consent",
        "channels": ["email", "sms"],
        "controller": "Bottega Rossi S.p.A.",
        "retention_days": 730,
        "marketing": True,
    }
    size = ledger_size(ctx)
    with TestClient(create_app(ctx, fast_checks=False)) as client:
        path = f"/v1/purposes/{PURPOSE}"
        refused = client.put(path, headers=headers, json={**body, "defence_retention_days": 0})
        assert refused.status_code == 422
        assert ledger_size(ctx) == size  # the refusal wrote nothing
        revised = client.put(path, headers=headers, json={**body, "defence_retention_days": 365})
        assert revised.status_code == 200, revised.text
    assert revised.json()["current"]["defence_retention_days"] == 365
    assert get_purpose(ctx, key=PURPOSE).current.content.defence_retention_days == 365
    assert_verifies(ctx)
