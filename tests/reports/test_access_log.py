"""Reads of a person's data by dossier and consent-record exports, through the API and the
command line, are written to the subject access log the console shows, naming the reader."""

from __future__ import annotations

import getpass
import json
import os
from pathlib import Path

from fastapi.testclient import TestClient
from tests.factories.cli import tg
from tests.reports.helpers import MARIO, mario_history
from tests.reports.standards import CONTROLLER, configured

from trustguardian.asgi import create_app
from trustguardian.domain.access import Scope
from trustguardian.service.access.api_keys import create_api_key
from trustguardian.service.access.users import access_log
from trustguardian.service.context import Context


def test_api_reads_are_logged_with_the_key_that_read(ctx: Context) -> None:
    history = mario_history(ctx)
    now = configured(history.ctx)
    key, token = create_api_key(now, name="inspector", scopes=[Scope.SUBJECTS_READ])
    with TestClient(create_app(now), headers={"Authorization": f"Bearer {token}"}) as client:
        assert access_log(now) == []
        dossier = client.get(f"/v1/subjects/{history.subject_id}/dossier")
        assert dossier.status_code == 200
        receipts = client.get(
            f"/v1/subjects/{history.subject_id}/consent-records", params={"format": "kantara"}
        )
        assert receipts.status_code == 200
        records = client.get(f"/v1/subjects/{history.subject_id}/consent-records")
        assert records.status_code == 200
        missing = client.get("/v1/subjects/sub_nobody/dossier")
        assert missing.status_code == 404

    logged = sorted(access_log(now), key=lambda r: r.what)
    assert [(r.what, r.subject_id, r.user_id) for r in logged] == [
        ("consent records (dpv)", history.subject_id, None),
        ("consent records (kantara)", history.subject_id, None),
        ("dossier", history.subject_id, None),
    ]  # the refused read of an unknown subject logs nothing
    assert {r.username for r in logged} == {f"api-key:{key.id} (inspector)"}
    assert all(r.at == now.clock.now() for r in logged)


def test_command_line_reads_are_logged_as_the_cli(sqlite_ctx: Context, tmp_path: Path) -> None:
    history = mario_history(sqlite_ctx)
    settings = history.ctx.settings
    env = {
        **os.environ,
        "TRUSTGUARDIAN_DATABASE_URL": settings.database_url,
        "TRUSTGUARDIAN_KEYS_FILE": str(settings.keys_file),
        "TRUSTGUARDIAN_MASTER_KEY": settings.master_key.get_secret_value()
        if settings.master_key
        else "",
        **{f"TRUSTGUARDIAN_{k.upper()}": v for k, v in CONTROLLER.items()},
    }

    def run(*args: str) -> str:
        done = tg(*args, env=env)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    run("dossier", history.subject_id, "--out", str(tmp_path / "mario.zip"))
    exported = run("export", "consent-records", "mario.rossi@example.com", "--format", "dpv")
    assert json.loads(exported)[0]["dct:conformsTo"] == "dpv-27560:record-2"

    logged = sorted(access_log(history.ctx), key=lambda r: r.what)
    assert [(r.what, r.subject_id, r.user_id, r.username) for r in logged] == [
        ("consent records (dpv)", history.subject_id, None, f"cli:{getpass.getuser()}"),
        ("dossier", history.subject_id, None, f"cli:{getpass.getuser()}"),
    ]


def test_api_reads_of_identifiers_and_timeline_are_logged(ctx: Context) -> None:
    history = mario_history(ctx)
    now = configured(history.ctx)
    key, token = create_api_key(now, name="crm", scopes=[Scope.SUBJECTS_READ])
    with TestClient(create_app(now), headers={"Authorization": f"Bearer {token}"}) as client:
        assert client.get(f"/v1/subjects/{history.subject_id}").status_code == 200
        assert client.get(f"/v1/subjects/{history.subject_id}/timeline").status_code == 200
        found = client.post(
            "/v1/subjects/lookup",
            json={"identifier": {"kind": "email", "value": MARIO}},
        )
        assert found.status_code == 200, found.text
        assert client.get("/v1/subjects/sub_nobody").status_code == 404
    logged = sorted((r.what, r.subject_id, r.username) for r in access_log(now))
    assert [(w, s) for w, s, _ in logged] == [
        ("subject", history.subject_id),
        ("subject (lookup)", history.subject_id),
        ("timeline", history.subject_id),
    ]  # the refused read of an unknown subject logs nothing
    assert {u for _, _, u in logged} == {f"api-key:{key.id} (crm)"}
