"""The operator's commands as a new user runs them: backup, restore, rotations, ledger keys,
verify (the `trustguardian` entry point on a SQLite instance whose keys live in a key file)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from tests.factories import cli
from tests.factories.events import email, ledger_size, make_draft, record_one, setup_registry

from trustguardian.service.context import build_context
from trustguardian.settings import Settings

pytestmark = pytest.mark.slow


def tg(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return cli.tg(*args, env=env)


def test_backup_rotate_restore_and_verify_from_the_command_line(tmp_path: Path) -> None:
    keys = tmp_path / "instance.keys"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUSTGUARDIAN_")}
    env |= {
        "TRUSTGUARDIAN_DATABASE_URL": f"sqlite:///{tmp_path / 'live.db'}",
        "TRUSTGUARDIAN_KEYS_FILE": str(keys),
        "COLUMNS": "200",
    }
    assert tg(env, "instance-keys", "init").returncode == 0
    assert tg(env, "instance-keys", "init").returncode == 2  # never overwrites keys
    assert tg(env, "migrate").returncode == 0
    ctx = build_context(Settings(database_url=env["TRUSTGUARDIAN_DATABASE_URL"], keys_file=keys))
    setup_registry(ctx)
    for n in range(4):
        record_one(ctx, make_draft(identifiers=(email(f"cli{n}@example.com"),)))
    size = ledger_size(ctx)  # the registry's leaves and 4 events
    ctx.engine.dispose()

    backup = tmp_path / "live.tgbackup"
    done = tg(env, "backup", str(backup))
    assert done.returncode == 0, done.stderr
    assert f"tree size {size}" in done.stdout

    rotated = tg(env, "instance-keys", "rotate-signing")
    assert rotated.returncode == 0, rotated.stderr
    assert tg(env, "instance-keys", "rotate-master").returncode == 0
    published = json.loads(tg(env, "ledger", "keys", "--json").stdout)
    # The rotation's own leaves (both keys' records) are the first the new key signs for.
    assert [(k["from_tree_size"], k["until_tree_size"]) for k in published] == [
        (0, size),
        (size + 1, None),
    ]
    assert published[1]["verifier_key"] in rotated.stdout
    assert tg(env, "verify").returncode == 0

    # Restore the pre-rotation backup elsewhere: it verifies with the retired keys on file.
    elsewhere = env | {"TRUSTGUARDIAN_DATABASE_URL": f"sqlite:///{tmp_path / 'restored.db'}"}
    restored = tg(elsewhere, "restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    checked = tg(elsewhere, "verify")
    assert checked.returncode == 0, checked.stdout
    assert "Ledger verified" in checked.stdout

    data = bytearray(backup.read_bytes())
    data[len(data) // 3] ^= 0x80
    backup.write_bytes(bytes(data))
    again = env | {"TRUSTGUARDIAN_DATABASE_URL": f"sqlite:///{tmp_path / 'again.db'}"}
    refused = tg(again, "restore", str(backup))
    assert refused.returncode != 0
    assert "does not match its signed hash" in refused.stderr
    assert not (tmp_path / "again.db").exists()


def test_production_mode_refuses_to_serve_without_keys(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUSTGUARDIAN_")}
    env |= {
        "TRUSTGUARDIAN_DATABASE_URL": f"sqlite:///{tmp_path / 'prod.db'}",
        "TRUSTGUARDIAN_KEYS_FILE": str(tmp_path / "missing.keys"),
        "TRUSTGUARDIAN_ENVIRONMENT": "production",
    }
    done = tg(env, "serve", "--port", "1")
    assert done.returncode != 0
    assert "no Trust Guardian instance here" in done.stderr
    assert "trustguardian init" in done.stderr
    assert not (tmp_path / "missing.keys").exists()
    assert not (tmp_path / "prod.db").exists()
    # A database without its keys: production names the keys it needs.
    (tmp_path / "prod.db").touch()
    done = tg(env, "serve", "--port", "1")
    assert done.returncode != 0
    assert "no master key" in done.stderr
    assert "TRUSTGUARDIAN_MASTER_KEY" in done.stderr
    assert not (tmp_path / "missing.keys").exists()
