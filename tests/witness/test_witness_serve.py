"""`trustguardian serve` with TRUSTGUARDIAN_WITNESSES: its background sender gets the checkpoint
cosigned and GET /v1/ledger/checkpoint carries the cosignature; a malformed setting stops it
with one sentence."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
from tests.engage.server import live_server
from tests.factories.cli import instance_env, tg
from tests.factories.events import email, make_draft, record, setup_registry
from tests.factories.witness import make_witness

from trustguardian.ledger.cosignature import verify_cosignatures
from trustguardian.service.context import Context


def test_serve_sends_checkpoints_to_its_witness_and_serves_them_cosigned(
    sqlite_ctx: Context, admin_token: str, tmp_path: Path
) -> None:
    ctx = sqlite_ctx
    setup_registry(ctx)
    record(ctx, *(make_draft(identifiers=(email(f"p{n}@example.com"),)) for n in range(3)))
    witness = make_witness(tmp_path / "w", "w1.example", [ctx.keys.signer.verifier_key]).start()
    env = {
        "TRUSTGUARDIAN_WITNESSES": witness.setting,
        "TRUSTGUARDIAN_OUTBOUND_ALLOW_HOSTS": "127.0.0.1",
        "TRUSTGUARDIAN_WITNESS_INTERVAL_SECONDS": "0.1",
    }
    try:
        with live_server(ctx.settings, tmp_path, env) as base:
            headers = {"Authorization": f"Bearer {admin_token}"}
            deadline = time.monotonic() + 60
            cosigners: list[str] = []
            while not cosigners and time.monotonic() < deadline:
                reply = httpx.get(f"{base}/v1/ledger/checkpoint", headers=headers, timeout=10)
                assert reply.status_code == 200
                note = reply.json()["note"]
                cosigners = [c.name for c in verify_cosignatures(note, [witness.verifier])]
                time.sleep(0.1)
            assert cosigners == ["w1.example"]
    finally:
        witness.stop()


def test_a_malformed_witness_setting_stops_serve_with_one_sentence(
    sqlite_ctx: Context, tmp_path: Path
) -> None:
    env = {**instance_env(sqlite_ctx, tmp_path), "TRUSTGUARDIAN_WITNESSES": "http://w.example"}
    done = tg("serve", "--port", "1", env=env)
    assert done.returncode == 2
    assert "pairs of a URL and a verifier key" in done.stderr
    assert "Traceback" not in done.stderr
